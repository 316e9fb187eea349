"""JSON-lines logging on stdout: the invocation log, runtime messages and handler logs.

Every line is one JSON object with at least ``time``, ``level`` and ``msg``. Lines written while an
invocation runs (through ``context.logger`` or the standard ``logging`` module) carry its
``invocationId``, taken from a context variable that the runtime sets around the handler call.
"""

from __future__ import annotations

import atexit
import collections
import contextvars
import json
import logging
import sys
import threading
import time
import traceback
from datetime import datetime, timezone
from typing import Any

current_invocation: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "kube_serverless_invocation", default=None
)

# Re-entrant: a signal handler that logs may interrupt a write on the same thread.
_write_lock = threading.RLock()

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING, "error": logging.ERROR}


_second: tuple[int, str] = (-1, "")  # (whole second, its "YYYY-MM-DDTHH:MM:SS"), replaced atomically


def now_iso(now: float | None = None) -> str:
    """UTC time with milliseconds, e.g. 2025-01-02T03:04:05.678Z."""
    global _second
    now = time.time() if now is None else now
    sec = int(now)
    cached = _second
    if cached[0] != sec:
        cached = (sec, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(sec)))
        _second = cached
    return f"{cached[1]}.{int((now - sec) * 1000):03d}Z"


def emit(record: dict[str, Any]) -> None:
    """Write one JSON line to stdout and flush it (stdout is a pipe in a container)."""
    write_line(json.dumps(record, default=str, ensure_ascii=False, separators=(",", ":")))


def _write_now(text: str) -> None:
    """Write whole lines to stdout and flush them, not interleaved with other writes."""
    with _write_lock:
        try:
            sys.stdout.write(text)
            sys.stdout.flush()
        except (OSError, ValueError):  # stdout closed: nothing sensible left to do
            pass


class BatchedWriter:
    """Lines queued by any thread, written by one thread in batches a few milliseconds apart.

    A write to stdout releases the GIL; with dozens of request threads, a write and a lock per
    line meant a GIL hand-off and lock contention per invocation. Queuing is a deque append (no
    lock), and the writer is woken at most once per window (docs/decisions/0204).
    """

    def __init__(self, window_seconds: float) -> None:
        self._window = window_seconds
        self._lines: collections.deque[str] = collections.deque()
        self._wake = threading.Event()
        self._drain_lock = threading.RLock()
        self._thread = threading.Thread(target=self._run, name="log-writer", daemon=True)
        self._thread.start()

    def put(self, line: str) -> None:
        self._lines.append(line)
        if not self._wake.is_set():
            self._wake.set()

    def flush(self) -> None:
        """Write everything queued so far, in order, from the calling thread."""
        with self._drain_lock:
            batch = []
            try:
                while True:
                    batch.append(self._lines.popleft())
            except IndexError:
                pass
            if batch:
                _write_now("".join(batch))

    def _run(self) -> None:
        while True:
            self._wake.wait()
            time.sleep(self._window)
            self._wake.clear()  # before the drain: a line queued after it wakes the next round
            self.flush()


_batched: BatchedWriter | None = None


def start_batching(window_seconds: float = 0.005) -> None:
    """From now on lines are queued and written in batches (the server's request threads); call
    in the process that serves, after any fork. Queued lines are written at exit and by flush()."""
    global _batched
    if _batched is None:
        _batched = BatchedWriter(window_seconds)
        atexit.register(flush)


def flush() -> None:
    """Write queued lines now (before the process ends)."""
    if _batched is not None:
        _batched.flush()


def write_line(text: str) -> None:
    """One JSON object as a line on stdout, never interleaved with other lines: written and flushed
    now, or queued for the writer thread once start_batching() ran."""
    if _batched is not None:
        _batched.put(text + "\n")
    else:
        _write_now(text + "\n")


def log(level: str, msg: str, **fields: Any) -> None:
    """A runtime message (not tied to an invocation unless one is current)."""
    record: dict[str, Any] = {"time": now_iso(), "level": level, "msg": msg}
    inv = current_invocation.get()
    if inv is not None:
        record.update(inv)
    record.update(fields)
    emit(record)


class JsonFormatter(logging.Formatter):
    """Formats standard logging records as the runtime's JSON lines."""

    _level_names = {"WARNING": "warn", "CRITICAL": "error"}

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc)
            .isoformat(timespec="milliseconds")
            .replace("+00:00", "Z"),
            "level": self._level_names.get(record.levelname, record.levelname.lower()),
            "msg": record.getMessage(),
        }
        inv = current_invocation.get()
        if inv is not None:
            out.update(inv)
        if record.name not in ("root", "function"):
            out["logger"] = record.name
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            out.update(fields)
        if record.exc_info:
            out["stack"] = "".join(traceback.format_exception(*record.exc_info)).rstrip()
        return json.dumps(out, default=str, ensure_ascii=False, separators=(",", ":"))


class _JsonLinesHandler(logging.Handler):
    """Standard logging records as JSON lines, written like every other line (write_line)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            line = self.format(record)
        except Exception:  # noqa: BLE001 - a bad log call must never break an invocation
            self.handleError(record)
            return
        write_line(line)


def configure_logging(level: str = "info") -> None:
    """Route the root logger (and so a handler's ``logging`` calls) to JSON lines on stdout."""
    handler = _JsonLinesHandler()
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(LEVELS.get(level, logging.INFO))


class FunctionLogger:
    """``context.log`` (alias ``context.logger``): ``context.log.info("charged", amount=3)`` writes
    a JSON line with time, level, msg, invocationId, function, namespace and the given fields.

    Works like a small subset of ``logging.Logger`` (debug/info/warning/error/exception), goes through
    the standard logging machinery (logger name ``function``) and so honours LOG_LEVEL.
    """

    __slots__ = ("_logger",)

    def __init__(self) -> None:
        self._logger = logging.getLogger("function")

    def _log(self, level: int, msg: Any, args: tuple[Any, ...], fields: dict[str, Any], exc_info: Any = None) -> None:
        if self._logger.isEnabledFor(level):
            self._logger.log(level, str(msg), *args, extra={"fields": fields}, exc_info=exc_info, stacklevel=3)

    def debug(self, msg: Any, *args: Any, **fields: Any) -> None:
        self._log(logging.DEBUG, msg, args, fields)

    def info(self, msg: Any, *args: Any, **fields: Any) -> None:
        self._log(logging.INFO, msg, args, fields)

    def warning(self, msg: Any, *args: Any, **fields: Any) -> None:
        self._log(logging.WARNING, msg, args, fields)

    warn = warning

    def error(self, msg: Any, *args: Any, **fields: Any) -> None:
        self._log(logging.ERROR, msg, args, fields)

    def exception(self, msg: Any, *args: Any, **fields: Any) -> None:
        self._log(logging.ERROR, msg, args, fields, exc_info=True)


FUNCTION_LOGGER = FunctionLogger()
