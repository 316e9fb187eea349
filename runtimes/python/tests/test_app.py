"""The HTTP contract through the Flask app in-process (no server): probes, invocations, errors, metrics, logs."""

from __future__ import annotations

import io
import json
import threading
import time
from typing import Any

import pytest

from kube_serverless_runtime import logs

ECHO = """
def handle(event, context):
    return {"event": event if not isinstance(event["body"], bytes) else {**event, "body": event["body"].hex()},
            "context": {"function_name": context.function_name, "namespace": context.namespace,
                        "invocation_id": context.invocation_id, "remaining_ms": context.get_remaining_time_ms(),
                        "deadline": context.deadline.isoformat()}}
"""


@pytest.fixture(autouse=True)
def json_logging() -> None:
    logs.configure_logging("info")


def log_lines(out: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def test_health_ready_metrics(make_app) -> None:
    rt = make_app("def handle(event, context):\n    return 'ok'\n")
    r = rt.client.get("/health")
    assert (r.status_code, r.get_json()) == (200, {"status": "ok"})
    r = rt.client.get("/ready")
    assert (r.status_code, r.get_json()) == (200, {"ready": True})
    r = rt.client.get("/metrics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/plain; version=0.0.4")
    text = r.get_data(as_text=True)
    assert 'function_cold_starts_total{function="fn",namespace="ns"} 0.0' in text
    assert "function_invocations_total" in text and "function_duration_seconds" in text
    assert rt.client.head("/health").status_code == 200


def test_health_answers_while_not_loaded(make_app) -> None:
    rt = make_app(None, load_now=False)
    assert rt.client.get("/health").status_code == 200
    r = rt.client.get("/ready")
    assert r.status_code == 503 and r.get_json() == {"ready": False, "reason": "loading function code"}
    r = rt.client.post("/", json={"a": 1})
    assert r.status_code == 503
    assert r.get_json() == {"error": {"type": "NotReady", "message": "loading function code"}}
    assert r.headers["x-invocation-id"]


@pytest.mark.parametrize(
    ("source", "handler", "reason"),
    [
        (None, "handler.handle", "handler file handler.py not found in "),
        ("def other(event, context):\n    pass\n", "handler.handle", 'handler module handler.py has no function "handle"'),
        ("handle = 42\n", "handler.handle", '"handle" is a int, not a function'),
        ("def handle(event, context)\n    pass\n", "handler.handle", "loading handler.py failed: SyntaxError"),
        ("import no_such_module_xyz\n", "handler.handle", "loading handler.py failed: ModuleNotFoundError"),
        ("raise RuntimeError('boom at import')\n", "handler.handle", "RuntimeError: boom at import"),
        ("import sys\nsys.exit(3)\n", "handler.handle", "loading handler.py failed: SystemExit: 3"),
        ("def handle(e, c):\n    pass\n", "nodot", "FUNCTION_HANDLER must be"),
    ],
)
def test_not_ready_reasons(make_app, capsys, source: str | None, handler: str, reason: str) -> None:
    rt = make_app(source, FUNCTION_HANDLER=handler)
    r = rt.client.get("/ready")
    assert r.status_code == 503
    assert reason in r.get_json()["reason"]
    inv = rt.client.post("/")
    assert inv.status_code == 503 and inv.get_json()["error"]["type"] == "NotReady"
    assert reason in inv.get_json()["error"]["message"]
    assert rt.client.get("/health").status_code == 200
    errors = [line for line in log_lines(capsys.readouterr().out) if line["level"] == "error"]
    assert errors and reason in errors[0]["reason"]


def test_event_and_context(make_app) -> None:
    rt = make_app(ECHO, FUNCTION_TIMEOUT_SECONDS="5")
    r = rt.client.post("/some/path?x=1&x=2&y=a+b&flag", json={"k": [1, 2]}, headers={"X-Invocation-Id": "abc-123"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.headers["x-invocation-id"] == "abc-123"
    got = r.get_json()
    event, ctx = got["event"], got["context"]
    assert event["method"] == "POST" and event["path"] == "/some/path"
    assert event["query"] == {"x": "1", "y": "a b", "flag": ""}
    assert event["body"] == {"k": [1, 2]}
    assert event["headers"]["content-type"] == "application/json"
    assert event["headers"]["x-invocation-id"] == "abc-123"
    assert ctx["function_name"] == "fn" and ctx["namespace"] == "ns" and ctx["invocation_id"] == "abc-123"
    assert 4000 < ctx["remaining_ms"] <= 5000
    assert ctx["deadline"].endswith("+00:00")


@pytest.mark.parametrize(
    ("data", "content_type", "body"),
    [
        ("plain", "text/plain", "plain"),
        ("a=1&b=2", "application/x-www-form-urlencoded", "a=1&b=2"),
        (b"\x00\xff", "application/octet-stream", "00ff"),
        ("", "application/json", None),
    ],
)
def test_body_types(make_app, data: Any, content_type: str, body: Any) -> None:
    rt = make_app(ECHO)
    r = rt.client.put("/", data=data, content_type=content_type)
    assert r.get_json()["event"]["body"] == body


def test_path_variants_and_methods(make_app) -> None:
    rt = make_app("def handle(event, context):\n    return event['method'] + ' ' + event['path']\n")
    assert rt.client.get("/").get_data(as_text=True) == "GET /"
    assert rt.client.delete("/a/b/").get_data(as_text=True) == "DELETE /a/b/"
    assert rt.client.get("/a%20b").get_data(as_text=True) == "GET /a b"
    assert rt.client.post("/health").get_data(as_text=True) == "POST /health"
    assert rt.client.put("/metrics").get_data(as_text=True) == "PUT /metrics"
    assert rt.client.options("/ready").get_data(as_text=True) == "OPTIONS /ready"
    assert rt.client.open("/x", method="PURGE").get_data(as_text=True) == "PURGE /x"
    assert rt.client.get("/health/deep").get_data(as_text=True) == "GET /health/deep"
    assert rt.client.get("/health/").get_data(as_text=True) == "GET /health/"
    assert rt.client.get("/Ready").get_data(as_text=True) == "GET /Ready"


@pytest.mark.parametrize(
    ("ret", "status", "content_type", "body"),
    [
        ("'hi'", 200, "text/plain; charset=utf-8", b"hi"),
        ("b'\\x01'", 200, "application/octet-stream", b"\x01"),
        ("None", 204, None, b""),
        ("[1, 2]", 200, "application/json", b"[1,2]"),
        ("{'statusCode': 201, 'headers': {'X-A': 'b'}, 'body': {'id': 7}}", 201, "application/json", b'{"id":7}'),
        ("{'statusCode': 302, 'headers': {'Location': '/next'}}", 302, None, b""),
        ("{'statusCode': 200, 'headers': {'Content-Type': 'text/html'}, 'body': '<p>'}", 200, "text/html", b"<p>"),
    ],
)
def test_results(make_app, ret: str, status: int, content_type: str | None, body: bytes) -> None:
    rt = make_app(f"def handle(event, context):\n    return {ret}\n")
    r = rt.client.get("/")
    assert r.status_code == status
    assert r.headers.get("content-type") == content_type
    assert r.get_data() == body
    assert r.headers["x-invocation-id"]


def test_handler_exception_is_500_and_server_keeps_serving(make_app, capsys) -> None:
    rt = make_app(
        """
        class FixtureError(Exception):
            pass

        def handle(event, context):
            if event["query"].get("kind") == "custom":
                raise FixtureError("custom failure")
            raise ValueError("bad input")
        """.replace("\n        ", "\n")
    )
    for _ in range(3):
        r = rt.client.get("/")
        assert r.status_code == 500 and r.headers["content-type"] == "application/json"
        assert r.get_json() == {"error": {"type": "ValueError", "message": "bad input"}}
    r = rt.client.get("/?kind=custom")
    assert r.get_json() == {"error": {"type": "FixtureError", "message": "custom failure"}}
    assert rt.client.get("/health").status_code == 200 and rt.client.get("/ready").status_code == 200
    lines = log_lines(capsys.readouterr().out)
    invocations = [line for line in lines if line["msg"] == "invocation"]
    assert len(invocations) == 4
    assert invocations[0]["level"] == "error"
    assert invocations[0]["error"] == {"type": "ValueError", "message": "bad input"}
    raised = [line for line in lines if line["msg"] == "handler raised an exception"]
    assert raised and "ValueError: bad input" in raised[0]["stack"]
    assert 'handler.py", line' in raised[0]["stack"]
    assert "kube_serverless_runtime" not in raised[0]["stack"]  # only the function's frames
    assert raised[0]["invocationId"] == invocations[0]["invocationId"]


def test_system_exit_and_base_exceptions_do_not_kill_the_process(make_app) -> None:
    rt = make_app("import sys\ndef handle(event, context):\n    sys.exit(1)\n")
    r = rt.client.get("/")
    assert r.status_code == 500 and r.get_json()["error"]["type"] == "SystemExit"
    assert rt.client.get("/health").status_code == 200


def test_handler_raising_timeout_error_is_a_500_not_a_504(make_app) -> None:
    rt = make_app("def handle(event, context):\n    raise TimeoutError('upstream timed out')\n")
    r = rt.client.get("/")
    assert r.status_code == 500
    assert r.get_json() == {"error": {"type": "TimeoutError", "message": "upstream timed out"}}


def test_timeout_is_504_at_the_deadline(make_app, capsys) -> None:
    rt = make_app("import time\ndef handle(event, context):\n    time.sleep(3)\n    return 'late'\n",
                  FUNCTION_TIMEOUT_SECONDS="0.3")
    r = rt.client.get("/")
    # A 504 (not the handler's 'late') shows the deadline answered before the handler returned.
    assert r.status_code == 504
    assert r.get_json() == {"error": {"type": "Timeout", "message": "function did not finish within its timeout of 0.3s"}}
    assert rt.client.get("/health").status_code == 200
    line = [x for x in log_lines(capsys.readouterr().out) if x["msg"] == "invocation"][0]
    assert line["status"] == 504 and line["level"] == "error"


def test_async_handler_and_its_timeout_cancels_it(make_app, tmp_path) -> None:
    marker = tmp_path / "cancelled"
    rt = make_app(
        f"""
import asyncio
async def handle(event, context):
    try:
        await asyncio.sleep(float(event["query"]["s"]))
    except asyncio.CancelledError:
        open({str(marker)!r}, "w").close()
        raise
    return {{"slept": event["query"]["s"], "id": context.invocation_id}}
""",
        FUNCTION_TIMEOUT_SECONDS="0.3",
    )
    r = rt.client.get("/?s=0.01", headers={"x-invocation-id": "async-1"})
    assert r.status_code == 200 and r.get_json() == {"slept": "0.01", "id": "async-1"}
    r = rt.client.get("/?s=5")
    assert r.status_code == 504
    deadline = time.monotonic() + 2
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert marker.exists(), "the timed-out task was not cancelled"


def test_sync_function_returning_a_coroutine(make_app) -> None:
    rt = make_app("async def inner():\n    return 'from coroutine'\ndef handle(event, context):\n    return inner()\n")
    assert rt.client.get("/").get_data(as_text=True) == "from coroutine"


def test_concurrent_invocations_overlap(make_app) -> None:
    # Every handler waits until all eight are inside at once: served one after another, the
    # barrier would break and the calls would fail.
    rt = make_app(
        "import threading\n"
        "everyone = threading.Barrier(8, timeout=20)\n"
        "def handle(event, context):\n    everyone.wait()\n    return 'done'\n"
    )
    results: list[int] = []

    def call() -> None:
        results.append(rt.client.get("/").status_code)

    threads = [threading.Thread(target=call) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200] * 8


def test_payload_too_large(make_app) -> None:
    rt = make_app("def handle(event, context):\n    return len(event['body'])\n", FUNCTION_MAX_BODY_BYTES="1024")
    assert rt.client.post("/", data=b"x" * 1024, content_type="application/octet-stream").get_json() == 1024
    r = rt.client.post("/", data=b"x" * 1025, content_type="application/octet-stream")
    assert r.status_code == 413
    assert r.get_json() == {"error": {"type": "PayloadTooLarge", "message": "request body exceeds 1024 bytes"}}
    # Without a content length (chunked), the limit applies while reading.
    r = rt.client.post("/", input_stream=io.BytesIO(b"y" * 1200), headers={"Transfer-Encoding": "chunked"},
                       content_type="application/octet-stream")
    assert r.status_code == 413
    r = rt.client.post("/", input_stream=io.BytesIO(b"y" * 1000), headers={"Transfer-Encoding": "chunked"},
                       content_type="application/octet-stream")
    assert r.get_json() == 1000


def test_malformed_json(make_app) -> None:
    rt = make_app(ECHO)
    r = rt.client.post("/", data='{"a":', content_type="application/json")
    assert r.status_code == 400
    err = r.get_json()["error"]
    assert err["type"] == "BadRequest" and err["message"].startswith("request body is not valid JSON")


def test_unserializable_return(make_app) -> None:
    rt = make_app("def handle(event, context):\n    return {'s': {1, 2}}\n")
    r = rt.client.get("/")
    assert r.status_code == 500
    err = r.get_json()["error"]
    assert err["type"] == "SerializationError" and "not JSON serializable" in err["message"]


def test_cold_start_counts_once_and_metrics(make_app) -> None:
    rt = make_app("def handle(event, context):\n    if event['query'].get('fail'):\n        raise KeyError('k')\n    return 1\n")
    assert 'function_cold_starts_total{function="fn",namespace="ns"} 0.0' in rt.metrics()
    rt.client.get("/")
    rt.client.get("/")
    rt.client.get("/?fail=1")
    text = rt.metrics()
    assert 'function_cold_starts_total{function="fn",namespace="ns"} 1.0' in text
    assert 'function_invocations_total{code="200",function="fn",namespace="ns"} 2.0' in text
    assert 'function_invocations_total{code="500",function="fn",namespace="ns"} 1.0' in text
    assert 'function_duration_seconds_count{function="fn",namespace="ns"} 3.0' in text
    assert 'le="0.005"' in text and 'le="60.0"' in text
    rt.client.get("/health")
    rt.client.get("/ready")
    assert 'function_duration_seconds_count{function="fn",namespace="ns"} 3.0' in rt.metrics()


def test_invocation_log_line_and_handler_logs(make_app, capsys) -> None:
    rt = make_app(
        """
import logging
def handle(event, context):
    context.log.info("charged", amount=3)
    context.logger.warning("low balance")
    logging.getLogger("billing").error("std logging works too")
    print("plain print")
    return "ok"
"""
    )
    rt.client.post("/pay?x=1", headers={"x-invocation-id": "inv-42"})
    rt.client.post("/pay")
    out = capsys.readouterr().out
    assert "plain print" in out.splitlines()
    lines = log_lines(out)
    charged = [x for x in lines if x["msg"] == "charged"][0]
    assert charged["level"] == "info" and charged["amount"] == 3 and charged["invocationId"] == "inv-42"
    assert charged["function"] == "fn" and charged["namespace"] == "ns"
    assert [x for x in lines if x["msg"] == "low balance"][0]["level"] == "warn"
    std = [x for x in lines if x["msg"] == "std logging works too"][0]
    assert std["invocationId"] == "inv-42" and std["logger"] == "billing" and std["level"] == "error"
    inv = [x for x in lines if x["msg"] == "invocation"]
    assert [x["coldStart"] for x in inv] == [True, False]
    first = inv[0]
    assert set(first) == {"time", "level", "msg", "invocationId", "function", "namespace", "method", "path", "status",
                          "durationMs", "coldStart"}
    assert first["invocationId"] == "inv-42" and first["method"] == "POST" and first["path"] == "/pay"
    assert first["status"] == 200 and first["level"] == "info" and isinstance(first["durationMs"], float)
    assert first["time"].endswith("Z") and len(first["time"]) == 24
    for line in out.splitlines():
        if line != "plain print":
            json.loads(line)


def test_draining_makes_ready_503_but_invocations_still_run(make_app) -> None:
    rt = make_app("def handle(event, context):\n    return 'still here'\n")
    rt.state.draining = True
    r = rt.client.get("/ready")
    assert r.status_code == 503 and r.get_json() == {"ready": False, "reason": "shutting down"}
    assert rt.client.get("/").get_data(as_text=True) == "still here"


def test_handler_in_a_subdirectory_and_siblings(make_app, tmp_path) -> None:
    rt = make_app(None, FUNCTION_HANDLER="lib/main.run", load_now=False)
    fn_dir = tmp_path / "fn1"
    (fn_dir / "lib").mkdir()
    (fn_dir / "lib" / "main.py").write_text("from helper import greet\ndef run(event, context):\n    return greet()\n")
    (fn_dir / "lib" / "helper.py").write_text("def greet():\n    return 'hi from helper'\n")
    from kube_serverless_runtime.loader import load

    load(rt.config, rt.state)
    assert rt.client.get("/ready").status_code == 200, rt.client.get("/ready").get_json()
    assert rt.client.get("/").get_data(as_text=True) == "hi from helper"


def test_a_body_slower_than_the_timeout_is_a_504_without_running_the_handler(make_app, tmp_path) -> None:
    marker = tmp_path / "ran"
    rt = make_app(f"def handle(event, context):\n    open({str(marker)!r}, 'w').close()\n    return 'ran'\n",
                  FUNCTION_TIMEOUT_SECONDS="0.2")

    class SlowBody(io.BytesIO):
        def read(self, size: int = -1) -> bytes:
            time.sleep(0.3)
            return super().read(size)

    r = rt.client.post("/", input_stream=SlowBody(b"abc"), content_length=3, content_type="text/plain")
    assert r.status_code == 504 and r.get_json()["error"]["type"] == "Timeout"
    assert not marker.exists()
