"""Loads the function's handler from FUNCTION_DIR and tracks readiness."""

from __future__ import annotations

import importlib
import importlib.util
import inspect
import os
import re
import sys
import threading
import time
import traceback
from typing import Any, Callable

from . import deps, logs
from .config import Config


class LoadError(Exception):
    """The handler cannot be loaded; the message is what /ready reports."""


class HandlerState:
    """What /ready reports and what an invocation calls. Shared by all request threads."""

    def __init__(self) -> None:
        self.fn: Callable[..., Any] | None = None
        self.is_async = False
        self.reason = "loading function code"
        self.draining = False
        self.loaded = threading.Event()

    @property
    def ready(self) -> bool:
        return self.fn is not None and not self.draining

    def not_ready_reason(self) -> str:
        if self.draining:
            return "shutting down"
        return self.reason


def _is_async_callable(fn: Any) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(getattr(fn, "__call__", None))


def _import_by_path(name: str, path: str) -> Any:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def import_handler(config: Config) -> Callable[..., Any]:
    """Import FUNCTION_DIR/<module>.py and return its handler function, or raise LoadError.

    'handler.handle' imports module 'handler'; 'pkg.mod.handle' imports 'pkg.mod' (pkg/mod.py, a
    package or namespace package, so relative imports work). A path such as 'lib/main.handle' or
    'my-fn/main.handle' is loaded from its file (lib/main.py) with lib/ put on sys.path too, so the
    file imports its siblings by plain name, as a script would.
    """
    problem = config.handler_problem()
    if problem:
        raise LoadError(problem)
    function_dir = config.function_dir
    if not os.path.isdir(function_dir):
        raise LoadError(f"function directory {function_dir} does not exist")
    segments = config.handler_segments
    path = os.path.join(function_dir, *segments) + ".py"
    package_init = os.path.join(function_dir, *segments, "__init__.py")
    if not os.path.isfile(path) and not os.path.isfile(package_init):
        raise LoadError(f"handler file {config.handler_file} not found in {function_dir}")
    # The function's own directory comes first, so the handler can import its sibling modules.
    if function_dir in sys.path:
        sys.path.remove(function_dir)
    sys.path.insert(0, function_dir)
    # A fresh import, even if a module of that name was imported before (one process loads one
    # function, but tests load many).
    for name in (".".join(segments[: i + 1]) for i in range(len(segments))):
        sys.modules.pop(name, None)
    importlib.invalidate_caches()
    try:
        if "/" not in config.handler_module and all(s.isidentifier() for s in segments):
            module = importlib.import_module(".".join(segments))
        else:
            # A file path: load that file, with its own directory on sys.path for its siblings.
            module_dir = os.path.dirname(path)
            if module_dir not in sys.path:
                sys.path.insert(1, module_dir)
            module = _import_by_path(re.sub(r"\W", "_", "_".join(segments)), path)
    except BaseException as exc:  # noqa: BLE001 - SyntaxError, SystemExit, anything at import time
        if isinstance(exc, KeyboardInterrupt):
            raise
        detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
        raise LoadError(f"loading {config.handler_file} failed: {detail}") from exc
    fn = getattr(module, config.handler_function, None)
    if fn is None:
        raise LoadError(f'handler module {config.handler_file} has no function "{config.handler_function}"')
    if not callable(fn):
        raise LoadError(
            f'handler module {config.handler_file}: "{config.handler_function}" is a {type(fn).__name__}, '
            "not a function"
        )
    return fn


def load(config: Config, state: HandlerState) -> None:
    """Install dependencies, import the handler and mark the state ready (or record why not)."""
    started = time.monotonic()
    try:
        if deps.has_requirements(config.function_dir):
            state.reason = "installing dependencies"
            deps.install(config.function_dir, config.deps_cache_dir)
            state.reason = "loading function code"
        fn = import_handler(config)
    except Exception as exc:  # noqa: BLE001 - whatever it is, /ready must say it
        if isinstance(exc, (LoadError, deps.DependencyError)):
            state.reason = str(exc)
        else:
            state.reason = f"loading {config.handler_file} failed: {type(exc).__name__}: {exc}"
        logs.log("error", "function not loaded: " + state.reason, reason=state.reason, handler=config.handler,
                 functionDir=config.function_dir)
    else:
        state.is_async = _is_async_callable(fn)
        state.fn = fn
        state.reason = ""
        logs.log("info", "ready", handler=config.handler, isAsync=state.is_async, functionDir=config.function_dir,
                 loadMs=round((time.monotonic() - started) * 1000, 1))
    finally:
        state.loaded.set()
