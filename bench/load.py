"""HTTP load generators: wrk (Debian's package) when present, else a small Python one.

Both take the same :class:`LoadSpec` and return a :class:`LoadResult`, so the report does not care which
ran; it names the generator. wrk is driven by a generated Lua script that precomputes the requests (one
header set, or several rotated round-robin, e.g. many session cookies) and prints its summary as JSON.

The Python fallback is threads with one keep-alive ``http.client`` connection each. It is much weaker than
wrk (the GIL caps it near a few thousand requests/s), so absolute numbers are lower and ratios between
contenders are compressed towards 1; the report says which generator was used.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.stats import percentile

WRK_MARKER = "BENCH-JSON "


@dataclass
class LoadSpec:
    """What to load: one URL, header sets rotated per request, fixed connections and duration."""

    url: str
    headers: list[dict[str, str]] = field(default_factory=lambda: [{}])
    connections: int = 16
    threads: int = 1
    duration: float = 5.0
    timeout: float = 5.0


@dataclass
class LoadResult:
    """One run: requests/s, latency percentiles in milliseconds, and failures (non-2xx or socket errors)."""

    generator: str
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    mean_ms: float
    errors: int

    def as_dict(self) -> dict:
        """JSON-friendly form."""
        return {"generator": self.generator, "requests": self.requests, "seconds": round(self.seconds, 3),
                "rps": round(self.rps, 1), "p50_ms": round(self.p50_ms, 3), "p99_ms": round(self.p99_ms, 3),
                "mean_ms": round(self.mean_ms, 3), "errors": self.errors}


def wrk_path() -> str | None:
    """The wrk executable, or None (``BENCH_GENERATOR=python`` forces the fallback)."""
    if os.environ.get("BENCH_GENERATOR", "").lower() == "python":
        return None
    return shutil.which("wrk")


def ensure_wrk() -> str | None:
    """Find wrk; when missing and root with apt, install Debian's ``wrk``; else None (use the fallback)."""
    found = wrk_path()
    if found or os.environ.get("BENCH_GENERATOR", "").lower() == "python":
        return found
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("wrk not found: installing Debian's wrk package...", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=False, env=env, capture_output=True)
    return wrk_path()


def generator_name() -> str:
    """What :func:`run_load` will use, with its version, for the report."""
    path = wrk_path()
    if path is None:
        return "python-fallback (threads + http.client keep-alive)"
    out = subprocess.run([path, "--version"], capture_output=True, text=True, check=False)
    first = (out.stdout or out.stderr).strip().splitlines()
    return first[0].split(" Copyright")[0] if first else "wrk"


def run_load(spec: LoadSpec) -> LoadResult:
    """Run ``spec`` with wrk when available, else with the Python fallback."""
    path = wrk_path()
    return run_wrk(spec, path) if path else run_python(spec)


def _lua_string(value: str) -> str:
    """A Lua string literal for ``value``."""
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def wrk_script(spec: LoadSpec) -> str:
    """A wrk Lua script that rotates ``spec.headers`` and prints a JSON summary (latency in µs)."""
    parts = urlsplit(spec.url)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    header_tables = []
    for headers in spec.headers:
        pairs = ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
        header_tables.append("{" + pairs + "}")
    return f"""
local header_sets = {{{", ".join(header_tables)}}}
local requests = {{}}
local counter = 0
init = function(args)
  for i, h in ipairs(header_sets) do
    requests[i] = wrk.format("GET", {_lua_string(path)}, h)
  end
  counter = math.random(#requests) - 1
end
request = function()
  counter = counter % #requests + 1
  return requests[counter]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{WRK_MARKER}{{"requests": %d, "duration_us": %d, "p50_us": %d, "p99_us": %d, "mean_us": %f, '
    .. '"connect": %d, "read": %d, "write": %d, "status": %d, "timeout": %d}}\\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), latency.mean,
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""


def run_wrk(spec: LoadSpec, path: str = "wrk") -> LoadResult:
    """Run wrk with ``--latency`` and the generated script; parse its JSON summary."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(wrk_script(spec))
        script = handle.name
    try:
        argv = [path, f"-t{spec.threads}", f"-c{spec.connections}", f"-d{max(1, round(spec.duration))}s",
                f"--timeout={max(1, round(spec.timeout))}s", "--latency", "-s", script, spec.url]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=spec.duration + 60, check=False)
    finally:
        os.unlink(script)
    line = next((x for x in out.stdout.splitlines() if x.startswith(WRK_MARKER)), None)
    if line is None:
        raise RuntimeError(f"wrk gave no summary (exit {out.returncode}):\n{out.stdout}\n{out.stderr}")
    data = json.loads(line[len(WRK_MARKER):])
    seconds = data["duration_us"] / 1e6
    errors = sum(data[k] for k in ("connect", "read", "write", "status", "timeout"))
    return LoadResult("wrk", data["requests"], seconds, data["requests"] / seconds if seconds else 0.0,
                      data["p50_us"] / 1000, data["p99_us"] / 1000, data["mean_us"] / 1000, errors)


def _python_worker(spec: LoadSpec, offset: int, deadline: float, latencies: list[float],
                   errors: list[int]) -> None:
    """One connection's loop: send, read, time, reconnect when the server closes the connection."""
    parts = urlsplit(spec.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn = None
    index = offset
    local_errors = 0
    while time.perf_counter() < deadline:
        headers = spec.headers[index % len(spec.headers)]
        index += 1
        if conn is None:
            conn = http.client.HTTPConnection(parts.hostname, parts.port or 80, timeout=spec.timeout)
        start = time.perf_counter()
        try:
            conn.request("GET", path, headers=headers)
            response = conn.getresponse()
            response.read()
            elapsed = time.perf_counter() - start
            if 200 <= response.status < 400:
                latencies.append(elapsed)
            else:
                local_errors += 1
            if response.will_close:
                conn.close()
                conn = None
        except (OSError, http.client.HTTPException):
            local_errors += 1
            if conn is not None:
                conn.close()
            conn = None
    if conn is not None:
        conn.close()
    errors.append(local_errors)


def run_python(spec: LoadSpec) -> LoadResult:
    """The fallback generator: ``spec.connections`` threads, each with one keep-alive connection."""
    per_thread: list[list[float]] = [[] for _ in range(spec.connections)]
    errors: list[int] = []
    start = time.perf_counter()
    deadline = start + spec.duration
    threads = [threading.Thread(target=_python_worker, args=(spec, i, deadline, per_thread[i], errors),
                                daemon=True) for i in range(spec.connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(spec.duration + spec.timeout + 5)
    seconds = time.perf_counter() - start
    latencies = sorted(x for chunk in per_thread for x in chunk)
    count = len(latencies)
    mean = sum(latencies) / count if count else float("nan")
    return LoadResult("python", count, seconds, count / seconds if seconds else 0.0,
                      percentile(latencies, 0.50) * 1000, percentile(latencies, 0.99) * 1000,
                      mean * 1000, sum(errors))
