"""Prometheus metrics of the function, on the default registry (with process, platform and GC metrics).

The two metrics updated on every invocation are plain numbers behind one lock, exposed by a custom
collector: prometheus_client's own Counter and Histogram take a lock per value and search the
buckets in Python on every update, a measurable part of an invocation's cost (ADR 0203). The text
they produce is the same (tests/test_metrics.py compares it with prometheus_client's own metrics).
"""

from __future__ import annotations

import bisect
import threading
from typing import Iterator

import prometheus_client
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import CounterMetricFamily, HistogramMetricFamily, Metric
from prometheus_client.registry import Collector
from prometheus_client.utils import floatToGoString

# The same buckets in every runtime (docs/runtime-contract.md §2).
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

# No *_created series: they double the output and no dashboard of ours reads them.
prometheus_client.disable_created_metrics()

INVOCATIONS_HELP = "Invocations of the function, by HTTP status code of the response."
DURATION_HELP = "Time from request received to response sent, invocation path only, in seconds."


class InvocationCollector(Collector):
    """function_invocations_total (by code) and function_duration_seconds for one function."""

    def __init__(self, function: str, namespace: str) -> None:
        self._label_values = [function, namespace]
        self._lock = threading.Lock()
        self._by_code: dict[int, int] = {}
        # per bucket, not cumulative; the last slot counts values above the largest bound (+Inf)
        self._buckets = [0] * (len(DURATION_BUCKETS) + 1)
        self._sum = 0.0
        self._count = 0
        self._bucket_names = [floatToGoString(b) for b in DURATION_BUCKETS] + ["+Inf"]

    def observe(self, code: int, seconds: float) -> None:
        slot = bisect.bisect_left(DURATION_BUCKETS, seconds)  # the first bound >= seconds, as le means
        with self._lock:
            self._by_code[code] = self._by_code.get(code, 0) + 1
            self._buckets[slot] += 1
            self._sum += seconds
            self._count += 1

    def collect(self) -> Iterator[Metric]:
        with self._lock:
            by_code = list(self._by_code.items())
            buckets, total, count = list(self._buckets), self._sum, self._count
        invocations = CounterMetricFamily("function_invocations_total", INVOCATIONS_HELP,
                                          labels=["function", "namespace", "code"])
        for code, n in by_code:
            invocations.add_metric([*self._label_values, str(code)], float(n))
        yield invocations
        duration = HistogramMetricFamily("function_duration_seconds", DURATION_HELP, labels=["function", "namespace"])
        cumulative, points = 0, []
        for name, n in zip(self._bucket_names, buckets):
            cumulative += n
            points.append((name, float(cumulative)))
        duration.add_metric(self._label_values, points, total)  # exported (as zeros) from the start
        yield duration


class FunctionMetrics:
    def __init__(self, function: str, namespace: str, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else prometheus_client.REGISTRY
        self._invocations = InvocationCollector(function, namespace)
        self.registry.register(self._invocations)
        self.cold_starts = Counter(
            "function_cold_starts_total",
            "Invocations that were the first of a fresh runtime process (0 or 1).",
            ["function", "namespace"],
            registry=self.registry,
        )
        self._cold = self.cold_starts.labels(function=function, namespace=namespace)  # 0 until the first invocation

    def observe(self, code: int, seconds: float, cold_start: bool) -> None:
        self._invocations.observe(code, seconds)
        if cold_start:
            self._cold.inc()

    def render(self) -> bytes:
        return prometheus_client.generate_latest(self.registry)


# The classic text format (0.0.4): every Prometheus version reads it; our names need no escaping.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
