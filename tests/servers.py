"""Start real server processes for tests and benchmarks (werkzeug's ``dev_server`` shape).

A server is a subprocess on a free loopback port, logging to a file, polled on a health URL until it
answers, and stopped (SIGTERM, then SIGKILL) when the owning ``ExitStack`` closes.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


class ServerFailed(RuntimeError):
    """A server process exited or never became healthy; carries the tail of its log."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    """A running server process and where to reach it."""

    name: str
    port: int
    url: str
    process: subprocess.Popen
    log_path: Path
    env: dict = field(default_factory=dict)

    def log(self) -> str:
        """The server's log so far (for failure messages)."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the process: SIGTERM, then SIGKILL after ``timeout`` seconds."""
        if self.process.poll() is not None:
            return
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
        except ProcessLookupError:
            return
        try:
            self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout)


def wait_healthy(url: str, *, host: str | None = None, timeout: float = 30.0,
                 process: subprocess.Popen | None = None, log_path: Path | None = None) -> None:
    """Poll ``url`` until it answers 2xx; raise ServerFailed if the process dies or time runs out."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            tail = log_path.read_text(errors="replace")[-4000:] if log_path else ""
            raise ServerFailed(f"server exited with {process.returncode} before becoming healthy:\n{tail}")
        request = urllib.request.Request(url, headers={"Host": host} if host else {})
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if 200 <= response.status < 300:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError) as exc:
            last_error = exc
        time.sleep(0.05)
    tail = log_path.read_text(errors="replace")[-4000:] if log_path else ""
    raise ServerFailed(f"{url} not healthy after {timeout}s ({last_error}):\n{tail}")


def start_server(name: str, argv: list[str], *, port: int, log_dir: Path, env: dict | None = None,
                 health_path: str = "/healthz", public_host: str = "127.0.0.1",
                 cwd: Path | None = None, timeout: float = 30.0) -> Server:
    """Start ``argv`` with ``env`` on ``port`` and wait until ``health_path`` answers.

    ``public_host`` is the name the browser uses (``localhost``, ``notes.family.test``); the process binds
    127.0.0.1 and the health check sends that name as the Host header.
    """
    log_dir.mkdir(parents=True, exist_ok=True)
    log_path = log_dir / f"{name}.log"
    full_env = dict(os.environ)
    full_env.update({"PYTHONUNBUFFERED": "1"})
    full_env.update(env or {})
    log_file = open(log_path, "ab")
    try:
        process = subprocess.Popen(argv, cwd=cwd or REPO, env=full_env, stdout=log_file,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
    finally:
        log_file.close()
    url = f"http://{public_host}:{port}"
    server = Server(name=name, port=port, url=url, process=process, log_path=log_path, env=env or {})
    try:
        host_header = f"{public_host}:{port}" if public_host != "127.0.0.1" else None
        wait_healthy(f"http://127.0.0.1:{port}{health_path}", host=host_header, timeout=timeout,
                     process=process, log_path=log_path)
    except BaseException:
        server.stop()
        raise
    return server


@contextmanager
def running(name: str, argv: list[str], **kwargs):
    """Context manager form of :func:`start_server`."""
    server = start_server(name, argv, **kwargs)
    try:
        yield server
    finally:
        server.stop()


PYTHON = sys.executable


def open_paths(pid: int | str = "self", under: Path | str = "") -> set[str]:
    """The files process ``pid`` has open whose path starts with ``under`` (Linux ``/proc``): tests check
    that no database handle lingers (``x.sqlite3`` also matches its ``-wal`` and ``-shm`` files)."""
    paths = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            paths.add(os.readlink(fd))
        except OSError:  # closed while we looked
            pass
    return {path for path in paths if path.startswith(str(under))}
