"""Where handlers run: a growing pool of daemon threads (sync) and one event loop thread (async).

The request thread hands the call over and waits on a future with the invocation's remaining time,
so it can answer 504 at the deadline even when the handler never returns. A sync handler cannot be
interrupted in Python; its thread keeps running until the handler gives up. The threads are daemons,
so a stuck handler never keeps the process from exiting after a graceful shutdown. Coroutines run
on a single asyncio loop in its own thread; on timeout their task is cancelled.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import queue
import threading
from typing import Any, Callable, Coroutine

_IDLE_SECONDS = 60.0


class HandlerPool:
    """A cached thread pool: reuses an idle thread or starts a new one, up to max_threads.

    Unlike concurrent.futures.ThreadPoolExecutor its threads are daemons (not joined at exit), and
    it always has a thread for a new call while below max_threads even when earlier calls are stuck.
    Idle threads exit after a minute.
    """

    def __init__(self, max_threads: int = 1024, name: str = "handler") -> None:
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._idle = 0
        self._threads = 0
        self._max = max_threads
        self._name = name

    @property
    def threads(self) -> int:
        return self._threads

    def submit(self, fn: Callable[..., Any], *args: Any) -> concurrent.futures.Future[Any]:
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()
        ctx = contextvars.copy_context()
        with self._lock:
            self._queue.put((future, ctx, fn, args))
            if self._idle > 0:
                self._idle -= 1  # that thread will take the item
                return future
            if self._threads >= self._max:
                return future  # queued until a thread frees up
            self._threads += 1
            n = self._threads
        threading.Thread(target=self._work, name=f"{self._name}-{n}", daemon=True).start()
        return future

    def _work(self) -> None:
        while True:
            try:
                item = self._queue.get(timeout=_IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    # Only leave if nobody counted on this thread in the meantime.
                    if self._idle > 0 and self._queue.empty():
                        self._idle -= 1
                        self._threads -= 1
                        return
                continue
            future, ctx, fn, args = item
            if future.set_running_or_notify_cancel():
                try:
                    result = ctx.run(fn, *args)
                except BaseException as exc:  # noqa: BLE001 - reported to the waiting request
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            del item, future, ctx, fn, args
            with self._lock:
                self._idle += 1


class AsyncRunner:
    """One asyncio event loop in a daemon thread, started on first use."""

    def __init__(self) -> None:
        self._loop: asyncio.AbstractEventLoop | None = None
        self._lock = threading.Lock()

    def _ensure_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._loop is None:
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

    def submit(self, coro: Coroutine[Any, Any, Any]) -> concurrent.futures.Future[Any]:
        """Schedule coro (carrying the caller's context variables) and return a thread-safe future."""
        loop = self._ensure_loop()
        ctx = contextvars.copy_context()
        future: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def start() -> None:
            task = loop.create_task(coro, context=ctx)

            def done(t: asyncio.Task[Any]) -> None:
                try:
                    if t.cancelled():
                        future.cancel()
                    elif (exc := t.exception()) is not None:
                        future.set_exception(exc)
                    else:
                        future.set_result(t.result())
                except concurrent.futures.InvalidStateError:
                    pass  # the waiting request gave up (timeout) and cancelled the future

            task.add_done_callback(done)
            future.add_done_callback(lambda f: loop.call_soon_threadsafe(task.cancel) if f.cancelled() else None)

        loop.call_soon_threadsafe(start)
        return future
