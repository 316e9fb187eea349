"""Where handlers run: a growing pool of daemon threads (sync) and one event loop thread (async).

The request thread hands the call over and waits on a future with the invocation's remaining time,
so it can answer 504 at the deadline even when the handler never returns. A sync handler cannot be
interrupted in Python; its thread keeps running until the handler gives up. The threads are daemons,
so a stuck handler never keeps the process from exiting after a graceful shutdown. Coroutines run
on a single asyncio loop in its own thread; on timeout their task is cancelled.
"""

from __future__ import annotations

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
        self._idle = 0
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
            if self._idle > 0:
                self._idle -= 1  # that thread will take the call
                return call
            if self._threads >= self._max:
                return call  # queued until a thread frees up
            self._threads += 1
            n = self._threads
        threading.Thread(target=self._work, name=f"{self._name}-{n}", daemon=True).start()
        return call

    def _work(self) -> None:
        while True:
            try:
                call = self._queue.get(timeout=_IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    # Only leave if nobody counted on this thread in the meantime.
                    if self._idle > 0 and self._queue.empty():
                        self._idle -= 1
                        self._threads -= 1
                        return
                continue
            call.run()
            del call
            with self._lock:
                self._idle += 1


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
