"""The invocation contract: request → (event, context), handler result → HTTP response.

Kept free of Flask and gunicorn so that it can be tested on its own.
"""

from __future__ import annotations

import json
import os
import re
import time
from datetime import datetime, timezone
from typing import Any, Iterable, Mapping

from .logs import FUNCTION_LOGGER, FunctionLogger

JSON_CONTENT_TYPE = "application/json"
TEXT_CONTENT_TYPE = "text/plain; charset=utf-8"
BINARY_CONTENT_TYPE = "application/octet-stream"

_TOKEN_RE = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
_BAD_VALUE_RE = re.compile(r"[\r\n\x00]")
_INVOCATION_ID_RE = re.compile(r"[^\x00-\x1f\x7f]{1,128}")
# Hop-by-hop and framing headers are the server's business, not the handler's.
_SERVER_HEADERS = frozenset(
    {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te", "trailer", "trailers",
     "transfer-encoding", "upgrade", "content-length", "x-invocation-id"}
)


class InvocationError(Exception):
    """An error answered with the contract's JSON error body."""

    def __init__(self, status: int, type_: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message


class Context:
    """The handler's second argument."""

    __slots__ = ("function_name", "namespace", "invocation_id", "log", "_deadline_mono", "_deadline_wall")

    def __init__(
        self, function_name: str, namespace: str, invocation_id: str, timeout_seconds: float,
        logger: FunctionLogger = FUNCTION_LOGGER, started: float | None = None,
    ) -> None:
        started = time.monotonic() if started is None else started
        self.function_name = function_name
        self.namespace = namespace
        self.invocation_id = invocation_id
        self._deadline_mono = started + timeout_seconds
        self._deadline_wall = time.time() + (self._deadline_mono - time.monotonic())
        self.log = logger

    @property
    def deadline(self) -> datetime:
        """When the invocation times out (UTC); built on first use, most handlers never ask."""
        return datetime.fromtimestamp(self._deadline_wall, timezone.utc)

    @property
    def logger(self) -> FunctionLogger:
        """Alias of ``log``."""
        return self.log

    def remaining_time(self) -> float:
        """Seconds left before the invocation times out (never negative)."""
        return max(0.0, self._deadline_mono - time.monotonic())

    def get_remaining_time_ms(self) -> int:
        """Milliseconds left before the invocation times out (never negative)."""
        return int(max(0.0, self._deadline_mono - time.monotonic()) * 1000)

    def __repr__(self) -> str:
        return (
            f"Context(function_name={self.function_name!r}, namespace={self.namespace!r}, "
            f"invocation_id={self.invocation_id!r}, deadline={self.deadline.isoformat()})"
        )


def invocation_id(header: str | None) -> str:
    """The caller's x-invocation-id when present (1-128 characters), else a fresh UUID v4."""
    if header and _INVOCATION_ID_RE.fullmatch(header):
        return header
    return new_uuid4()


def new_uuid4() -> str:
    """str(uuid.uuid4()), in a third of the time."""
    b = bytearray(os.urandom(16))
    b[6] = (b[6] & 0x0F) | 0x40
    b[8] = (b[8] & 0x3F) | 0x80
    h = b.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def media_type(content_type: str | None) -> tuple[str, str | None]:
    """('application/json', 'utf-8') from 'Application/JSON; charset=UTF-8'."""
    if not content_type:
        return "", None
    main, _, params = content_type.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset":
            charset = value.strip().strip('"').lower() or None
    return main.strip().lower(), charset


def is_json_type(mtype: str) -> bool:
    return mtype == "application/json" or (mtype.startswith("application/") and mtype.endswith("+json"))


def _decode(raw: bytes, charset: str | None, *, strict: bool) -> str:
    try:
        return raw.decode(charset or "utf-8", "strict" if strict else "replace")
    except LookupError:
        raise InvocationError(400, "BadRequest", f"unknown charset {charset!r} in the content type") from None


def parse_body(raw: bytes, content_type: str | None) -> Any:
    """The event's body: JSON value, str, bytes or None, following the content type."""
    if not raw:
        return None
    mtype, charset = media_type(content_type)
    if is_json_type(mtype):
        try:
            text = _decode(raw, charset, strict=True)
        except UnicodeDecodeError as exc:
            raise InvocationError(
                400, "BadRequest", f"request body is not valid JSON: not {charset or 'utf-8'} text ({exc.reason})"
            ) from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise InvocationError(
                400, "BadRequest",
                f"request body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno} "
                f"(char {exc.pos})",
            ) from None
        except RecursionError:
            raise InvocationError(400, "BadRequest", "request body is not valid JSON: nested too deeply") from None
    if not mtype or mtype.startswith("text/") or mtype == "application/x-www-form-urlencoded":
        return _decode(raw, charset, strict=False)
    return raw


def headers_from_pairs(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Lower-cased names; repeated fields joined with ', ' in arrival order."""
    out: dict[str, str] = {}
    for name, value in pairs:
        key = name.lower()
        if key in out:
            out[key] = f"{out[key]}, {value}"
        else:
            out[key] = value
    return out


def headers_from_environ(environ: Mapping[str, Any]) -> dict[str, str]:
    """Fallback when the raw header list is not at hand (repeated fields were already joined by the server)."""
    out: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            out[key[5:].replace("_", "-").lower()] = value
    if environ.get("CONTENT_TYPE"):
        out["content-type"] = environ["CONTENT_TYPE"]
    if environ.get("CONTENT_LENGTH"):
        out["content-length"] = environ["CONTENT_LENGTH"]
    return out


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def _json_bytes(value: Any) -> bytes:
    try:
        return _ENCODER.encode(value).encode("utf-8")
    except (TypeError, ValueError, RecursionError) as exc:
        raise InvocationError(
            500, "SerializationError", f"the handler returned a value that cannot be serialized to JSON: {exc}"
        ) from None


def _body_bytes(body: Any, content_type: str | None) -> tuple[bytes, str | None]:
    """Encode body; content_type is the handler's own, if it set one. Returns (bytes, content type)."""
    if body is None:
        return b"", content_type
    if isinstance(body, str):
        return body.encode("utf-8"), content_type or TEXT_CONTENT_TYPE
    if isinstance(body, (bytes, bytearray, memoryview)):
        return bytes(body), content_type or BINARY_CONTENT_TYPE
    return _json_bytes(body), content_type or JSON_CONTENT_TYPE


def _header_pairs(headers: Any) -> list[tuple[str, str]]:
    if headers is None:
        return []
    if not isinstance(headers, Mapping):
        raise InvocationError(
            500, "SerializationError", f"'headers' in the handler's response must be a dict, not {type(headers).__name__}"
        )
    pairs: list[tuple[str, str]] = []
    for name, value in headers.items():
        if not isinstance(name, str) or not _TOKEN_RE.fullmatch(name):
            raise InvocationError(500, "SerializationError", f"invalid response header name {name!r}")
        if name.lower() in _SERVER_HEADERS:
            continue
        values = value if isinstance(value, (list, tuple)) else [value]
        for v in values:
            if v is None:
                continue
            text = v if isinstance(v, str) else str(v).lower() if isinstance(v, bool) else str(v)
            if _BAD_VALUE_RE.search(text):
                raise InvocationError(500, "SerializationError", f"invalid value for response header {name!r}")
            pairs.append((name, text))
    return pairs


def to_response(result: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """Map a handler's return value to (status, headers, body) per the contract."""
    if isinstance(result, dict) and "statusCode" in result:
        status = result["statusCode"]
        if isinstance(status, int) and not isinstance(status, bool):
            if not 200 <= status <= 599:
                raise InvocationError(
                    500, "SerializationError", f"statusCode must be between 200 and 599, got {status}"
                )
            pairs = _header_pairs(result.get("headers"))
            content_type = next((v for k, v in pairs if k.lower() == "content-type"), None)
            body, ctype = _body_bytes(result.get("body"), content_type)
            if status in (204, 304):
                body = b""
            elif ctype is not None and content_type is None and body:
                pairs.append(("Content-Type", ctype))
            return status, pairs, body
    if result is None:
        return 204, [], b""
    body, ctype = _body_bytes(result, None)
    return 200, [("Content-Type", ctype or BINARY_CONTENT_TYPE)], body


def error_body(type_: str, message: str) -> bytes:
    return json.dumps(
        {"error": {"type": type_, "message": message}}, ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
