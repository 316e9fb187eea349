"""The Flask application: /health, /ready, /metrics, and every other request runs the handler."""

from __future__ import annotations

import inspect
import json
import os
import socket
import threading
import time
import traceback
from typing import Any, Callable

from flask import Flask, Response, request
from flask.sessions import NullSession, SessionInterface
from werkzeug.routing import PathConverter, Rule

from . import logs
from .config import Config
from .executor import AsyncCall, AsyncRunner, Call, CallTimeout, Guard, HandlerPool, Watchdog
from .invoke import (
    JSON_CONTENT_TYPE,
    Context,
    InvocationError,
    error_body,
    headers_from_environ,
    headers_from_pairs,
    invocation_id,
    parse_body,
    to_response,
)
from .loader import HandlerState
from .metrics import CONTENT_TYPE as METRICS_CONTENT_TYPE
from .metrics import FunctionMetrics

_json_str: Callable[[str], str] = json.encoder.encode_basestring  # type: ignore[attr-defined]

# The server (gunicorn's pre_request hook) leaves the raw header list of the request being handled
# by this thread here, so that repeated fields can be joined with ", " as the contract says.
raw_headers = threading.local()

_READ_CHUNK = 64 * 1024


class _InvocationResponse(Response):
    """No default content type: a 204, or a statusCode response without body, carries none."""

    default_mimetype = None


class _NoSessions(SessionInterface):
    """Functions are stateless: skip Flask's cookie session machinery on every request."""

    _null = NullSession()

    def open_session(self, app: Any, request: Any) -> Any:
        return self._null

    def save_session(self, app: Any, session: Any, response: Any) -> None:
        return None


class _AnyPath(PathConverter):
    """Matches every path, including '' (the root) and paths with empty segments."""

    regex = ".*"
    part_isolating = False


def _await(awaitable: Any) -> Any:
    import asyncio

    async def run() -> Any:
        return await awaitable

    return asyncio.run(run())


def _call_sync(fn: Callable[..., Any], event: dict[str, Any], context: Context) -> Any:
    result = fn(event, context)
    if inspect.isawaitable(result):  # a plain function that returned a coroutine or future
        result = _await(result)
    return result


_RUNTIME_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep


def handler_stack(exc: BaseException) -> str:
    """The traceback of a handler's exception without the runtime's own frames."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if not f.filename.startswith(_RUNTIME_DIR)]
    text = "".join(traceback.format_list(frames))
    if text:
        text = "Traceback (most recent call last):\n" + text
    return (text + "".join(traceback.format_exception_only(type(exc), exc))).rstrip()


class _Abandoned(Exception):
    """The watchdog answered this invocation (504) while its handler ran on the request thread."""


class Outcome:
    """What one invocation produced, for the response, the metrics and the log line."""

    __slots__ = ("status", "headers", "body", "error_type", "error_message")

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body
        self.error_type: str | None = None
        self.error_message: str | None = None


class Invoker:
    """Runs invocations end to end; one instance per process."""

    def __init__(self, config: Config, state: HandlerState, metrics: FunctionMetrics) -> None:
        self.config = config
        self.state = state
        self.metrics = metrics
        self.pool = HandlerPool()
        self.async_runner = AsyncRunner()
        # Set by the server (gunicorn): sync handlers then run on the request thread and this
        # watchdog answers 504 at the deadline (ADR 0201); else they are handed to self.pool.
        self.watchdog: Watchdog | None = None
        self.on_abandon: Callable[[], None] = lambda: None
        self.on_reclaim: Callable[[], None] = lambda: None
        self._cold = True
        self._cold_lock = threading.Lock()
        self._identity = f'"function":{_json_str(config.function_name)},"namespace":{_json_str(config.namespace)}'
        self._timeout_message = f"function did not finish within its timeout of {config.timeout_seconds:g}s"
        self._too_large_message = f"request body exceeds {config.max_body_bytes} bytes"

    def take_cold_start(self) -> bool:
        if not self._cold:
            return False
        with self._cold_lock:
            cold, self._cold = self._cold, False
            return cold

    def read_body(self, environ: dict[str, Any]) -> bytes:
        """The request body, refusing (413) more than FUNCTION_MAX_BODY_BYTES before reading it all."""
        limit = self.config.max_body_bytes
        stream = environ.get("wsgi.input")
        length_header = environ.get("CONTENT_LENGTH") or ""
        if length_header:
            try:
                length = int(length_header)
            except ValueError:
                raise InvocationError(400, "BadRequest", f"invalid content-length {length_header!r}") from None
            if length > limit:
                raise InvocationError(413, "PayloadTooLarge", self._too_large_message)
            if length <= 0 or stream is None:
                return b""
            chunks: list[bytes] = []
            remaining = length
            while remaining > 0:
                chunk = stream.read(min(remaining, _READ_CHUNK))
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
            return b"".join(chunks)
        if stream is None or "chunked" not in environ.get("HTTP_TRANSFER_ENCODING", "").lower():
            return b""
        data = bytearray()
        while len(data) <= limit:
            chunk = stream.read(min(_READ_CHUNK, limit + 1 - len(data)))
            if not chunk:
                break
            data += chunk
        if len(data) > limit:
            raise InvocationError(413, "PayloadTooLarge", self._too_large_message)
        return bytes(data)

    def enable_watchdog(self, on_abandon: Callable[[], None], on_reclaim: Callable[[], None]) -> None:
        self.watchdog = Watchdog(self.config.timeout_seconds)
        self.on_abandon = on_abandon
        self.on_reclaim = on_reclaim

    def _run_inline(
        self, fn: Callable[..., Any], event: dict[str, Any], context: Context, started: float,
        sock: socket.socket, method: str, cold: bool,
    ) -> Any:
        """The handler on this (the request) thread; at the deadline the watchdog answers 504 on the
        socket, and this thread, whenever the handler returns, finds it lost the response."""
        assert self.watchdog is not None
        inv_id, path = context.invocation_id, event["path"]

        def expire() -> None:
            self.on_abandon()
            outcome = self._error_outcome(InvocationError(504, "Timeout", self._timeout_message))
            body = outcome.body
            head = (
                "HTTP/1.1 504 Gateway Timeout\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(body)}\r\nx-invocation-id: {inv_id}\r\nConnection: close\r\n\r\n"
            ).encode("latin-1", "replace")
            try:
                sock.send(head + body, socket.MSG_DONTWAIT)  # small: fits the socket buffer
            except (OSError, ValueError):
                pass  # the client is gone
            try:
                # End of the response for the client; the handler's late answer fails with EPIPE.
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            token = logs.current_invocation.set(
                {"invocationId": inv_id, "function": self.config.function_name, "namespace": self.config.namespace}
            )
            try:
                logs.log("error", self._timeout_message, error={"type": "Timeout", "message": self._timeout_message})
            finally:
                logs.current_invocation.reset(token)
            self.finish(outcome, method, path, inv_id, started, cold)

        guard: Guard = self.watchdog.watch(started + self.config.timeout_seconds, expire)
        try:
            result = _call_sync(fn, event, context)
        except BaseException:
            if not self.watchdog.release(guard):
                guard.wait_expired()
                self.on_reclaim()
                raise _Abandoned from None
            raise
        if not self.watchdog.release(guard):
            guard.wait_expired()
            self.on_reclaim()
            raise _Abandoned
        return result

    def _run(self, fn: Callable[..., Any], event: dict[str, Any], context: Context, started: float) -> Any:
        remaining = started + self.config.timeout_seconds - time.monotonic()
        if self.state.is_async:
            call: Call = self.async_runner.submit(fn(event, context))
        else:
            call = self.pool.submit(_call_sync, fn, event, context)
        try:
            return call.wait(remaining)
        except CallTimeout:
            # An async task is cancelled; a sync handler's thread runs on, and its result is dropped.
            if isinstance(call, AsyncCall):
                call.cancel()
            raise InvocationError(504, "Timeout", self._timeout_message) from None

    def _error_outcome(self, err: InvocationError) -> Outcome:
        outcome = Outcome(err.status, [("Content-Type", JSON_CONTENT_TYPE)], error_body(err.type, err.message))
        outcome.error_type, outcome.error_message = err.type, err.message
        return outcome

    def invoke(
        self, environ: dict[str, Any], path: str, query: dict[str, str], inv_id: str, started: float,
        cold: bool = False,
    ) -> Outcome:
        fn = self.state.fn
        try:
            if fn is None:
                raise InvocationError(503, "NotReady", self.state.not_ready_reason())
            raw = self.read_body(environ)
            pairs = getattr(raw_headers, "pairs", None)
            event = {
                "body": parse_body(raw, environ.get("CONTENT_TYPE")),
                "headers": headers_from_pairs(pairs) if pairs is not None else headers_from_environ(environ),
                "method": environ.get("REQUEST_METHOD", "GET"),
                "path": path,
                "query": query,
            }
            context = Context(
                self.config.function_name, self.config.namespace, inv_id, self.config.timeout_seconds, started=started
            )
            if time.monotonic() >= started + self.config.timeout_seconds:  # a body slower than the timeout
                raise InvocationError(504, "Timeout", self._timeout_message)
            try:
                sock = environ.get("gunicorn.socket")
                if self.watchdog is not None and sock is not None and not self.state.is_async:
                    result = self._run_inline(fn, event, context, started, sock, event["method"], cold)
                else:
                    result = self._run(fn, event, context, started)
            except (InvocationError, _Abandoned):
                raise
            except BaseException as exc:  # noqa: BLE001 - the handler's error, whatever it is (even SystemExit)
                if isinstance(exc, KeyboardInterrupt):
                    raise
                logs.log(
                    "error", "handler raised an exception",
                    error={"type": type(exc).__name__, "message": str(exc)}, stack=handler_stack(exc),
                )
                raise InvocationError(500, type(exc).__name__, str(exc)) from None
            status, headers, body = to_response(result)
            return Outcome(status, headers, body)
        except InvocationError as err:
            if err.type in ("SerializationError", "Timeout"):
                logs.log("error", err.message, error={"type": err.type, "message": err.message})
            return self._error_outcome(err)

    def finish(self, outcome: Outcome, method: str, path: str, inv_id: str, started: float, cold: bool) -> None:
        """After the response went out: metrics and the invocation log line."""
        elapsed = time.monotonic() - started
        status = outcome.status
        self.metrics.observe(status, elapsed, cold)
        # The invocation line is written for every request: formatted by hand (same JSON as
        # json.dumps would give, a fraction of the cost); strings go through the C string encoder.
        error = ""
        if outcome.error_type is not None and status >= 500:
            error = (
                f',"error":{{"type":{_json_str(outcome.error_type)},"message":{_json_str(outcome.error_message or "")}}}'
            )
        logs.write_line(
            f'{{"time":"{logs.now_iso()}","level":"{"info" if status < 500 else "error"}","msg":"invocation",'
            f'"invocationId":{_json_str(inv_id)},{self._identity},"method":{_json_str(method)},'
            f'"path":{_json_str(path)},"status":{status},"durationMs":{round(elapsed * 1000, 3)!r},'
            f'"coldStart":{"true" if cold else "false"}{error}}}'
        )


def create_app(config: Config, state: HandlerState, metrics: FunctionMetrics | None = None) -> Flask:
    metrics = metrics or FunctionMetrics(config.function_name, config.namespace)
    invoker = Invoker(config, state, metrics)
    app = Flask("kube_serverless_runtime")
    app.url_map.strict_slashes = False
    app.url_map.merge_slashes = False
    app.url_map.converters["anypath"] = _AnyPath
    app.session_interface = _NoSessions()
    app.extensions["kube_serverless"] = invoker

    def json_response(status: int, payload: bytes) -> Response:
        return Response(payload, status=status, content_type=JSON_CONTENT_TYPE)

    def health() -> Response:
        return json_response(200, b'{"status":"ok"}')

    def ready() -> Response:
        if state.ready:
            return json_response(200, b'{"ready":true}')
        return json_response(503, json.dumps({"ready": False, "reason": state.not_ready_reason()}).encode())

    def metrics_view() -> Response:
        return Response(metrics.render(), status=200, content_type=METRICS_CONTENT_TYPE)

    def invoke(path: str = "") -> Response:
        started = time.monotonic()
        environ = request.environ
        inv_id = invocation_id(environ.get("HTTP_X_INVOCATION_ID"))
        method = environ.get("REQUEST_METHOD", "GET")
        req_path = request.path
        cold = state.fn is not None and invoker.take_cold_start()
        token = logs.current_invocation.set(
            {"invocationId": inv_id, "function": config.function_name, "namespace": config.namespace}
        )
        try:
            query = dict(request.args.items()) if environ.get("QUERY_STRING") else {}
            outcome = invoker.invoke(environ, req_path, query, inv_id, started, cold)
        except _Abandoned:
            # The watchdog already answered 504 and closed our side of the connection: whatever is
            # written now fails (EPIPE) and gunicorn drops the connection quietly.
            return _InvocationResponse(b"", status=504)
        finally:
            logs.current_invocation.reset(token)
        outcome.headers.append(("x-invocation-id", inv_id))
        response = _InvocationResponse(outcome.body, status=outcome.status, headers=outcome.headers)
        response.call_on_close(lambda: invoker.finish(outcome, method, req_path, inv_id, started, cold))
        return response

    for rule, view in (("/health", health), ("/ready", ready), ("/metrics", metrics_view)):
        # strict_slashes: exactly these paths; /health/ is the function's, like any other path.
        app.add_url_rule(rule, view.__name__, view, methods=["GET"], provide_automatic_options=False,
                         strict_slashes=True)
    # methods=None: the rule matches every method, including ones Flask has never heard of.
    app.url_map.add(Rule("/<anypath:path>", endpoint="invoke", methods=None))
    app.view_functions["invoke"] = invoke

    @app.errorhandler(Exception)
    def internal_error(exc: Exception) -> Response:  # a bug of the runtime, not of the handler
        code = getattr(exc, "code", None)
        if isinstance(code, int) and 400 <= code < 500:  # werkzeug HTTPException (e.g. a bad request line)
            return json_response(code, error_body("BadRequest", str(exc)))
        logs.log("error", "runtime error", error={"type": type(exc).__name__, "message": str(exc)},
                 stack=traceback.format_exc().rstrip())
        return json_response(500, error_body("InternalError", f"{type(exc).__name__}: {exc}"))

    return app
