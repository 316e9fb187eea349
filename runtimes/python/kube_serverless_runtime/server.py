"""Serving with gunicorn: one worker process with a thread pool (ADR 0201).

The master process only binds the socket, supervises the worker and relays signals; the worker
builds the Flask app and loads the function. SIGTERM to the master → SIGTERM to the worker → the
worker marks itself draining (/ready answers 503), stops accepting, finishes in-flight requests
(bounded by the function timeout) and exits; the master then exits 0.
"""

from __future__ import annotations

import math
import os
import signal
import sys
import threading
from typing import Any, Callable

from gunicorn import glogging
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from gunicorn.workers.gthread import ThreadWorker

from . import logs
from .config import Config
from .executor import GrowingThreadPool

# Set in the worker process: by RuntimeApplication.load() and RuntimeWorker.get_thread_pool().
_state: Any = None
_request_pool: GrowingThreadPool | None = None


class RuntimeWorker(ThreadWorker):
    """gunicorn's threaded worker, plus: SIGTERM (and SIGINT) flip /ready to 503 and start the drain."""

    def get_thread_pool(self) -> GrowingThreadPool:
        """Request threads that are replaced when one is abandoned to a hung handler (ADR 0201)."""
        global _request_pool
        _request_pool = GrowingThreadPool(self.cfg.threads)
        return _request_pool

    def init_signals(self) -> None:
        super().init_signals()
        signal.signal(signal.SIGINT, self.handle_exit)  # gunicorn's default for SIGINT is a quick exit

    def handle_exit(self, sig: int, frame: Any) -> None:
        if _state is not None and not _state.draining:
            _state.draining = True
            logs.log("info", "shutting down", signal=signal.Signals(sig).name if sig else None)
        super().handle_exit(sig, frame)


class RuntimeArbiter(Arbiter):
    """The master: SIGINT is a graceful stop too (gunicorn's default is a quick one)."""

    def handle_int(self) -> None:
        raise StopIteration


def drain_aware(app: Callable[..., Any]) -> Callable[..., Any]:
    """WSGI wrapper: a response finished while draining announces `Connection: close`.

    gunicorn's start_response is a method of its Response, whose headers are not written until the
    first body chunk, that is after the app returned; force_close() then turns keep-alive off.
    """

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        result = app(environ, start_response)
        if _state is not None and _state.draining:
            force_close = getattr(getattr(start_response, "__self__", None), "force_close", None)
            if force_close is not None:
                force_close()
        return result

    return wsgi


class JsonLogger(glogging.Logger):
    """gunicorn's own messages (warnings and errors only) as JSON lines; no access log."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for handler in self.error_log.handlers:
            handler.setFormatter(logs.JsonFormatter())

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        return None  # the runtime writes its own line per invocation


def _pre_request(worker: Any, req: Any) -> None:
    from .app import raw_headers

    raw_headers.pairs = req.headers


def _post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:
    from .app import raw_headers

    raw_headers.pairs = None


def _post_worker_init(worker: Any) -> None:
    host, port = None, None
    for sock in worker.sockets:
        name = sock.sock.getsockname()
        if isinstance(name, tuple):
            host, port = name[0], name[1]
            break
    logs.log("info", "listening", host=host, port=port, pid=os.getpid(), threads=worker.cfg.threads)


def _worker_exit(server: Any, worker: Any) -> None:
    logs.log("info", "runtime stopped", pid=worker.pid)
    logs.flush()


def _bind_address(config: Config) -> str:
    host = config.host
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{config.port}"


def gunicorn_options(config: Config) -> dict[str, Any]:
    shm = "/dev/shm"
    return {
        "bind": [_bind_address(config)],
        "workers": 1,  # one process: metrics, cold start and the handler's state are process-wide
        "worker_class": RuntimeWorker,
        "threads": config.threads,
        "worker_connections": 1000,
        # Longer than the idle timeout of the clients in front (Node agents keep sockets ~4-5 s,
        # proxies up to 60 s), so the server is never the one closing a socket a client is reusing.
        "keepalive": 75,
        # The heartbeat of the worker's main loop, not a request timeout (that is ours).
        "timeout": 60,
        # In-flight invocations end within the function timeout; a connection still open after
        # that belongs to a handler abandoned at its deadline: the drain gives up on it after 2 s.
        "graceful_timeout": math.ceil(config.timeout_seconds) + 2,
        "limit_request_line": 8190,
        "logger_class": JsonLogger,
        "loglevel": "warning",
        "errorlog": "-",
        "accesslog": None,
        "control_socket_disable": True,
        "proc_name": f"kube-serverless-python:{config.function_name}",
        "worker_tmp_dir": shm if os.path.isdir(shm) and os.access(shm, os.W_OK) else None,
        "pre_request": _pre_request,
        "post_request": _post_request,
        "post_worker_init": _post_worker_init,
        "worker_exit": _worker_exit,
    }


class RuntimeApplication(BaseApplication):
    def __init__(self, config: Config) -> None:
        self.config = config
        super().__init__()

    def load_config(self) -> None:
        for key, value in gunicorn_options(self.config).items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        """Runs in the worker: build the app, then load the function in the background."""
        global _state
        from .app import create_app
        from .loader import HandlerState, load

        logs.configure_logging(self.config.log_level)
        logs.start_batching()
        state = HandlerState()
        _state = state
        app = create_app(self.config, state)
        if _request_pool is not None:
            app.extensions["kube_serverless"].enable_watchdog(_request_pool.abandon, _request_pool.reclaim)
        threading.Thread(target=load, args=(self.config, state), name="function-loader", daemon=True).start()
        return drain_aware(app)

    def run(self) -> None:
        try:
            RuntimeArbiter(self).run()
        except RuntimeError as exc:
            logs.log("error", "server failed", error=str(exc))
            sys.exit(1)


def serve(config: Config) -> None:
    RuntimeApplication(config).run()
