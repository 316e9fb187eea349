"""The runtime's invocation metrics render exactly as prometheus_client's own Counter and Histogram would."""

from __future__ import annotations

import prometheus_client
from prometheus_client import CollectorRegistry, Counter, Histogram

from kube_serverless_runtime.metrics import DURATION_BUCKETS, DURATION_HELP, INVOCATIONS_HELP, FunctionMetrics

OBSERVATIONS = [(200, 0.0004), (200, 0.005), (500, 0.0051), (200, 0.3), (504, 61.0), (200, 60.0), (413, 0.0)]


def stock_registry() -> tuple[CollectorRegistry, object]:
    registry = CollectorRegistry()
    labels = {"function": 'fn "q"', "namespace": "ns"}
    invocations = Counter("function_invocations_total", INVOCATIONS_HELP, ["function", "namespace", "code"],
                          registry=registry)
    duration = Histogram("function_duration_seconds", DURATION_HELP, ["function", "namespace"],
                         buckets=DURATION_BUCKETS, registry=registry).labels(**labels)
    cold = Counter("function_cold_starts_total", "Invocations that were the first of a fresh runtime process (0 or 1).",
                   ["function", "namespace"], registry=registry).labels(**labels)

    def observe(code: int, seconds: float, cold_start: bool) -> None:
        invocations.labels(code=str(code), **labels).inc()
        duration.observe(seconds)
        if cold_start:
            cold.inc()

    return registry, observe


def test_same_text_as_prometheus_client_metrics() -> None:
    registry, observe = stock_registry()
    ours = FunctionMetrics('fn "q"', "ns", CollectorRegistry())
    assert ours.render() == prometheus_client.generate_latest(registry)
    for i, (code, seconds) in enumerate(OBSERVATIONS):
        observe(code, seconds, i == 0)  # type: ignore[operator]
        ours.observe(code, seconds, i == 0)
    text = ours.render()
    assert text == prometheus_client.generate_latest(registry)
    assert b'function_duration_seconds_bucket{function="fn \\"q\\"",le="0.005",namespace="ns"} 3.0' in text
