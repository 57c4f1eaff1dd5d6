"""Start every contender the same way: gunicorn, gthread workers, same workers × threads, on 127.0.0.1."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from tests.servers import Server, free_port, start_server


@dataclass(frozen=True)
class ServerSettings:
    """The gunicorn settings every contender shares (the identity API's ``serve`` gets the same).

    One worker × 8 threads is the identity API's default (``MASTHEAD_WORKERS``/``MASTHEAD_THREADS``). On a
    2-core machine it leaves the other core to the load generator, and it avoids gunicorn's uneven spread
    of keep-alive connections over several workers: with 2 workers × 4 threads the same server measured
    anywhere between 1.4k and 3.5k req/s from run to run, depending on which worker accepted which
    connections; with 1 × 8 it stays within ±5 %.
    """

    workers: int = 1
    threads: int = 8
    keepalive: int = 5

    def describe(self) -> str:
        """For the report."""
        return (f"gunicorn, {self.workers} workers × {self.threads} threads (gthread), keep-alive "
                f"{self.keepalive} s, no access log, 127.0.0.1")


def gunicorn_argv(app_spec: str, port: int, settings: ServerSettings) -> list[str]:
    """The command line for ``app_spec`` (``module:factory()``) under ``settings``."""
    return [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}",
            "--workers", str(settings.workers), "--threads", str(settings.threads),
            "--worker-class", "gthread", "--keep-alive", str(settings.keepalive),
            "--log-level", "warning", app_spec]


def start_gunicorn(stack: ExitStack, name: str, app_spec: str, settings: ServerSettings, log_dir: Path,
                   env: dict[str, str] | None = None) -> Server:
    """Start ``app_spec`` under gunicorn; it stops when ``stack`` closes."""
    port = free_port()
    server = start_server(name, gunicorn_argv(app_spec, port, settings), port=port, log_dir=log_dir,
                          env=env or {}, timeout=60)
    stack.callback(server.stop)
    return server
