"""The runtime as a real process (gunicorn), started the way local.json says."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

from conftest import EXAMPLES, Response, write_function


def test_examples_and_process_lifecycle(start_runtime) -> None:
    rt = start_runtime(EXAMPLES / "echo-json")
    r = rt.request("POST", "/?a=1", '{"hello":["world"]}', {"content-type": "application/json"})
    assert (r.status, r.json()) == (200, {"hello": ["world"]})
    assert r.headers["content-type"] == "application/json" and r.headers["x-invocation-id"]
    r = rt.request("POST", "/", "plain text", {"content-type": "text/plain"})
    assert r.status == 400
    assert rt.request("GET", "/health").json() == {"status": "ok"}
    metrics = rt.request("GET", "/metrics").body.decode()
    assert 'function_cold_starts_total{function="fn",namespace="ns"} 1.0' in metrics
    assert "process_resident_memory_bytes" in metrics and "python_info" in metrics
    lines = rt.json_lines()
    listening = [x for x in lines if x["msg"] == "listening"]
    assert listening and listening[0]["host"] == "127.0.0.1" and listening[0]["port"] == rt.port
    assert any(x["msg"] == "ready" for x in lines)
    inv = rt.invocation_lines(2)
    assert [x["status"] for x in inv] == [200, 400] and inv[0]["coldStart"] is True
    assert rt.stop() == 0


def test_repeated_headers_are_joined_with_comma_space(start_runtime, tmp_path: Path) -> None:
    fn = write_function(tmp_path / "fn", "def handle(event, context):\n    return event['headers']\n")
    rt = start_runtime(fn)
    r = rt.request("GET", "/", headers=[("X-Tag", "a"), ("x-tag", "b, c"), ("X-Invocation-Id", "given-id")])
    assert r.json()["x-tag"] == "a, b, c"
    assert r.json()["host"] == f"127.0.0.1:{rt.port}"
    assert r.headers["x-invocation-id"] == "given-id"
    big = rt.request("POST", "/", "x" * 2048, {"content-type": "text/plain"})
    assert big.status == 200
    assert rt.stop() == 0


def test_sigterm_finishes_the_request_in_flight(start_runtime) -> None:
    rt = start_runtime(EXAMPLES / "slow")
    result: list[Response] = []
    t = threading.Thread(target=lambda: result.append(rt.request("GET", "/?ms=1500")))
    t.start()
    time.sleep(0.5)
    rt.proc.send_signal(signal.SIGTERM)
    t.join(10)
    assert result and result[0].status == 200 and result[0].json() == {"sleptMs": 1500.0}
    assert result[0].headers.get("connection") == "close"
    assert rt.proc.wait(10) == 0
    msgs = [x["msg"] for x in rt.json_lines()]
    assert msgs.index("shutting down") < len(msgs) - 1
    assert any(x["msg"] == "invocation" and x["status"] == 200 for x in rt.json_lines())


def test_sigint_is_graceful_too(start_runtime) -> None:
    rt = start_runtime(EXAMPLES / "slow")
    result: list[Response] = []
    t = threading.Thread(target=lambda: result.append(rt.request("GET", "/?ms=800")))
    t.start()
    time.sleep(0.4)
    rt.proc.send_signal(signal.SIGINT)
    t.join(10)
    assert result and result[0].status == 200
    assert rt.proc.wait(10) == 0


def test_never_returning_handler_gets_504_and_the_server_stays_responsive(start_runtime, tmp_path: Path) -> None:
    fn = write_function(tmp_path / "fn", """
        import time
        def handle(event, context):
            if event["path"] == "/quick":
                return "quick"
            while True:
                time.sleep(0.05)
    """)
    rt = start_runtime(fn, FUNCTION_TIMEOUT_SECONDS="0.5")
    results: list[Response] = []

    def hang() -> None:
        results.append(rt.request("POST", "/hang"))

    threads = [threading.Thread(target=hang) for _ in range(4)]
    for t in threads:
        t.start()
    time.sleep(0.1)
    assert rt.request("GET", "/health", timeout=2).status == 200  # while four handlers hang
    for t in threads:
        t.join(10)
    assert len(results) == 4
    for r in results:
        assert r.status == 504 and r.json()["error"]["type"] == "Timeout"
        assert "0.5s" in r.json()["error"]["message"]
    assert rt.request("GET", "/quick").body == b"quick"
    assert rt.request("GET", "/ready").status == 200
    assert rt.stop() == 0  # stuck handler threads do not hold the exit


def test_failing_handler_leaves_the_server_healthy(start_runtime) -> None:
    rt = start_runtime(EXAMPLES / "error")
    for _ in range(5):
        r = rt.request("POST", "/")
        assert r.status == 500 and r.json()["error"]["type"] == "ValueError"
    r = rt.request("GET", "/?kind=custom")
    assert r.json() == {"error": {"type": "PaymentDeclined", "message": "card ending 4242 was declined"}}
    assert rt.request("GET", "/health").status == 200 and rt.request("GET", "/ready").status == 200
    assert rt.stop() == 0


def test_missing_handler_is_not_ready_but_alive(start_runtime, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    rt = start_runtime(empty, wait=False)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            if rt.request("GET", "/health", timeout=1).status == 200:
                break
        except OSError:
            time.sleep(0.02)
    r = rt.request("GET", "/ready")
    assert r.status == 503 and r.json()["reason"] == f"handler file handler.py not found in {empty}"
    r = rt.request("POST", "/", "{}", {"content-type": "application/json"})
    assert r.status == 503 and r.json()["error"]["type"] == "NotReady"
    not_found = lambda lines: any(x["level"] == "error" and "not found" in x["msg"] for x in lines)  # noqa: E731
    assert not_found(rt.json_lines_when(not_found))
    assert rt.stop() == 0


def test_hello_and_payload_limit(start_runtime) -> None:
    rt = start_runtime(EXAMPLES / "hello", FUNCTION_MAX_BODY_BYTES="100")
    r = rt.request("GET", "/?name=Ada")
    assert (r.status, r.body, r.headers["content-type"]) == (200, b"Hello, Ada!\n", "text/plain; charset=utf-8")
    r = rt.request("POST", "/", "x" * 5000, {"content-type": "text/plain"})
    assert r.status == 413 and r.json()["error"] == {"type": "PayloadTooLarge", "message": "request body exceeds 100 bytes"}
    assert rt.request("GET", "/health").status == 200
    assert rt.stop() == 0


def test_hung_handlers_do_not_starve_a_small_thread_pool(start_runtime, tmp_path: Path) -> None:
    """Each request thread abandoned to a hung handler is replaced, so the server keeps serving."""
    fn = write_function(tmp_path / "fn", """
        import time
        def handle(event, context):
            if event["path"] == "/quick":
                return "quick"
            time.sleep(30)
    """)
    rt = start_runtime(fn, FUNCTION_TIMEOUT_SECONDS="0.5", RUNTIME_THREADS="2")
    results: list[Response] = []
    threads = [threading.Thread(target=lambda: results.append(rt.request("POST", "/hang"))) for _ in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(15)
    assert [r.status for r in results] == [504] * 5
    assert all(r.headers.get("connection") == "close" and r.headers["x-invocation-id"] for r in results)
    assert rt.request("GET", "/quick", timeout=5).body == b"quick"
    assert rt.request("GET", "/health", timeout=5).status == 200
    lines = rt.invocation_lines(6)
    assert sorted(x["status"] for x in lines) == [200, 504, 504, 504, 504, 504]
    assert rt.stop() == 0


def test_handlers_finishing_around_the_deadline_always_get_one_complete_answer(start_runtime, tmp_path: Path) -> None:
    """The request thread and the watchdog race for every invocation here; each must get exactly one
    well-formed response (200 with its body, or the 504) and one log line, on reused connections."""
    import http.client
    import json

    fn = write_function(tmp_path / "fn", """
        import random, time
        def handle(event, context):
            time.sleep(random.uniform(0.07, 0.13))
            return {"id": context.invocation_id}
    """)
    rt = start_runtime(fn, FUNCTION_TIMEOUT_SECONDS="0.1", RUNTIME_THREADS="4")
    problems: list[str] = []
    statuses: list[int] = []

    def client(k: int) -> None:
        conn: http.client.HTTPConnection | None = None
        for i in range(12):
            iid = f"race-{k}-{i}"
            try:
                if conn is None:
                    conn = http.client.HTTPConnection("127.0.0.1", rt.port, timeout=10)
                conn.request("POST", "/", body="{}", headers={"content-type": "application/json", "x-invocation-id": iid})
                r = conn.getresponse()
                data = json.loads(r.read())
                statuses.append(r.status)
                if not ((r.status == 200 and data == {"id": iid}) or (
                        r.status == 504 and data["error"]["type"] == "Timeout" and r.getheader("x-invocation-id") == iid)):
                    problems.append(f"{r.status} {data}")
                if r.will_close:
                    conn.close()
                    conn = None
            except Exception as exc:  # noqa: BLE001 - collected and asserted below
                problems.append(repr(exc))
                if conn is not None:
                    conn.close()
                conn = None

    threads = [threading.Thread(target=client, args=(k,)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert problems == []
    assert len(statuses) == 72 and set(statuses) <= {200, 504}
    assert rt.request("GET", "/health").status == 200
    assert rt.stop() == 0
    lines = [x for x in rt.json_lines() if x["msg"] == "invocation"]
    assert len(lines) == 72
