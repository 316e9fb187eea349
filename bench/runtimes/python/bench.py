"""Benchmark of the Python runtime against a raw WSGI server, in one run (see bench/runtimes/RESULTS.md).

    runtimes/python/.venv/bin/python bench/runtimes/python/bench.py [--duration 10] [--rounds 3]

Throughput and latency: wrk (apt-get install wrk; else autocannon, the repository's devDependency,
with millisecond latency resolution) POSTs a small JSON body to
  raw      gunicorn, same settings as the runtime (1 worker, gthread, 64 threads), bare WSGI echo app
  stdlib   the standard library's http.server (ThreadingHTTPServer, keep-alive) echoing the body
  flask    a minimal Flask echo view on the same gunicorn setup (the framework's own cost)
  runtime  the runtime serving examples/python/echo-json
at concurrency 1 and 32, for --duration seconds per measurement after a 2 s warm-up, the four
servers alternating for --rounds rounds; the median round is reported, with the server's CPU time
per request (user + system, from /proc).
Start-up: --starts fresh runtime processes; time from spawn to /ready = 200 and from spawn to the
first 200 of an invocation (a separate spawn), polling every 2 ms. Idle memory: RSS (and PSS) of
the runtime's processes after start-up, before any load.
Everything listens on 127.0.0.1; every loop is bounded in count and time.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import datetime, timezone

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
RUNTIME_DIR = os.path.join(ROOT, "runtimes", "python")
PYTHON = os.path.join(RUNTIME_DIR, ".venv", "bin", "python")
AUTOCANNON = os.path.join(ROOT, "node_modules", ".bin", "autocannon")
ECHO_DIR = os.path.join(ROOT, "examples", "python", "echo-json")
BODY = json.dumps({"message": "hello", "n": 42, "items": [1, 2, 3], "nested": {"ok": True}})
HOST = "127.0.0.1"
NICE = 0  # --nice: scheduling priority of everything the benchmark starts (servers, load generator)


def _renice() -> None:
    if NICE:
        os.nice(NICE)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 1.0) -> int:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def post(url: str, timeout: float = 1.0) -> int:
    req = urllib.request.Request(url, data=BODY.encode(), headers={"content-type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            r.read()
            return r.status
    except urllib.error.HTTPError as e:
        return e.code
    except OSError:
        return 0


def runtime_env(port: int) -> dict[str, str]:
    env = dict(os.environ)
    env.update(FUNCTION_DIR=ECHO_DIR, FUNCTION_NAME="echo", FUNCTION_NAMESPACE="bench", HOST=HOST, PORT=str(port))
    return env


def spawn_runtime(port: int, log) -> subprocess.Popen:
    return subprocess.Popen(
        [PYTHON, "-m", "kube_serverless_runtime"], cwd=RUNTIME_DIR, env=runtime_env(port), stdout=log, stderr=log,
        preexec_fn=_renice,
    )


def spawn_raw(port: int, log, app: str = "raw_app:app") -> subprocess.Popen:
    cmd = [
        PYTHON, "-m", "gunicorn", "--workers", "1", "--worker-class", "gthread", "--threads", "64",
        "--keep-alive", "75", "--no-control-socket", "--log-level", "warning", "--bind", f"{HOST}:{port}", app,
    ]
    return subprocess.Popen(cmd, cwd=os.path.dirname(os.path.abspath(__file__)), stdout=log, stderr=log,
                            preexec_fn=_renice)


def spawn_flask(port: int, log) -> subprocess.Popen:
    return spawn_raw(port, log, "flask_app:app")


def spawn_stdlib(port: int, log) -> subprocess.Popen:
    here = os.path.dirname(os.path.abspath(__file__))
    return subprocess.Popen([PYTHON, os.path.join(here, "stdlib_server.py"), str(port)], stdout=log, stderr=log,
                            preexec_fn=_renice)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of pid and its (live) children."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        with open(f"/proc/{pid}/task/{pid}/children") as f:
            pids = [pid] + [int(p) for p in f.read().split()]
    except OSError:
        pids = [pid]
    for p in pids:
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError, ValueError):
            pass
    return total


def wait_until(check, timeout: float) -> float | None:
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        if check():
            return time.perf_counter() - start
        time.sleep(0.002)
    return None


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wrk(url: str, connections: int, duration: float) -> dict:
    here = os.path.dirname(os.path.abspath(__file__))
    cmd = ["wrk", "--threads", "1", "--connections", str(connections), "--duration", f"{max(1, round(duration))}s",
           "--timeout", "10s", "--script", os.path.join(here, "post_json.lua"), url]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=True,
                         env=dict(os.environ, BENCH_BODY=BODY), preexec_fn=_renice)
    line = next(l for l in out.stdout.splitlines() if l.startswith("JSON "))
    data = json.loads(line[5:])
    return {
        "rps": data["requests"] / (data["duration_us"] / 1e6),
        "p50": data["p50_us"] / 1000,
        "p99": data["p99_us"] / 1000,
        "errors": data["errors"] + data["non2xx"],
        "total": data["requests"],
    }


def load_generator(url: str, connections: int, duration: float) -> dict:
    """wrk when installed (microsecond latencies), else autocannon (millisecond resolution)."""
    if shutil.which("wrk"):
        return wrk(url, connections, duration) | {"tool": "wrk"}
    return autocannon(url, connections, duration) | {"tool": "autocannon"}


def autocannon(url: str, connections: int, duration: float) -> dict:
    cmd = [
        AUTOCANNON, "--json", "--connections", str(connections), "--duration", str(duration),
        "--method", "POST", "--headers", "content-type=application/json", "--body", BODY, url,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60, check=True,
                         preexec_fn=_renice)
    data = json.loads(out.stdout)
    return {
        "rps": data["requests"]["average"],
        "p50": data["latency"]["p50"],
        "p99": data["latency"]["p99"],
        "errors": data["errors"] + data["non2xx"] + data["timeouts"],
        "total": data["requests"]["total"],
    }


def proc_memory(pid: int) -> dict:
    def read(path: str) -> str:
        try:
            with open(path) as f:
                return f.read()
        except OSError:
            return ""

    def kib(text: str, key: str) -> int:
        for line in text.splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
        return 0

    pids = [pid] + [int(p) for p in read(f"/proc/{pid}/task/{pid}/children").split()]
    rss = sum(kib(read(f"/proc/{p}/status"), "VmRSS") for p in pids)
    pss = sum(kib(read(f"/proc/{p}/smaps_rollup"), "Pss") for p in pids)
    per = {p: kib(read(f"/proc/{p}/status"), "VmRSS") for p in pids}
    return {"processes": len(pids), "rss_mib": rss / 1024, "pss_mib": pss / 1024, "rss_by_pid_mib": {str(k): v / 1024 for k, v in per.items()}}


def startup(n: int, log) -> dict:
    ready, first, ready_cpu = [], [], []
    for i in range(n):
        port = free_port()
        t0 = time.perf_counter()
        proc = spawn_runtime(port, log)
        took = wait_until(lambda: get(f"http://{HOST}:{port}/ready", 0.5) == 200, 20)
        if took is None:
            stop(proc)
            raise SystemExit("runtime did not become ready in 20 s")
        ready.append(time.perf_counter() - t0)
        ready_cpu.append(cpu_seconds(proc.pid))
        if i == 0:
            time.sleep(1.0)
            memory = proc_memory(proc.pid)
        stop(proc)
        port = free_port()
        t0 = time.perf_counter()
        proc = spawn_runtime(port, log)
        took = wait_until(lambda: post(f"http://{HOST}:{port}/", 0.5) == 200, 20)
        if took is None:
            stop(proc)
            raise SystemExit("runtime did not answer an invocation in 20 s")
        first.append(time.perf_counter() - t0)
        stop(proc)
    return {
        "ready_ms": {"median": statistics.median(ready) * 1000, "min": min(ready) * 1000, "max": max(ready) * 1000},
        "first_response_ms": {"median": statistics.median(first) * 1000, "min": min(first) * 1000, "max": max(first) * 1000},
        # CPU time (user + system, master + worker) spent until /ready answered 200: what the start
        # costs regardless of how busy the machine is (wall time ≈ this on an idle core).
        "cpu_ms_until_ready": {"median": statistics.median(ready_cpu) * 1000, "min": min(ready_cpu) * 1000,
                               "max": max(ready_cpu) * 1000},
        "idle_memory": memory,
    }


def startup_raw(n: int, log) -> dict:
    """The same figures for the bare WSGI app on the same gunicorn setup: what the server alone costs."""
    first, cpu = [], []
    for _ in range(n):
        port = free_port()
        t0 = time.perf_counter()
        proc = spawn_raw(port, log)
        if wait_until(lambda: post(f"http://{HOST}:{port}/", 0.5) == 200, 20) is None:
            stop(proc)
            raise SystemExit("raw server did not answer in 20 s")
        first.append(time.perf_counter() - t0)
        cpu.append(cpu_seconds(proc.pid))
        stop(proc)
    return {
        "first_response_ms": {"median": statistics.median(first) * 1000, "min": min(first) * 1000,
                              "max": max(first) * 1000},
        "cpu_ms_until_first_response": {"median": statistics.median(cpu) * 1000, "min": min(cpu) * 1000,
                                        "max": max(cpu) * 1000},
    }


def bare_interpreter_cpu_ms() -> float:
    """CPU time of `python -c pass` (the venv's): the floor of any Python start on this machine."""
    samples = []
    for _ in range(5):
        before = os.times()
        subprocess.run([PYTHON, "-c", "pass"], check=True)
        after = os.times()
        samples.append((after.children_user - before.children_user + after.children_system
                        - before.children_system) * 1000)
    return statistics.median(samples)


def machine() -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo") as f:
            model = next((l.split(":", 1)[1].strip() for l in f if l.startswith("model name")), "")
    except OSError:
        pass
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    return {
        "cpus": os.cpu_count(), "cpu": model, "loadavg_at_start": load, "python": platform.python_version(),
        "kernel": platform.release(), "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--duration", type=float, default=10.0, help="seconds per measurement (max 60)")
    ap.add_argument("--rounds", type=int, default=3, help="raw/runtime alternations per concurrency (max 9)")
    ap.add_argument("--starts", type=int, default=10, help="fresh processes for the start-up figures (max 50)")
    ap.add_argument("--concurrency", default="1,32")
    ap.add_argument("--skip-load", action="store_true")
    ap.add_argument("--json", help="also write the results to this file")
    ap.add_argument("--nice", type=int, default=0,
                    help="niceness for everything started (e.g. -10 as root, to keep a busy machine's other work "
                         "from dominating the figures); the benchmark process itself is reniced too")
    args = ap.parse_args()
    global NICE
    NICE = max(-20, min(19, args.nice))
    _renice()  # the poller of the start-up figures runs in this process
    duration, rounds, starts = min(args.duration, 60.0), min(args.rounds, 9), min(args.starts, 50)
    if not os.path.exists(PYTHON) or not (shutil.which("wrk") or shutil.which(AUTOCANNON)):
        raise SystemExit(f"needs {PYTHON} (see runtimes/python/README.md) and wrk or {AUTOCANNON} (npm ci)")

    results: dict = {"machine": machine(), "command": " ".join([os.path.relpath(sys.argv[0], ROOT)] + sys.argv[1:]),
                     "nice": NICE}
    log = open(os.devnull, "w")  # the runtime's JSON log lines: written (a pipe in a pod), not kept
    results["startup"] = startup(starts, log)
    results["startup_raw"] = startup_raw(max(3, starts // 2), log)
    results["startup_raw"]["python_c_pass_cpu_ms"] = bare_interpreter_cpu_ms()
    print(json.dumps(results["startup"], indent=2), file=sys.stderr)

    if not args.skip_load:
        load: dict = {}
        servers = {"raw": (free_port(), spawn_raw), "stdlib": (free_port(), spawn_stdlib),
                   "flask": (free_port(), spawn_flask), "runtime": (free_port(), spawn_runtime)}
        procs = {name: spawn(port, log) for name, (port, spawn) in servers.items()}
        try:
            for name, (port, _) in servers.items():
                if wait_until(lambda: post(f"http://{HOST}:{port}/") == 200, 20) is None:
                    raise SystemExit(f"{name} server on port {port} did not start")
            for c in (int(x) for x in args.concurrency.split(",")):
                runs: dict[str, list] = {name: [] for name in servers}
                for name, (port, _) in servers.items():
                    load_generator(f"http://{HOST}:{port}/", c, 2)  # warm-up
                for _ in range(rounds):
                    for name, (port, _) in servers.items():
                        cpu0 = cpu_seconds(procs[name].pid)
                        r = load_generator(f"http://{HOST}:{port}/", c, duration)
                        r["server_cpu_us_per_request"] = (cpu_seconds(procs[name].pid) - cpu0) / max(1, r["total"]) * 1e6
                        runs[name].append(r)
                        print(f"c={c} {name}: {r}", file=sys.stderr)
                entry: dict = {}
                for name, rs in runs.items():
                    med = sorted(rs, key=lambda r: r["rps"])[len(rs) // 2]
                    entry[name] = med | {"rounds_rps": [round(r["rps"]) for r in rs]}
                entry["ratio_vs_raw"] = entry["runtime"]["rps"] / entry["raw"]["rps"]
                entry["ratio_vs_stdlib"] = entry["runtime"]["rps"] / entry["stdlib"]["rps"]
                entry["ratio_vs_flask"] = entry["runtime"]["rps"] / entry["flask"]["rps"]
                load[str(c)] = entry
        finally:
            for proc in procs.values():
                stop(proc)
        results["load"] = load
    results["machine"]["loadavg_at_end"] = open("/proc/loadavg").read().split()[:3]
    text = json.dumps(results, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as f:
            f.write(text + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
