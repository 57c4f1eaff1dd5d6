"""`masthead serve` as an operator runs it: data survives a restart, a graceful reload drops no request."""

from __future__ import annotations

import os
import signal
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.identity_client_support import create_user, sign_in
from tests.servers import open_paths


def test_users_and_sessions_survive_a_restart(start_identity, tmp_path):
    db = tmp_path / "kept" / "masthead.sqlite3"
    db.parent.mkdir()
    first = start_identity(host="127.0.0.1", db_path=db)
    create_user(run_cli, first.env, "ada@example.com", "Ada Lovelace")
    client = sign_in(first.url, "ada@example.com")
    assert client.get("/api/me").json()["user"]["email"] == "ada@example.com"
    first.stop()

    second = start_identity(host="127.0.0.1", db_path=db, port=first.port)
    me = client.get("/api/me").json()
    client.close()
    assert me["user"]["email"] == "ada@example.com"  # same cookie, new process: the session lives on
    assert "ada@example.com" in run_cli(second.env, "users", "list").stdout


def test_graceful_reload_under_load_drops_no_request(start_identity):
    server = start_identity()
    url = f"http://127.0.0.1:{server.port}/api/me"
    done, failures, stop = [0], [], threading.Event()

    def load() -> None:
        while not stop.is_set():
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    assert response.status == 200
                done[0] += 1
            except Exception as exc:  # any refused, reset or failed request is what this test forbids
                failures.append(repr(exc))

    def boots() -> int:
        return server.log().count("Booting worker")

    workers = [threading.Thread(target=load) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        deadline = time.monotonic() + 30
        while done[0] < 50 and time.monotonic() < deadline:
            time.sleep(0.01)
        before_boots, before_done = boots(), done[0]
        os.kill(server.process.pid, signal.SIGHUP)  # gunicorn: new workers up, old ones finish their requests
        while (boots() <= before_boots or done[0] < before_done + 200) and time.monotonic() < deadline:
            time.sleep(0.01)
    finally:
        stop.set()
        for worker in workers:
            worker.join()
    assert boots() > before_boots, "the reload did not start a new worker:\n" + server.log()[-2000:]
    assert done[0] >= before_done + 200
    assert failures == []


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
def test_the_master_holds_no_database_connection_across_the_fork(start_identity, tmp_path):
    """The master migrates on a connection of its own; a copy inherited by the workers would share its
    WAL-index and lock state (tests/demo_sites/test_preload.py tells what that broke in the Wiki)."""
    db = tmp_path / "fork" / "masthead.sqlite3"
    db.parent.mkdir()
    server = start_identity(host="127.0.0.1", db_path=db)
    assert urllib.request.urlopen(f"http://127.0.0.1:{server.port}/api/me", timeout=10).status == 200
    assert open_paths(server.process.pid, under=db) == set()
