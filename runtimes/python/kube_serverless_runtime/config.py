"""Runtime configuration, read once from the environment (docs/runtime-contract.md §1).

An invalid value never stops the runtime: it falls back to the default and is reported as a
``warn`` line. A malformed FUNCTION_HANDLER is kept as is and reported through /ready instead.
"""

from __future__ import annotations

import os
import re
import tempfile
from dataclasses import dataclass, field
from typing import Mapping

DEFAULT_FUNCTION_DIR = "/function"
DEFAULT_HANDLER = "handler.handle"
DEFAULT_TIMEOUT_SECONDS = 30.0
DEFAULT_MAX_BODY_BYTES = 6 * 1024 * 1024  # 6291456
DEFAULT_PORT = 8080
DEFAULT_HOST = "0.0.0.0"
DEFAULT_THREADS = 64

_SEGMENT_RE = re.compile(r"[^/\\]+")


@dataclass(frozen=True)
class Config:
    function_dir: str = DEFAULT_FUNCTION_DIR
    handler: str = DEFAULT_HANDLER
    function_name: str = "function"
    namespace: str = "default"
    timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    threads: int = DEFAULT_THREADS
    deps_cache_dir: str = field(default_factory=lambda: default_deps_cache())
    log_level: str = "info"
    warnings: tuple[str, ...] = ()

    @property
    def handler_module(self) -> str:
        """'lib/util.handle' → 'lib/util' (split at the last dot)."""
        return self.handler.rpartition(".")[0]

    @property
    def handler_function(self) -> str:
        return self.handler.rpartition(".")[2]

    @property
    def handler_segments(self) -> list[str]:
        """Path segments of the module: 'lib/util' and 'lib.util' both give ['lib', 'util']."""
        return [s for s in re.split(r"[./]", self.handler_module) if s]

    @property
    def handler_file(self) -> str:
        """The handler's file relative to function_dir: 'handler.handle' → 'handler.py'."""
        return "/".join(self.handler_segments) + ".py"

    def handler_problem(self) -> str | None:
        """Why FUNCTION_HANDLER cannot name a Python function, or None."""
        module, dot, function = self.handler.rpartition(".")
        if not dot or not module or not function.isidentifier():
            return (
                f"FUNCTION_HANDLER must be '<module>.<function>' such as 'handler.handle', "
                f"got {self.handler!r}"
            )
        parts = [p for part in module.split("/") for p in part.split(".")]
        if any(not p or not _SEGMENT_RE.fullmatch(p) for p in parts):
            return f"FUNCTION_HANDLER module {module!r} must be a relative path inside FUNCTION_DIR"
        return None


def default_deps_cache() -> str:
    return os.path.join(tempfile.gettempdir(), "kube-serverless", "python-deps")


def load_config(env: Mapping[str, str] | None = None) -> Config:
    env = os.environ if env is None else env
    warnings: list[str] = []

    def number(name: str, default: float, *, integer: bool, maximum: float | None = None) -> float:
        raw = env.get(name, "").strip()
        if raw == "":
            return default
        try:
            value: float = int(raw) if integer else float(raw)
        except ValueError:
            value = float("nan")
        if not value > 0 or value == float("inf") or (maximum is not None and value > maximum):
            warnings.append(f"{name}={raw!r} is not a valid {'integer' if integer else 'number'} > 0; using {default:g}")
            return default
        return value

    cache = env.get("FUNCTION_DEPS_CACHE_DIR", "").strip() or default_deps_cache()
    return Config(
        function_dir=os.path.abspath(env.get("FUNCTION_DIR", "").strip() or DEFAULT_FUNCTION_DIR),
        handler=env.get("FUNCTION_HANDLER", "").strip() or DEFAULT_HANDLER,
        function_name=env.get("FUNCTION_NAME", "").strip() or "function",
        namespace=env.get("FUNCTION_NAMESPACE", "").strip() or "default",
        timeout_seconds=number("FUNCTION_TIMEOUT_SECONDS", DEFAULT_TIMEOUT_SECONDS, integer=False),
        max_body_bytes=int(number("FUNCTION_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES, integer=True)),
        host=env.get("HOST", "").strip() or DEFAULT_HOST,
        port=int(number("PORT", DEFAULT_PORT, integer=True, maximum=65535)),
        threads=int(number("RUNTIME_THREADS", DEFAULT_THREADS, integer=True, maximum=4096)),
        deps_cache_dir=os.path.abspath(cache),
        log_level=(env.get("LOG_LEVEL", "").strip() or "info").lower(),
        warnings=tuple(warnings),
    )
