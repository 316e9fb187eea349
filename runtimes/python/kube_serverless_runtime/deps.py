"""Installs a function's requirements.txt at start, once per distinct file (see ADR 0202).

The target is ``<cache>/<key>/site`` where the key hashes the requirements file and the Python
version. A finished install is marked by a ``.complete`` file; an install goes to a temporary
directory first and is renamed into place, so a crash or a concurrent start never leaves a
half-installed directory that looks complete. The directory is put at the front of ``sys.path``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

from . import logs

REQUIREMENTS = "requirements.txt"
COMPLETE_MARKER = ".complete"


class DependencyError(RuntimeError):
    pass


def cache_key(requirements: bytes) -> str:
    h = hashlib.sha256()
    h.update(f"{sys.implementation.cache_tag}-{sys.platform}\n".encode())
    h.update(requirements)
    return h.hexdigest()[:32]


def has_requirements(function_dir: str) -> bool:
    path = os.path.join(function_dir, REQUIREMENTS)
    return os.path.isfile(path) and os.path.getsize(path) > 0


def install(function_dir: str, cache_dir: str, *, timeout: float = 600.0) -> str | None:
    """Install function_dir/requirements.txt (if any) and return the directory put on sys.path."""
    path = os.path.join(function_dir, REQUIREMENTS)
    if not has_requirements(function_dir):
        return None
    with open(path, "rb") as f:
        content = f.read()
    if not any(
        line.strip() and not line.strip().startswith(b"#") for line in content.splitlines()
    ):
        return None
    entry = os.path.join(cache_dir, cache_key(content))
    site = os.path.join(entry, "site")
    if not os.path.exists(os.path.join(entry, COMPLETE_MARKER)):
        _install_into(entry, function_dir, path, timeout)
    else:
        logs.log("info", "dependencies already installed", target=site)
    if site not in sys.path:
        sys.path.insert(0, site)
    return site


def _install_into(entry: str, function_dir: str, requirements: str, timeout: float) -> None:
    os.makedirs(os.path.dirname(entry), exist_ok=True)
    staging = tempfile.mkdtemp(prefix=os.path.basename(entry) + ".", dir=os.path.dirname(entry))
    started = time.monotonic()
    logs.log("info", "installing dependencies", requirements=requirements, target=entry)
    cmd = [
        sys.executable, "-m", "pip", "install",
        "--target", os.path.join(staging, "site"),
        "--requirement", requirements,
        "--no-input", "--disable-pip-version-check", "--no-cache-dir", "--prefer-binary",
        "--no-warn-script-location", "--quiet",
    ]
    try:
        # cwd=function_dir: relative paths inside requirements.txt (./wheels/x.whl) resolve there.
        proc = subprocess.run(
            cmd, cwd=function_dir, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        shutil.rmtree(staging, ignore_errors=True)
        raise DependencyError(f"pip install of {REQUIREMENTS} took longer than {timeout:g}s") from None
    if proc.returncode != 0:
        shutil.rmtree(staging, ignore_errors=True)
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-5:]
        raise DependencyError(
            f"pip install of {REQUIREMENTS} failed (exit {proc.returncode}): " + " | ".join(tail)
        )
    with open(os.path.join(staging, COMPLETE_MARKER), "w") as f:
        f.write(f"{time.time()}\n")
    try:
        os.rename(staging, entry)
    except OSError:
        # Another process finished the same install first: use theirs.
        shutil.rmtree(staging, ignore_errors=True)
        if not os.path.exists(os.path.join(entry, COMPLETE_MARKER)):
            raise
    logs.log(
        "info", "dependencies installed", target=entry,
        durationMs=round((time.monotonic() - started) * 1000, 1),
    )
