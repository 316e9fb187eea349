"""Environment → configuration (docs/runtime-contract.md §1)."""

from __future__ import annotations

import os

import pytest

from kube_serverless_runtime.config import Config, load_config


def test_defaults() -> None:
    c = load_config({})
    assert c.function_dir == "/function"
    assert c.handler == "handler.handle" and c.handler_file == "handler.py" and c.handler_function == "handle"
    assert (c.function_name, c.namespace) == ("function", "default")
    assert c.timeout_seconds == 30 and c.max_body_bytes == 6291456
    assert (c.host, c.port) == ("0.0.0.0", 8080)
    assert c.warnings == ()


def test_values() -> None:
    c = load_config({
        "FUNCTION_DIR": "rel/dir", "FUNCTION_HANDLER": "lib/main.run", "FUNCTION_NAME": "f", "FUNCTION_NAMESPACE": "n",
        "FUNCTION_TIMEOUT_SECONDS": "0.5", "FUNCTION_MAX_BODY_BYTES": "1024", "PORT": "9000", "HOST": "127.0.0.1",
    })
    assert c.function_dir == os.path.abspath("rel/dir")
    assert (c.handler_module, c.handler_function, c.handler_file) == ("lib/main", "run", "lib/main.py")
    assert c.timeout_seconds == 0.5 and c.max_body_bytes == 1024 and c.port == 9000 and c.host == "127.0.0.1"
    assert c.handler_problem() is None


@pytest.mark.parametrize(
    ("name", "value"),
    [("FUNCTION_TIMEOUT_SECONDS", "abc"), ("FUNCTION_TIMEOUT_SECONDS", "0"), ("FUNCTION_TIMEOUT_SECONDS", "-1"),
     ("FUNCTION_TIMEOUT_SECONDS", "nan"), ("FUNCTION_MAX_BODY_BYTES", "1.5"), ("PORT", "70000"), ("PORT", "x")],
)
def test_invalid_numbers_fall_back_with_a_warning(name: str, value: str) -> None:
    c = load_config({name: value})
    assert getattr(c, {"FUNCTION_TIMEOUT_SECONDS": "timeout_seconds", "FUNCTION_MAX_BODY_BYTES": "max_body_bytes",
                       "PORT": "port"}[name]) == getattr(Config(), {"FUNCTION_TIMEOUT_SECONDS": "timeout_seconds",
                                                                     "FUNCTION_MAX_BODY_BYTES": "max_body_bytes",
                                                                     "PORT": "port"}[name])
    assert len(c.warnings) == 1 and name in c.warnings[0]


@pytest.mark.parametrize("handler", ["handle", "handler.", ".handle", "handler.not-a-name", "../up.handle",
                                     "/abs/path.handle"])
def test_bad_handler_names(handler: str) -> None:
    assert load_config({"FUNCTION_HANDLER": handler}).handler_problem()


def test_dotted_module_is_a_package_path() -> None:
    c = load_config({"FUNCTION_HANDLER": "pkg.mod.handle"})
    assert c.handler_segments == ["pkg", "mod"] and c.handler_file == "pkg/mod.py"
