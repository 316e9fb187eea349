"""The request → event and result → response rules (docs/runtime-contract.md §3, §5), without a server."""

from __future__ import annotations

import json
import re
import time
import uuid
from datetime import datetime, timezone

import pytest

from kube_serverless_runtime.invoke import (
    Context,
    InvocationError,
    error_body,
    headers_from_environ,
    headers_from_pairs,
    invocation_id,
    media_type,
    new_uuid4,
    parse_body,
    to_response,
)


@pytest.mark.parametrize(
    ("raw", "content_type", "expected"),
    [
        (b"", "application/json", None),
        (b"", None, None),
        (b'{"a":[1,2]}', "application/json", {"a": [1, 2]}),
        (b'{"a":1}', "Application/JSON; charset=UTF-8", {"a": 1}),
        (b'"text"', "application/vnd.api+json", "text"),
        (b"42", "application/problem+json", 42),
        (b"null", "application/json", None),
        (b"hello", "text/plain", "hello"),
        ("héllo".encode(), "text/html; charset=utf-8", "héllo"),
        ("héllo".encode("latin-1"), "text/plain; charset=latin-1", "héllo"),
        (b"a=1&b=2", "application/x-www-form-urlencoded", "a=1&b=2"),
        (b"no type", None, "no type"),
        (b"\x00\x01\xff", "application/octet-stream", b"\x00\x01\xff"),
        (b"PNG", "image/png", b"PNG"),
        (b"{}", "application/jsonx", b"{}"),
    ],
)
def test_body_follows_content_type(raw: bytes, content_type: str | None, expected: object) -> None:
    body = parse_body(raw, content_type)
    assert body == expected
    assert type(body) is type(expected)


@pytest.mark.parametrize("raw", [b'{"a":', b"{'a': 1}", b"nope", b"[1,]", b"\xff\xfe"])
def test_malformed_json_is_a_bad_request(raw: bytes) -> None:
    with pytest.raises(InvocationError) as info:
        parse_body(raw, "application/json")
    assert info.value.status == 400
    assert info.value.type == "BadRequest"
    assert info.value.message.startswith("request body is not valid JSON")


def test_json_error_message_names_the_position() -> None:
    with pytest.raises(InvocationError) as info:
        parse_body(b'{"a": }', "application/json")
    assert "line 1 column 7" in info.value.message


def test_media_type() -> None:
    assert media_type('Text/Plain; Charset="ISO-8859-1"; x=y') == ("text/plain", "iso-8859-1")
    assert media_type(None) == ("", None)


def test_repeated_headers_are_joined_in_order() -> None:
    pairs = [("X-Tag", "a"), ("HOST", "h"), ("x-tag", "b"), ("X-TAG", "c")]
    assert headers_from_pairs(pairs) == {"x-tag": "a, b, c", "host": "h"}


def test_headers_from_environ() -> None:
    environ = {"HTTP_X_FORWARDED_FOR": "1.2.3.4", "CONTENT_TYPE": "text/plain", "CONTENT_LENGTH": "3", "PATH_INFO": "/"}
    assert headers_from_environ(environ) == {
        "x-forwarded-for": "1.2.3.4", "content-type": "text/plain", "content-length": "3",
    }


@pytest.mark.parametrize(
    ("result", "status", "content_type", "body"),
    [
        ("hi", 200, "text/plain; charset=utf-8", b"hi"),
        ("ünï", 200, "text/plain; charset=utf-8", "ünï".encode()),
        (b"\x01\x02", 200, "application/octet-stream", b"\x01\x02"),
        (bytearray(b"ab"), 200, "application/octet-stream", b"ab"),
        (None, 204, None, b""),
        ({"a": 1}, 200, "application/json", b'{"a":1}'),
        ([1, "x"], 200, "application/json", b'[1,"x"]'),
        (3.5, 200, "application/json", b"3.5"),
        (True, 200, "application/json", b"true"),
        (0, 200, "application/json", b"0"),
        ({"statusCode": "201", "body": "x"}, 200, "application/json", b'{"statusCode":"201","body":"x"}'),
    ],
)
def test_plain_results(result: object, status: int, content_type: str | None, body: bytes) -> None:
    got_status, headers, got_body = to_response(result)
    assert got_status == status
    assert dict(headers).get("Content-Type") == content_type
    assert got_body == body


def test_status_code_response() -> None:
    status, headers, body = to_response({"statusCode": 201, "headers": {"Location": "/x", "X-N": 3}, "body": {"id": 1}})
    assert status == 201
    assert ("Location", "/x") in headers and ("X-N", "3") in headers
    assert ("Content-Type", "application/json") in headers
    assert body == b'{"id":1}'


def test_status_code_response_with_own_content_type() -> None:
    status, headers, body = to_response(
        {"statusCode": 200, "headers": {"content-type": "text/csv"}, "body": "a,b\n1,2\n"}
    )
    assert headers == [("content-type", "text/csv")]
    assert body == b"a,b\n1,2\n"
    _, headers, body = to_response({"statusCode": 200, "headers": {"Content-Type": "application/x-ndjson"}, "body": [1]})
    assert headers == [("Content-Type", "application/x-ndjson")] and body == b"[1]"


def test_status_code_response_without_body() -> None:
    assert to_response({"statusCode": 202}) == (202, [], b"")
    assert to_response({"statusCode": 404, "body": None}) == (404, [], b"")
    assert to_response({"statusCode": 204, "body": "dropped"})[2] == b""


def test_status_code_bytes_and_text_bodies() -> None:
    assert to_response({"statusCode": 400, "body": "bad"}) == (400, [("Content-Type", "text/plain; charset=utf-8")], b"bad")
    assert to_response({"statusCode": 200, "body": b"\x00"}) == (
        200, [("Content-Type", "application/octet-stream")], b"\x00"
    )


def test_list_header_values_and_ignored_headers() -> None:
    _, headers, _ = to_response(
        {"statusCode": 200, "headers": {"Set-Cookie": ["a=1", "b=2"], "Content-Length": "99",
                                        "x-invocation-id": "mine", "Connection": "close", "X-Flag": True}}
    )
    assert headers == [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2"), ("X-Flag", "true")]


@pytest.mark.parametrize(
    "result",
    [
        {1, 2},
        {"when": datetime.now()},
        object(),
        {"x": float("nan")},
        {(1, 2): "tuple key"},
        {"statusCode": 200, "body": {1, 2}},
        {"statusCode": 99},
        {"statusCode": 600},
        {"statusCode": 100},
        {"statusCode": 200, "headers": "nope"},
        {"statusCode": 200, "headers": {"Bad Name": "x"}},
        {"statusCode": 200, "headers": {"X-Split": "a\r\nInjected: 1"}},
    ],
)
def test_unserializable_results(result: object) -> None:
    with pytest.raises(InvocationError) as info:
        to_response(result)
    assert (info.value.status, info.value.type) == (500, "SerializationError")
    assert info.value.message


def test_circular_result() -> None:
    loop: dict = {}
    loop["self"] = loop
    with pytest.raises(InvocationError) as info:
        to_response(loop)
    assert info.value.type == "SerializationError"
    assert "ircular" in info.value.message


def test_error_body() -> None:
    assert json.loads(error_body("ValueError", "bad ünï")) == {"error": {"type": "ValueError", "message": "bad ünï"}}


def test_invocation_id() -> None:
    assert invocation_id("req-123") == "req-123"
    assert invocation_id("x" * 128) == "x" * 128
    for rejected in (None, "", "x" * 129, "a\tb"):
        generated = invocation_id(rejected)
        assert uuid.UUID(generated).version == 4
    ids = {new_uuid4() for _ in range(1000)}
    assert len(ids) == 1000
    assert all(re.fullmatch(r"[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", i) for i in ids)


def test_context() -> None:
    ctx = Context("fn", "ns", "id-1", 2.0)
    assert (ctx.function_name, ctx.namespace, ctx.invocation_id) == ("fn", "ns", "id-1")
    assert ctx.logger is ctx.log
    assert 1.9 < ctx.remaining_time() <= 2.0
    assert 1900 <= ctx.get_remaining_time_ms() <= 2000
    assert ctx.deadline.tzinfo is not None
    assert 1.9 < (ctx.deadline - datetime.now(timezone.utc)).total_seconds() <= 2.01
    expired = Context("fn", "ns", "id", 0.01, started=time.monotonic() - 1)
    assert expired.remaining_time() == 0.0 and expired.get_remaining_time_ms() == 0
    assert "id-1" in repr(ctx)
