"""requirements.txt in the function's directory is installed at start, once per distinct file (ADR 0202)."""

from __future__ import annotations

import base64
import hashlib
import subprocess
import threading
import time
import zipfile
from pathlib import Path

import pytest

from kube_serverless_runtime import deps


def make_wheel(directory: Path, name: str = "ks_testdep", version: str = "0.1", value: str = "42") -> Path:
    """A minimal pure-Python wheel, built by hand so the test needs neither network nor build tools."""
    directory.mkdir(parents=True, exist_ok=True)
    dist_info = f"{name}-{version}.dist-info"
    files = {
        f"{name}/__init__.py": f"VALUE = {value!r}\n",
        f"{dist_info}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{dist_info}/WHEEL": "Wheel-Version: 1.0\nGenerator: kube-serverless-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = []
    for path, content in files.items():
        digest = base64.urlsafe_b64encode(hashlib.sha256(content.encode()).digest()).rstrip(b"=").decode()
        record.append(f"{path},sha256={digest},{len(content.encode())}")
    record.append(f"{dist_info}/RECORD,,")
    files[f"{dist_info}/RECORD"] = "\n".join(record) + "\n"
    wheel = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as z:
        for path, content in files.items():
            z.writestr(path, content)
    return wheel


def test_no_requirements(tmp_path: Path) -> None:
    assert deps.install(str(tmp_path), str(tmp_path / "cache")) is None
    (tmp_path / "requirements.txt").write_text("# only a comment\n\n")
    assert deps.install(str(tmp_path), str(tmp_path / "cache")) is None


def test_install_then_reuse_the_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fn = tmp_path / "fn"
    make_wheel(fn / "wheels")
    (fn / "requirements.txt").write_text("--no-index\n./wheels/ks_testdep-0.1-py3-none-any.whl\n")
    cache = tmp_path / "cache"
    site = deps.install(str(fn), str(cache))
    assert site is not None and (Path(site) / "ks_testdep" / "__init__.py").is_file()
    assert (Path(site).parent / deps.COMPLETE_MARKER).is_file()

    def no_pip(*args: object, **kwargs: object) -> None:
        raise AssertionError("pip ran again although the cache holds this requirements.txt")

    monkeypatch.setattr(subprocess, "run", no_pip)
    assert deps.install(str(fn), str(cache)) == site
    # A different requirements.txt is a different cache entry.
    (fn / "requirements.txt").write_text("--no-index\n./wheels/ks_testdep-0.1-py3-none-any.whl\n# changed\n")
    with pytest.raises(AssertionError):
        deps.install(str(fn), str(cache))


def test_function_with_dependencies_becomes_ready(make_app, tmp_path: Path) -> None:
    rt = make_app(None, load_now=False)
    fn = Path(rt.config.function_dir)
    make_wheel(fn / "wheels", name="ks_testdep2", value="from a wheel")
    (fn / "requirements.txt").write_text("--no-index\n./wheels/ks_testdep2-0.1-py3-none-any.whl\n")
    (fn / "handler.py").write_text("import ks_testdep2\ndef handle(event, context):\n    return ks_testdep2.VALUE\n")
    from kube_serverless_runtime.loader import load

    loader = threading.Thread(target=load, args=(rt.config, rt.state))
    loader.start()
    seen = set()
    while loader.is_alive():
        r = rt.client.get("/ready")
        seen.add((r.status_code, (r.get_json() or {}).get("reason")))
        time.sleep(0.05)
    loader.join()
    assert (503, "installing dependencies") in seen
    assert rt.client.get("/ready").status_code == 200, rt.client.get("/ready").get_json()
    assert rt.client.get("/").get_data(as_text=True) == "from a wheel"


def test_not_ready_while_installing_and_after_failure(make_app) -> None:
    rt = make_app(None, load_now=False)
    fn = Path(rt.config.function_dir)
    (fn / "requirements.txt").write_text("--no-index\nks-no-such-package-xyz==1.0\n")
    (fn / "handler.py").write_text("def handle(event, context):\n    return 1\n")
    from kube_serverless_runtime.loader import load

    load(rt.config, rt.state)
    r = rt.client.get("/ready")
    reason = r.get_json()["reason"]
    assert r.status_code == 503 and "pip install of requirements.txt failed" in reason
    assert "ks-no-such-package-xyz" in reason
    cache = Path(rt.config.deps_cache_dir)
    assert not any(p.is_dir() and (p / deps.COMPLETE_MARKER).exists() for p in cache.iterdir())
