package runtime

import (
	"strconv"
	"sync/atomic"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the contract's Prometheus series plus Go's default process
// and runtime collectors, on a registry of the server's own.
type metrics struct {
	reg         *prometheus.Registry
	invocations *prometheus.CounterVec // by code, function and namespace curried
	byCode      [600]atomic.Pointer[prometheus.Counter]
	duration    prometheus.Observer
	coldStarts  prometheus.Counter
}

// DurationBuckets are the buckets of function_duration_seconds, in
// seconds, as the contract fixes them for every runtime.
var DurationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

func newMetrics(function, namespace string) *metrics {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	ids := prometheus.Labels{"function": function, "namespace": namespace}
	inv := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "function_invocations_total",
		Help: "Invocations of the function, by HTTP status code.",
	}, []string{"function", "namespace", "code"})
	dur := prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "function_duration_seconds",
		Help:    "Time from request to response of each invocation.",
		Buckets: DurationBuckets,
	}, []string{"function", "namespace"})
	cold := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "function_cold_starts_total",
		Help: "Invocations that were the first of a fresh process.",
	}, []string{"function", "namespace"})
	reg.MustRegister(inv, dur, cold)
	return &metrics{
		reg:         reg,
		invocations: inv.MustCurryWith(ids),
		duration:    dur.With(ids),
		coldStarts:  cold.With(ids),
	}
}

// invocation counts one invocation answered with code; the counter of each
// code is looked up once.
func (m *metrics) invocation(code int) {
	if code < 0 || code >= len(m.byCode) {
		m.invocations.WithLabelValues(strconv.Itoa(code)).Inc()
		return
	}
	if c := m.byCode[code].Load(); c != nil {
		(*c).Inc()
		return
	}
	c := m.invocations.WithLabelValues(strconv.Itoa(code))
	m.byCode[code].Store(&c)
	c.Inc()
}
