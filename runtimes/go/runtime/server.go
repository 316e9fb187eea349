package runtime

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"os"
	"os/signal"
	goruntime "runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/gorilla/mux"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Version is the runtime's version, reported in logs and build-cache keys.
const Version = "0.1.0"

// Server is the runtime's HTTP server: the contract's endpoints on a
// gorilla/mux router, and the function behind every other route.
type Server struct {
	cfg     Config
	opts    Options
	log     *slog.Logger
	logOut  io.Writer
	flush   func() // waits for buffered log lines to be written
	router  *mux.Router
	metrics *metrics

	connMu sync.Mutex
	conns  map[net.Conn]*connInfo

	state    atomic.Pointer[loadState]
	draining atomic.Bool
	invoked  atomic.Bool // the first invocation (the cold start) has happened
}

type loadState struct {
	h      handler
	ready  bool
	reason string
}

// Options adjusts a Server; zero values mean the defaults.
type Options struct {
	// Log receives the JSON log lines, written synchronously; by default
	// they go to os.Stdout through a buffer written by a goroutine of its
	// own, off the request path.
	Log io.Writer
	// CloseConnections turns HTTP keep-alive off: the launcher's interim
	// server uses it so that no client holds a connection to a process
	// that is about to be replaced.
	CloseConnections bool
}

// NewServer returns a server that is not ready until SetHandler succeeds.
func NewServer(cfg Config, opts Options) *Server {
	out, flush := opts.Log, func() {}
	if out == nil {
		aw := newAsyncWriter(os.Stdout)
		out, flush = aw, aw.Flush
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	s := &Server{cfg: cfg, opts: opts, log: NewLogger(out), logOut: out, flush: flush, metrics: newMetrics(cfg.Name, cfg.Namespace)}
	s.conns = map[net.Conn]*connInfo{}
	s.state.Store(&loadState{reason: "loading the function"})
	for _, w := range cfg.Warnings {
		s.log.Warn(w)
	}

	r := mux.NewRouter()
	r.SkipClean(true) // the handler sees the path as sent; no redirects
	probe := []string{http.MethodGet, http.MethodHead}
	r.Path("/health").Methods(probe...).HandlerFunc(s.health)
	r.Path("/ready").Methods(probe...).HandlerFunc(s.ready)
	r.Path("/metrics").Methods(probe...).Handler(
		promhttp.HandlerFor(s.metrics.reg, promhttp.HandlerOpts{ErrorLog: slog.NewLogLogger(s.log.Handler(), slog.LevelError)}))
	r.PathPrefix("/").HandlerFunc(s.invoke)
	r.NotFoundHandler = http.HandlerFunc(s.invoke) // paths not starting with "/", e.g. "*"
	s.router = r
	return s
}

// NewLogger returns the runtime's JSON logger: lower-case levels and ISO
// 8601 UTC times with milliseconds, as the other runtimes write them.
func NewLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{
		ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) > 0 {
				return a
			}
			switch a.Key {
			case slog.TimeKey:
				return slog.String(slog.TimeKey, a.Value.Time().UTC().Format("2006-01-02T15:04:05.000Z"))
			case slog.LevelKey:
				return slog.String(slog.LevelKey, strings.ToLower(a.Value.String()))
			}
			return a
		},
	}))
}

// Logger returns the server's logger.
func (s *Server) Logger() *slog.Logger { return s.log }

// FlushLogs waits until the log lines logged so far are written out.
func (s *Server) FlushLogs() { s.flush() }

// SetHandler loads the function; the server is ready if h has an accepted
// shape, and otherwise not ready with the reason, which is also returned.
func (s *Server) SetHandler(h any) error {
	ad, err := adapt(h)
	if err != nil {
		s.SetNotReady(fmt.Sprintf("%s: %v", s.cfg.Handler, err))
		return err
	}
	s.state.Store(&loadState{h: ad, ready: true})
	s.log.Info("ready", "function", s.cfg.Name, "namespace", s.cfg.Namespace, "handler", s.cfg.Handler)
	return nil
}

// SetNotReady makes /ready answer 503 with reason, and invocations 503
// NotReady, and logs the reason as a load failure (level error).
func (s *Server) SetNotReady(reason string) {
	s.state.Store(&loadState{reason: reason})
	s.log.Error("function not loaded", "function", s.cfg.Name, "namespace", s.cfg.Namespace,
		"handler", s.cfg.Handler, "reason", reason)
}

// SetPending is SetNotReady for a passing state (such as building),
// logged at level info.
func (s *Server) SetPending(reason string) {
	s.state.Store(&loadState{reason: reason})
	s.log.Info("not ready", "function", s.cfg.Name, "namespace", s.cfg.Namespace, "reason", reason)
}

// ServeHTTP makes the server an http.Handler, for tests and embedding.
//
// gorilla/mux routes the probe and metrics endpoints; every other request
// is the invocation path and goes to the function directly, since a mux
// catch-all route would copy each request (and its context) twice for
// nothing — about 6% of an echo invocation's CPU time.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.URL.Path {
	case "/health", "/ready", "/metrics":
		s.router.ServeHTTP(w, r)
	default:
		s.invoke(w, r)
	}
}

func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, []byte(`{"status":"ok"}`))
}

func (s *Server) ready(w http.ResponseWriter, _ *http.Request) {
	st := s.state.Load()
	switch {
	case s.draining.Load():
		writeJSON(w, http.StatusServiceUnavailable, jsonObject("ready", false, "reason", "shutting down"))
	case st.ready:
		writeJSON(w, http.StatusOK, []byte(`{"ready":true}`))
	default:
		writeJSON(w, http.StatusServiceUnavailable, jsonObject("ready", false, "reason", st.reason))
	}
}

func writeJSON(w http.ResponseWriter, status int, b []byte) {
	w.Header().Set("Content-Type", contentTypeJSON)
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

func jsonObject(kv ...any) []byte {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	b, _ := marshalJSON(m)
	return b
}

// maxInvocationID is the longest x-invocation-id header taken as the id.
const maxInvocationID = 128

func errorAttr(typ, msg string) slog.Attr {
	return slog.Group("error", "type", typ, "message", msg)
}

// statusClientClosed is recorded (never sent) when the caller went away
// before the function answered.
const statusClientClosed = 499

// invoke runs the function for one request.
//
// The handler runs in the request's own goroutine. Its deadline is a
// context.AfterFunc: if the handler has not returned by then, that callback
// answers 504 (with connection: close) and flushes it; the handler keeps its
// goroutine — and its connection — until it returns, as Go cannot stop it.
// Exactly one of the two sides answers (answered), and the request
// goroutine waits for the callback before touching the ResponseWriter.
func (s *Server) invoke(w http.ResponseWriter, r *http.Request) {
	inv := &call{s: s, w: w, r: r, start: time.Now()}
	id := r.Header.Get("X-Invocation-Id")
	if id == "" || len(id) > maxInvocationID {
		id = newUUID()
	}
	inv.id = id
	w.Header().Set("X-Invocation-Id", id)

	st := s.state.Load()
	if !st.ready {
		inv.fail(http.StatusServiceUnavailable, TypeNotReady, "the function is not ready: "+st.reason)
		return
	}
	if !s.invoked.Load() && s.invoked.CompareAndSwap(false, true) {
		inv.cold = true
		s.metrics.coldStarts.Inc()
	}

	max := s.cfg.MaxBodyBytes
	var raw []byte
	var err error
	if r.ContentLength > max {
		err = errTooLarge
	} else {
		raw, err = readBody(r.Body, r.ContentLength, max)
	}
	if errors.Is(err, errTooLarge) {
		s.discardBody(w, r)
		inv.fail(http.StatusRequestEntityTooLarge, TypeTooLarge, fmt.Sprintf("the request body is larger than the limit of %d bytes", max))
		return
	} else if err != nil {
		inv.fail(http.StatusBadRequest, TypeBadRequest, "could not read the request body: "+err.Error())
		return
	}

	var ev Event
	if st.h.http == nil {
		if ev, err = newEvent(r, raw); err != nil {
			inv.fail(http.StatusBadRequest, TypeBadRequest, err.Error())
			return
		}
	}

	ctx, cancel := context.WithDeadline(r.Context(), inv.start.Add(s.cfg.Timeout))
	defer cancel()
	ctx = WithInvocation(ctx, &Invocation{
		FunctionName: s.cfg.Name,
		Namespace:    s.cfg.Namespace,
		InvocationID: id,
		Deadline:     inv.start.Add(s.cfg.Timeout),
		Logger:       s.invocationLogger(id),
	})

	var bw *bufferedWriter
	if st.h.http != nil {
		bw = &bufferedWriter{header: http.Header{}}
	}
	timedOut := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(timedOut)
		if r.Context().Err() != nil {
			return // the caller went away; the handler's return records it
		}
		if bw != nil {
			bw.stop()
		}
		inv.answer(func() (int, []any) {
			w.Header().Set("Connection", "close") // this connection stays busy until the handler returns
			writeError(w, http.StatusGatewayTimeout, TypeTimeout, s.timeoutMessage())
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			s.abandon(r)
			return http.StatusGatewayTimeout, []any{errorAttr(TypeTimeout, s.timeoutMessage())}
		})
	})

	var o outcome
	if bw != nil {
		r2 := r.WithContext(ctx)
		r2.Body = io.NopCloser(bytes.NewReader(raw))
		r2.ContentLength = int64(len(raw))
		o = runHTTP(st.h.http, bw, r2)
	} else {
		o = runEvent(st.h.event, ctx, ev)
	}
	if !stop() {
		<-timedOut // the deadline passed: wait for the callback to answer (or not)
	}
	inv.answer(func() (int, []any) {
		switch {
		case r.Context().Err() != nil:
			return statusClientClosed, nil
		case o.panicked:
			writeError(w, http.StatusInternalServerError, TypePanic, o.panicMsg)
			return http.StatusInternalServerError, []any{errorAttr(TypePanic, o.panicMsg), "stack", o.stack}
		case ctx.Err() == context.DeadlineExceeded:
			writeError(w, http.StatusGatewayTimeout, TypeTimeout, s.timeoutMessage())
			return http.StatusGatewayTimeout, []any{errorAttr(TypeTimeout, s.timeoutMessage())}
		case bw != nil:
			return bw.copyTo(w), nil
		case o.err != nil:
			typ, msg := ErrorType(o.err), o.err.Error()
			writeError(w, http.StatusInternalServerError, typ, msg)
			return http.StatusInternalServerError, []any{errorAttr(typ, msg)}
		}
		out, err := render(o.value)
		if err != nil {
			writeError(w, http.StatusInternalServerError, TypeSerialization, err.Error())
			return http.StatusInternalServerError, []any{errorAttr(TypeSerialization, err.Error())}
		}
		out.write(w)
		return out.status, nil
	})
}

// call is one invocation's bookkeeping.
type call struct {
	s        *Server
	w        http.ResponseWriter
	r        *http.Request
	start    time.Time
	id       string
	cold     bool
	answered atomic.Bool
}

// answer runs write (which sends the response and returns the status and
// log attributes) unless the invocation has been answered already, then
// records the invocation: metrics and its log line.
func (c *call) answer(write func() (int, []any)) {
	if !c.answered.CompareAndSwap(false, true) {
		return
	}
	status, errAttrs := write()
	s, d := c.s, time.Since(c.start)
	s.metrics.invocation(status)
	s.metrics.duration.Observe(d.Seconds())
	durationMs := math.Round(float64(d.Microseconds())) / 1000
	if len(errAttrs) == 0 {
		s.logInvocation(c.id, c.r.Method, c.r.URL.Path, status, durationMs, c.cold)
		return
	}
	level := slog.LevelInfo
	if status >= 500 {
		level = slog.LevelError
	}
	attrs := append([]any{
		"invocationId", c.id,
		"function", s.cfg.Name,
		"namespace", s.cfg.Namespace,
		"method", c.r.Method,
		"path", c.r.URL.Path,
		"status", status,
		"durationMs", durationMs,
		"coldStart", c.cold,
	}, errAttrs...)
	s.log.Log(context.Background(), level, "invocation", attrs...)
}

// fail answers with the contract's error body.
func (c *call) fail(code int, typ, msg string) {
	c.answer(func() (int, []any) {
		writeError(c.w, code, typ, msg)
		return code, []any{errorAttr(typ, msg)}
	})
}

func (s *Server) timeoutMessage() string {
	return fmt.Sprintf("the function did not finish within its timeout of %s", s.cfg.Timeout)
}

type outcome struct {
	value    any
	err      error
	panicked bool
	panicMsg string
	stack    string
}

func runEvent(h HandlerFunc, ctx context.Context, ev Event) (o outcome) {
	defer recoverOutcome(&o)
	o.value, o.err = h(ctx, ev)
	return o
}

func runHTTP(h http.Handler, w http.ResponseWriter, r *http.Request) (o outcome) {
	defer recoverOutcome(&o)
	h.ServeHTTP(w, r)
	return o
}

func recoverOutcome(o *outcome) {
	if p := recover(); p != nil {
		*o = outcome{panicked: true, panicMsg: panicMessage(p), stack: string(debug.Stack())}
	}
}

func panicMessage(p any) string {
	if err, ok := p.(error); ok {
		return err.Error()
	}
	return fmt.Sprint(p)
}

var errTooLarge = errors.New("request body too large")

// maxDiscard is how much of an oversized body the runtime reads and drops
// so that the client, still sending, gets the 413 instead of a reset
// connection. Beyond it the connection is closed after the answer.
const maxDiscard = 16 << 20

func (s *Server) discardBody(w http.ResponseWriter, r *http.Request) {
	if r.ContentLength > s.cfg.MaxBodyBytes+maxDiscard {
		w.Header().Set("Connection", "close")
		return
	}
	n, _ := io.CopyN(io.Discard, r.Body, maxDiscard+1)
	if n > maxDiscard {
		w.Header().Set("Connection", "close")
	}
}

// readBody reads at most max bytes; more is errTooLarge. A body of known
// length (within max) is read into a buffer of exactly that size.
func readBody(body io.Reader, length, max int64) ([]byte, error) {
	if body == nil || body == http.NoBody || length == 0 {
		return nil, nil
	}
	if length > 0 {
		b := make([]byte, length)
		if _, err := io.ReadFull(body, b); err != nil {
			return nil, err
		}
		return b, nil // net/http stops a body at its Content-Length
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(body, max+1))
	if err != nil {
		return nil, err
	}
	if n > max {
		return nil, errTooLarge
	}
	return buf.Bytes(), nil
}

// bufferedWriter collects a net/http handler's response.
type bufferedWriter struct {
	mu      sync.Mutex
	header  http.Header
	buf     bytes.Buffer
	code    int
	stopped bool
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.code == 0 && !b.stopped {
		b.code = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.stopped {
		return 0, http.ErrHandlerTimeout
	}
	if b.code == 0 {
		b.code = http.StatusOK
	}
	return b.buf.Write(p)
}

func (b *bufferedWriter) stop() {
	b.mu.Lock()
	b.stopped = true
	b.mu.Unlock()
}

// copyTo sends the collected response and returns its status.
func (b *bufferedWriter) copyTo(w http.ResponseWriter) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.stopped = true
	dst := w.Header()
	for k, vs := range b.header {
		if strings.EqualFold(k, "X-Invocation-Id") || strings.EqualFold(k, "Content-Length") {
			continue
		}
		dst[k] = vs
	}
	code := b.code
	if code == 0 {
		code = http.StatusOK
	}
	if code != http.StatusNoContent && code != http.StatusNotModified {
		dst.Set("Content-Length", strconv.Itoa(b.buf.Len()))
	}
	w.WriteHeader(code)
	_, _ = w.Write(b.buf.Bytes())
	return code
}

// Connections are tracked so that shutdown need not wait for the
// connections of handlers that timed out and never returned: their answer
// (504) has been sent, but their goroutine still holds the connection.
type connKey struct{}

type connInfo struct {
	active    bool // a request is being handled
	abandoned bool // its handler timed out; the answer was sent
}

func (s *Server) connState(c net.Conn, st http.ConnState) {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	switch st {
	case http.StateNew:
		s.conns[c] = &connInfo{active: true} // a request is expected
	case http.StateActive, http.StateIdle:
		if ci := s.conns[c]; ci != nil {
			ci.active = st == http.StateActive
		}
	case http.StateHijacked, http.StateClosed:
		delete(s.conns, c)
	}
}

// abandon marks the request's connection as held by a timed-out handler.
func (s *Server) abandon(r *http.Request) {
	c, _ := r.Context().Value(connKey{}).(net.Conn)
	s.connMu.Lock()
	defer s.connMu.Unlock()
	if ci := s.conns[c]; ci != nil {
		ci.abandoned = true
	}
}

// onlyAbandonedActive reports whether every connection still handling a
// request belongs to a timed-out handler.
func (s *Server) onlyAbandonedActive() bool {
	s.connMu.Lock()
	defer s.connMu.Unlock()
	for _, ci := range s.conns {
		if ci.active && !ci.abandoned {
			return false
		}
	}
	return true
}

// Listen opens the server's socket: the one inherited from the launcher
// (whose fd is in KUBE_SERVERLESS_LISTEN_FD) or a new one on HOST:PORT.
func Listen(cfg Config) (net.Listener, error) {
	if v := os.Getenv(listenFDEnv); v != "" {
		_ = os.Unsetenv(listenFDEnv)
		fd, err := strconv.Atoi(v)
		if err != nil || fd < 3 {
			return nil, fmt.Errorf("%s=%q: not a file descriptor", listenFDEnv, v)
		}
		f := os.NewFile(uintptr(fd), "listener")
		defer f.Close()
		ln, err := net.FileListener(f)
		if err != nil {
			return nil, fmt.Errorf("inherited listener (fd %d): %w", fd, err)
		}
		return ln, nil
	}
	return net.Listen("tcp", net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port)))
}

// Serve serves on ln until ctx is done, then shuts down gracefully: the
// listener closes at once, /ready answers 503 on open connections, and
// in-flight invocations finish (for up to the function timeout plus a
// margin) before Serve returns.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	return s.serve(ctx, ln, nil)
}

func (s *Server) serve(ctx context.Context, ln net.Listener, afterListening func()) error {
	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		ConnState:         s.connState,
		ConnContext: func(ctx context.Context, c net.Conn) context.Context {
			return context.WithValue(ctx, connKey{}, c)
		},
	}
	if s.opts.CloseConnections {
		srv.SetKeepAlivesEnabled(false)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	host, port := ln.Addr().String(), 0
	if a, ok := ln.Addr().(*net.TCPAddr); ok {
		host, port = a.IP.String(), a.Port
	}
	s.log.Info("listening", "host", host, "port", port, "function", s.cfg.Name, "namespace", s.cfg.Namespace,
		"handler", s.cfg.Handler, "runtime", "go", "runtimeVersion", Version, "goVersion", goruntime.Version())
	if afterListening != nil {
		afterListening()
	}
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.draining.Store(true)
	s.log.Info("shutting down", "reason", context.Cause(ctx).Error())
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout+defaultShutdownMargin)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(sctx) }()
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
wait:
	for {
		select {
		case err := <-done:
			if err != nil {
				s.log.Warn("shutdown did not finish in time; closing the remaining connections", "error", err.Error())
				_ = srv.Close()
			}
			break wait
		case <-tick.C:
			// Every in-flight invocation has been answered; what remains are
			// handlers that ignored their timeout. Do not wait for them.
			if s.onlyAbandonedActive() {
				_ = srv.Close()
				<-done
				break wait
			}
		}
	}
	s.log.Info("stopped")
	s.flush()
	return nil
}

// ErrSignal is the cause of the context NotifyShutdown returns.
var ErrSignal = errors.New("received a termination signal")

// NotifyShutdown returns a context cancelled on SIGTERM or SIGINT.
func NotifyShutdown(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		select {
		case sig := <-ch:
			// Further signals stay caught (and dropped): a second SIGTERM
			// must not kill the process while it drains.
			cancel(fmt.Errorf("%w: %s", ErrSignal, sig))
		case <-ctx.Done():
			signal.Stop(ch)
		}
	}()
	return ctx, func() { cancel(context.Canceled) }
}

// Main runs a function: the generated program's whole main is
// runtime.Main(handler). It reads the configuration from the environment,
// serves until SIGTERM, and exits 0 after draining.
func Main(h any) {
	os.Exit(run(func(s *Server) { _ = s.SetHandler(h) }, nil))
}

// ServeNotReady serves /health, /metrics and a 503 /ready with reason,
// for a function that could not be loaded, until SIGTERM; it returns the
// exit code.
func ServeNotReady(reason string) int {
	return run(nil, func(s *Server) { s.SetNotReady(reason) })
}

// run serves until SIGTERM; before runs before listening, load after.
func run(load, before func(*Server)) int {
	cfg := ConfigFromEnv()
	s := NewServer(cfg, Options{})
	if before != nil {
		before(s)
	}
	defer s.flush()
	ln, err := Listen(cfg)
	if err != nil {
		s.log.Error("cannot listen", "error", err.Error())
		return 1
	}
	ctx, cancel := NotifyShutdown(context.Background())
	defer cancel()
	after := func() {}
	if load != nil {
		after = func() { load(s) }
	}
	if err := s.serve(ctx, ln, after); err != nil {
		s.log.Error("server failed", "error", err.Error())
		return 1
	}
	return 0
}

// invocationLogger is the handler's logger: the server's, adding
// invocationId, function and namespace to each record. The attributes are
// added when a record is logged rather than formatted up front, so an
// invocation that does not log pays almost nothing.
func (s *Server) invocationLogger(id string) *slog.Logger {
	return slog.New(&invocationHandler{Handler: s.log.Handler(), attrs: [3]slog.Attr{
		slog.String("invocationId", id), slog.String("function", s.cfg.Name), slog.String("namespace", s.cfg.Namespace),
	}})
}

type invocationHandler struct {
	slog.Handler
	attrs [3]slog.Attr
}

func (h *invocationHandler) Handle(ctx context.Context, r slog.Record) error {
	r2 := slog.NewRecord(r.Time, r.Level, r.Message, r.PC)
	r2.AddAttrs(h.attrs[:]...)
	r.Attrs(func(a slog.Attr) bool {
		r2.AddAttrs(a)
		return true
	})
	return h.Handler.Handle(ctx, r2)
}

func (h *invocationHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return h.Handler.WithAttrs(h.attrs[:]).WithAttrs(as)
}

func (h *invocationHandler) WithGroup(name string) slog.Handler {
	return h.Handler.WithAttrs(h.attrs[:]).WithGroup(name)
}
