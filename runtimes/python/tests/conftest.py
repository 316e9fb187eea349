"""Fixtures: an in-process app (Flask test client) and the runtime as a real process (gunicorn)."""

from __future__ import annotations

import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from flask.testing import FlaskClient

RUNTIME_DIR = Path(__file__).resolve().parent.parent
REPO_ROOT = RUNTIME_DIR.parent.parent
EXAMPLES = REPO_ROOT / "examples" / "python"
sys.path.insert(0, str(RUNTIME_DIR))

from kube_serverless_runtime.app import create_app  # noqa: E402
from kube_serverless_runtime.config import load_config  # noqa: E402
from kube_serverless_runtime.loader import HandlerState, load  # noqa: E402
from kube_serverless_runtime.metrics import FunctionMetrics  # noqa: E402
from prometheus_client import CollectorRegistry  # noqa: E402


def write_function(directory: Path, source: str, filename: str = "handler.py", **extra: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / filename).write_text(textwrap.dedent(source))
    for name, content in extra.items():
        (directory / name).write_text(textwrap.dedent(content))
    return directory


class BufferedClient(FlaskClient):
    """Closes each response at once, as a server does, so the after-response work (metrics, log) runs."""

    def open(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("buffered", True)
        return super().open(*args, **kwargs)


@dataclass
class InProcess:
    client: Any
    state: HandlerState
    registry: CollectorRegistry
    config: Any

    def metrics(self) -> str:
        return self.client.get("/metrics").get_data(as_text=True)


@pytest.fixture
def make_app(tmp_path: Path) -> Callable[..., InProcess]:
    """make_app(source, **env) → the app on a fresh registry, function loaded synchronously."""
    counter = [0]

    def make(source: str | None, filename: str = "handler.py", load_now: bool = True, **env: str) -> InProcess:
        counter[0] += 1
        fn_dir = tmp_path / f"fn{counter[0]}"
        fn_dir.mkdir()
        if source is not None:
            write_function(fn_dir, source, filename)
        config = load_config(
            {"FUNCTION_DIR": str(fn_dir), "FUNCTION_NAME": "fn", "FUNCTION_NAMESPACE": "ns",
             "FUNCTION_DEPS_CACHE_DIR": str(tmp_path / "deps"), **env}
        )
        state = HandlerState()
        registry = CollectorRegistry()
        app = create_app(config, state, FunctionMetrics(config.function_name, config.namespace, registry))
        if load_now:
            load(config, state)
        app.test_client_class = BufferedClient
        return InProcess(app.test_client(), state, registry, config)

    return make


_handed_out: set[int] = set()


def free_port() -> int:
    """A port free right now, below the kernel's ephemeral range: a port from bind(0), closed again,
    can be taken by an outgoing connection before the runtime binds it (docs/decisions/0005)."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range") as f:
            high = min(32768, int(f.read().split()[0]))
    except (OSError, ValueError, IndexError):
        high = 32768
    for _ in range(500):
        port = random.randrange(15000, high) if high > 16000 else 0
        if port in _handed_out:
            continue
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            port = s.getsockname()[1]
        _handed_out.add(port)
        return port
    raise RuntimeError("no free port found on 127.0.0.1")


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Runtime:
    """The runtime as a process: python -m kube_serverless_runtime, as local.json starts it."""

    proc: subprocess.Popen
    port: int
    started: float
    lines: list[str] = field(default_factory=list)
    reader: threading.Thread | None = None

    def request(self, method: str, path: str, body: bytes | str | None = None,
                headers: list[tuple[str, str]] | dict[str, str] | None = None, timeout: float = 10.0) -> Response:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.putrequest(method, path, skip_accept_encoding=True)
            pairs = list(headers.items()) if isinstance(headers, dict) else list(headers or [])
            data = body.encode() if isinstance(body, str) else body
            for name, value in pairs:
                conn.putheader(name, value)
            if data is not None:
                conn.putheader("Content-Length", str(len(data)))
            conn.endheaders(data)
            resp = conn.getresponse()
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, resp.read())
        finally:
            conn.close()

    def wait_ready(self, timeout: float = 15.0) -> float:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError(f"runtime exited with {self.proc.returncode}:\n" + "\n".join(self.lines))
            try:
                if self.request("GET", "/ready", timeout=1).status == 200:
                    return time.monotonic() - self.started
            except OSError:
                pass
            time.sleep(0.01)
        raise AssertionError("runtime not ready in time:\n" + "\n".join(self.lines))

    def json_lines(self) -> list[dict[str, Any]]:
        out = []
        for line in list(self.lines):
            try:
                out.append(json.loads(line))
            except ValueError:
                pass
        return out

    def json_lines_when(self, ready: Callable[[list[dict[str, Any]]], bool], timeout: float = 10.0) -> list[dict[str, Any]]:
        """The JSON log lines once `ready` holds for them (or at the timeout): a line follows its response."""
        deadline = time.monotonic() + timeout
        while True:
            lines = self.json_lines()
            if ready(lines) or time.monotonic() >= deadline:
                return lines
            time.sleep(0.01)

    def invocation_lines(self, count: int) -> list[dict[str, Any]]:
        """The invocation log lines once `count` have arrived."""
        invocations = lambda lines: [x for x in lines if x.get("msg") == "invocation"]  # noqa: E731
        return invocations(self.json_lines_when(lambda lines: len(invocations(lines)) >= count))

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 15.0) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        if self.reader is not None:
            self.reader.join(5)  # the last lines the process wrote, read to the end
        return code


@pytest.fixture
def start_runtime(tmp_path: Path) -> Iterator[Callable[..., Runtime]]:
    runtimes: list[Runtime] = []

    def start(function_dir: Path, wait: bool = True, **env: str) -> Runtime:
        port = free_port()
        full_env = {k: v for k, v in os.environ.items() if not k.startswith("FUNCTION_")}
        full_env.update(
            FUNCTION_DIR=str(function_dir), HOST="127.0.0.1", PORT=str(port), FUNCTION_NAME="fn",
            FUNCTION_NAMESPACE="ns", FUNCTION_DEPS_CACHE_DIR=str(tmp_path / "deps-cache"), PYTHONUNBUFFERED="1",
        )
        full_env.update(env)
        local = json.loads((RUNTIME_DIR / "local.json").read_text())
        started = time.monotonic()
        proc = subprocess.Popen(
            local["command"], cwd=RUNTIME_DIR / local["cwd"], env=full_env,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        rt = Runtime(proc, port, started)

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                rt.lines.append(line.rstrip("\n"))

        rt.reader = threading.Thread(target=pump, daemon=True)
        rt.reader.start()
        runtimes.append(rt)
        if wait:
            rt.wait_ready()
        return rt

    yield start
    for rt in runtimes:
        if rt.proc.poll() is None:
            rt.proc.kill()
            rt.proc.wait()
