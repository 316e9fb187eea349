"""Per-request CPU of the WSGI apps in process, without a server: bare app, minimal Flask, the runtime.

    runtimes/python/.venv/bin/python bench/runtimes/python/inprocess.py [RUNTIME_DIR] [--profile]

RUNTIME_DIR (default runtimes/python) lets two versions of the runtime be compared in the same
minute. The runtime is called as gunicorn would (raw header list, watchdog on, a socket in the
environ); its log lines go to /dev/null. --profile adds a cProfile of the runtime, by own time.
"""

import cProfile
import io
import os
import pstats
import sys
import time

here = os.path.dirname(os.path.abspath(__file__))
args = [a for a in sys.argv[1:] if a != "--profile"]
sys.path.insert(0, os.path.abspath(args[0]) if args else os.path.join(here, "..", "..", "..", "runtimes", "python"))
sys.path.insert(0, here)
os.environ.update(FUNCTION_DIR=os.path.join(here, "..", "..", "..", "examples", "python", "echo-json"),
                  FUNCTION_NAME="echo", FUNCTION_NAMESPACE="bench")

import flask_app  # noqa: E402
import raw_app  # noqa: E402
from kube_serverless_runtime.app import create_app, raw_headers  # noqa: E402
from kube_serverless_runtime.config import load_config  # noqa: E402
from kube_serverless_runtime.loader import HandlerState, load  # noqa: E402

BODY = b'{"message": "hello", "n": 42, "items": [1, 2, 3], "nested": {"ok": true}}'
N = 20000


def environ() -> dict:
    return {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "SCRIPT_NAME": "", "QUERY_STRING": "", "RAW_URI": "/",
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8080", "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1", "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(BODY)),
            "HTTP_HOST": "127.0.0.1:8080", "wsgi.input": io.BytesIO(BODY), "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr, "wsgi.multithread": True, "wsgi.multiprocess": False,
            "wsgi.run_once": False, "wsgi.version": (1, 0), "gunicorn.socket": object()}


def start_response(status, headers, exc_info=None):  # noqa: ANN001, ANN201
    return None


def call(app) -> None:  # noqa: ANN001
    result = app(environ(), start_response)
    for _ in result:
        pass
    if hasattr(result, "close"):
        result.close()


config = load_config(os.environ)
state = HandlerState()
load(config, state)
runtime = create_app(config, state)
runtime.extensions["kube_serverless"].enable_watchdog(lambda: None, lambda: None)
raw_headers.pairs = [("Host", "127.0.0.1:8080"), ("Content-Type", "application/json"),
                     ("Content-Length", str(len(BODY)))]
out, sys.stdout = sys.stdout, open(os.devnull, "w")  # the invocation log lines
for _round in range(2):
    for name, app in (("raw", raw_app.app), ("flask", flask_app.app), ("runtime", runtime)):
        for _ in range(2000):
            call(app)
        t = time.process_time()
        for _ in range(N):
            call(app)
        print(f"{name}: {(time.process_time() - t) / N * 1e6:.1f} µs/request", file=out)
if "--profile" in sys.argv:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(N):
        call(runtime)
    profile.disable()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(30)
