"""The thread machinery behind timeouts: Watchdog, GrowingThreadPool, HandlerPool (ADR 0201)."""

from __future__ import annotations

import threading
import time

import pytest

from kube_serverless_runtime.executor import CallTimeout, GrowingThreadPool, HandlerPool, Watchdog


def test_watchdog_fires_in_deadline_order_and_not_after_release() -> None:
    w = Watchdog(idle_seconds=5)
    fired: list[str] = []
    t0 = time.monotonic()
    a = w.watch(t0 + 0.2, lambda: fired.append("a"))
    b = w.watch(t0 + 0.3, lambda: fired.append("b"))
    c = w.watch(t0 + 0.1, lambda: fired.append("c"))  # earlier than the planned wake-up: wakes it
    assert w.release(b) is True  # returned in time: b is ours, it never fires
    time.sleep(0.5)
    assert fired == ["c", "a"]
    assert w.release(a) is False and w.release(c) is False  # lost to the watchdog
    assert w.watched == 0


def test_watchdog_loser_waits_until_the_answer_is_out() -> None:
    w = Watchdog(idle_seconds=5)
    done = threading.Event()

    def slow_expire() -> None:
        time.sleep(0.2)
        done.set()

    g = w.watch(time.monotonic() + 0.05, slow_expire)
    time.sleep(0.1)  # the watchdog claimed it and is still "writing"
    assert w.release(g) is False
    g.wait_expired()
    assert done.is_set()


def test_watchdog_survives_a_failing_callback() -> None:
    w = Watchdog(idle_seconds=5)
    fired: list[int] = []
    w.watch(time.monotonic() + 0.05, lambda: 1 / 0)
    w.watch(time.monotonic() + 0.1, lambda: fired.append(1))
    time.sleep(0.3)
    assert fired == [1]


def test_growing_pool_replaces_abandoned_threads() -> None:
    pool = GrowingThreadPool(2)
    stuck = threading.Event()
    blocked = [pool.submit(stuck.wait) for _ in range(2)]
    third = pool.submit(lambda: "third")
    time.sleep(0.2)
    assert not third.done() and pool.threads == 2  # both threads busy: the third waits
    pool.abandon()
    assert third.result(2) == "third" and pool.threads == 3
    stuck.set()
    for f in blocked:
        f.result(2)
    pool.reclaim()
    assert [pool.submit(lambda i=i: i * i).result(2) for i in range(4)] == [0, 1, 4, 9]
    time.sleep(0.1)
    assert pool.threads == 2  # back to its size
    error = pool.submit(lambda: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        error.result(2)
    pool.shutdown(wait=False)
    with pytest.raises(RuntimeError):
        pool.submit(lambda: None)


def test_handler_pool_runs_calls_concurrently_and_times_out() -> None:
    pool = HandlerPool()
    started = time.monotonic()
    calls = [pool.submit(time.sleep, 0.3) for _ in range(8)]
    for call in calls:
        call.wait(3)
    assert time.monotonic() - started < 2
    with pytest.raises(CallTimeout):
        pool.submit(time.sleep, 1).wait(0.05)
    with pytest.raises(TimeoutError):  # the handler's own TimeoutError is not a CallTimeout
        pool.submit(lambda: (_ for _ in ()).throw(TimeoutError("mine"))).wait(1)
