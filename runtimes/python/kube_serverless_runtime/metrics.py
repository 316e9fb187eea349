"""Prometheus metrics of the function, on the default registry (with process, platform and GC metrics)."""

from __future__ import annotations

import threading

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Histogram

# The same buckets in every runtime (docs/runtime-contract.md §2).
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

# No *_created series: they double the output and no dashboard of ours reads them.
prometheus_client.disable_created_metrics()


class FunctionMetrics:
    def __init__(self, function: str, namespace: str, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry if registry is not None else prometheus_client.REGISTRY
        labels = {"function": function, "namespace": namespace}
        self._labels = labels
        self.invocations = Counter(
            "function_invocations_total",
            "Invocations of the function, by HTTP status code of the response.",
            ["function", "namespace", "code"],
            registry=self.registry,
        )
        self.duration = Histogram(
            "function_duration_seconds",
            "Time from request received to response sent, invocation path only, in seconds.",
            ["function", "namespace"],
            buckets=DURATION_BUCKETS,
            registry=self.registry,
        )
        self.cold_starts = Counter(
            "function_cold_starts_total",
            "Invocations that were the first of a fresh runtime process (0 or 1).",
            ["function", "namespace"],
            registry=self.registry,
        )
        self._duration = self.duration.labels(**labels)
        self._cold = self.cold_starts.labels(**labels)  # exported as 0 until the first invocation
        self._by_code: dict[int, Counter] = {}
        self._lock = threading.Lock()

    def observe(self, code: int, seconds: float, cold_start: bool) -> None:
        child = self._by_code.get(code)
        if child is None:
            with self._lock:
                child = self._by_code.setdefault(code, self.invocations.labels(code=str(code), **self._labels))
        child.inc()
        self._duration.observe(seconds)
        if cold_start:
            self._cold.inc()

    def render(self) -> bytes:
        return prometheus_client.generate_latest(self.registry)


# The classic text format (0.0.4): every Prometheus version reads it; our names need no escaping.
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
