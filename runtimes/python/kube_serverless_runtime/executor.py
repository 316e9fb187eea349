"""Where handlers run, and how an invocation gets its 504 at the deadline (ADR 0201).

- Watchdog + GrowingThreadPool (under gunicorn): a sync handler runs on the request thread; the
  watchdog answers 504 at the deadline if the handler has not returned, and gunicorn's request pool
  grows by one thread for each thread so abandoned.
- HandlerPool (elsewhere): the request thread hands the call to a pool of daemon threads and waits
  with the remaining time, answering 504 itself when it runs out.
- AsyncRunner: coroutines run on one asyncio loop in its own thread; at the deadline they are cancelled.

A sync handler cannot be interrupted in Python; its thread keeps running until the handler gives up.
All these threads are daemons, so a stuck handler never keeps the process from exiting after a
graceful shutdown.
"""

from __future__ import annotations

import concurrent.futures
import contextvars
import queue
import threading
from typing import TYPE_CHECKING, Any, Callable, Coroutine

if TYPE_CHECKING:  # asyncio costs ~10 % of the start-up; imported when an async handler first runs
    import asyncio

_IDLE_SECONDS = 60.0


class CallTimeout(Exception):
    """Call.wait() gave up: the call is not done (distinct from a TimeoutError the handler raises)."""


class Call:
    """One call handed to the pool. Cheaper than a concurrent.futures.Future: a plain lock, held
    until the call is done, is all the waiting side needs."""

    __slots__ = ("fn", "args", "ctx", "result", "exc", "_done")

    def __init__(self, fn: Callable[..., Any], args: tuple[Any, ...]) -> None:
        self.fn = fn
        self.args = args
        self.ctx = contextvars.copy_context()
        self.result: Any = None
        self.exc: BaseException | None = None
        self._done = threading.Lock()
        self._done.acquire()

    def run(self) -> None:
        try:
            self.result = self.ctx.run(self.fn, *self.args)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting request
            self.exc = exc
        finally:
            self.fn = self.args = self.ctx = None  # type: ignore[assignment]
            self._done.release()

    def wait(self, timeout: float) -> Any:
        """The call's result (or its exception raised); CallTimeout when not done within timeout."""
        if not self._done.acquire(timeout=max(0.0, timeout)):
            raise CallTimeout
        if self.exc is not None:
            exc, self.exc = self.exc, None
            raise exc
        return self.result


class HandlerPool:
    """A cached thread pool: reuses an idle thread or starts a new one, up to max_threads.

    Unlike concurrent.futures.ThreadPoolExecutor its threads are daemons (not joined at exit), and
    it always has a thread for a new call while below max_threads even when earlier calls are stuck.
    Idle threads exit after a minute.
    """

    def __init__(self, max_threads: int = 1024, name: str = "handler") -> None:
        self._queue: queue.SimpleQueue[Call] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._waiting = 0  # threads blocked waiting for a call
        self._threads = 0
        self._max = max_threads
        self._name = name

    @property
    def threads(self) -> int:
        return self._threads

    def submit(self, fn: Callable[..., Any], *args: Any) -> Call:
        call = Call(fn, args)
        with self._lock:
            self._queue.put(call)
            # More calls queued than threads waiting for one: start a thread (up to the limit).
            if self._queue.qsize() > self._waiting and self._threads < self._max:
                self._threads += 1
                n = self._threads
            else:
                return call
        threading.Thread(target=self._work, name=f"{self._name}-{n}", daemon=True).start()
        return call

    def _work(self) -> None:
        while True:
            with self._lock:
                self._waiting += 1
            try:
                call = self._queue.get(timeout=_IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    self._waiting -= 1
                    if self._queue.empty():
                        self._threads -= 1
                        return
                continue
            with self._lock:
                self._waiting -= 1
            call.run()
            del call


class AsyncCall(Call):
    """A coroutine running on the AsyncRunner's loop, waited for like a Call."""

    __slots__ = ("_loop", "_task")

    def __init__(self, loop: "asyncio.AbstractEventLoop") -> None:
        super().__init__(_noop, ())
        self._loop = loop
        self._task: "asyncio.Task[Any] | None" = None

    def _finished(self, task: "asyncio.Task[Any]") -> None:
        if task.cancelled():
            import asyncio

            self.exc = asyncio.CancelledError()
        else:
            self.exc = task.exception()
            if self.exc is None:
                self.result = task.result()
        self.fn = self.args = self.ctx = None  # type: ignore[assignment]
        self._done.release()

    def cancel(self) -> None:
        """Cancel the task (from any thread); it sees CancelledError at its next await."""
        task = self._task
        if task is not None:
            self._loop.call_soon_threadsafe(task.cancel)


def _noop() -> None:
    return None


class AsyncRunner:
    """One asyncio event loop in a daemon thread, started on first use."""

    def __init__(self) -> None:
        self._loop: "asyncio.AbstractEventLoop | None" = None
        self._lock = threading.Lock()

    def _ensure_loop(self) -> "asyncio.AbstractEventLoop":
        with self._lock:
            if self._loop is None:
                import asyncio

                loop = asyncio.new_event_loop()
                started = threading.Event()

                def run() -> None:
                    asyncio.set_event_loop(loop)
                    loop.call_soon(started.set)
                    loop.run_forever()

                threading.Thread(target=run, name="handler-asyncio", daemon=True).start()
                started.wait()
                self._loop = loop
            return self._loop

    def submit(self, coro: Coroutine[Any, Any, Any]) -> AsyncCall:
        """Schedule coro on the loop, carrying the caller's context variables."""
        loop = self._ensure_loop()
        call = AsyncCall(loop)
        ctx = call.ctx

        def start() -> None:
            call._task = loop.create_task(coro, context=ctx)
            call._task.add_done_callback(call._finished)

        loop.call_soon_threadsafe(start)
        return call


class Guard:
    """One watched invocation: exactly one of the request thread (claim after the handler returned)
    and the watchdog (claim at the deadline) wins it."""

    __slots__ = ("deadline", "on_expire", "_token", "_expired")

    def __init__(self, deadline: float, on_expire: Callable[[], None]) -> None:
        self.deadline = deadline
        self.on_expire = on_expire
        self._token = threading.Lock()
        self._expired: threading.Event | None = None

    def claim(self) -> bool:
        return self._token.acquire(blocking=False)

    def wait_expired(self, timeout: float = 10.0) -> None:
        """For the request thread that lost the claim: wait until on_expire has run (the 504 is out),
        so that nothing it does next can reach the socket first."""
        event = self._expired
        if event is not None:
            event.wait(timeout)


class Watchdog:
    """Calls a guard's on_expire at its deadline unless the request thread claimed it first.

    One thread for the process. It sleeps until the earliest live deadline, or for idle_seconds when
    nothing is watched. With one timeout for every invocation a new deadline is never earlier than
    the planned wake-up, so watch() and release() cost a lock and a dict operation and never wake
    the thread on the request path.
    """

    def __init__(self, idle_seconds: float) -> None:
        self._idle = max(0.05, idle_seconds)
        self._cond = threading.Condition(threading.Lock())
        self._live: dict[int, Guard] = {}
        self._wake_at = float("inf")
        self._thread: threading.Thread | None = None

    def watch(self, deadline: float, on_expire: Callable[[], None]) -> Guard:
        guard = Guard(deadline, on_expire)
        with self._cond:
            self._live[id(guard)] = guard
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="invocation-watchdog", daemon=True)
                self._thread.start()
            elif deadline < self._wake_at:
                self._cond.notify()
        return guard

    def release(self, guard: Guard) -> bool:
        """The request thread is done with the handler: True if it still owns the response."""
        with self._cond:
            self._live.pop(id(guard), None)
        return guard.claim()

    @property
    def watched(self) -> int:
        return len(self._live)

    def _run(self) -> None:
        import time

        cond = self._cond
        while True:
            with cond:
                now = time.monotonic()
                expired = [g for g in self._live.values() if g.deadline <= now]
                for g in expired:
                    del self._live[id(g)]
                if not expired:
                    self._wake_at = min((g.deadline for g in self._live.values()), default=now + self._idle)
                    cond.wait(max(0.0, self._wake_at - now))
                    continue
            for g in expired:
                g._expired = threading.Event()  # before the claim: a loser always finds it
                if g.claim():
                    try:
                        g.on_expire()
                    except Exception:  # noqa: BLE001 - never let one answer stop the watchdog
                        pass
                g._expired.set()


class GrowingThreadPool(concurrent.futures.Executor):
    """gunicorn's request threads (ThreadWorker.get_thread_pool): up to `threads` of them, plus one
    more for every request thread abandoned to a handler that overran its timeout, so hung handlers
    never starve the server of threads. Daemon threads: an abandoned one never blocks the exit."""

    def __init__(self, threads: int) -> None:
        self._base = threads
        self._extra = 0
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._waiting = 0
        self._threads = 0
        self._shutdown = False

    @property
    def threads(self) -> int:
        return self._threads

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        with self._lock:
            if self._shutdown:
                raise RuntimeError("cannot schedule new futures after shutdown")
            self._queue.put((future, fn, args, kwargs))
            self._grow()
        return future

    def _grow(self) -> None:  # with self._lock held
        if self._queue.qsize() > self._waiting and self._threads < self._base + self._extra:
            self._threads += 1
            threading.Thread(target=self._work, name=f"request-{self._threads}", daemon=True).start()

    def abandon(self) -> None:
        """A request thread is stuck in a handler past its deadline: allow one more thread."""
        with self._lock:
            self._extra += 1
            self._grow()

    def reclaim(self) -> None:
        """The abandoned handler returned after all: its thread is an ordinary one again."""
        with self._lock:
            self._extra -= 1

    def _work(self) -> None:
        while True:
            with self._lock:
                if self._threads > self._base + self._extra:
                    self._threads -= 1  # the limit went down (a reclaim): one thread leaves
                    return
                self._waiting += 1
            item = self._queue.get()
            with self._lock:
                self._waiting -= 1
            if item is None:
                return
            future, fn, args, kwargs = item
            if future.set_running_or_notify_cancel():
                try:
                    result = fn(*args, **kwargs)
                except BaseException as exc:  # noqa: BLE001 - reported through the future
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            del item, future, fn, args, kwargs

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        with self._lock:
            self._shutdown = True
            if cancel_futures:
                while True:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is not None:
                        item[0].cancel()
            for _ in range(self._threads):
                self._queue.put(None)
