"""The SQLite demo apps as the Procfile runs them: gunicorn ``--preload``, two workers, one database file.

A connection still open in the master when gunicorn forks is inherited by every worker; their later
connections then share its WAL index, and once the master's copy is closed (and the WAL files deleted)
one worker stops seeing what the other wrote. That lost a wiki edit in CI: the page saved by one worker
was "missing" in the other.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import pytest

from demo_sites.launcher import procfile
from tests.demo_sites.conftest import SECRETS
from tests.servers import free_port, open_paths, start_server


def children(pid: int) -> list[int]:
    tasks = Path(f"/proc/{pid}/task")
    return [int(c) for task in tasks.iterdir() for c in (task / "children").read_text().split()]


def start_procfile_process(name: str, tmp_path: Path, env: dict):
    port = free_port()
    command = procfile()[name]
    return start_server(name, ["bash", "-c", command], port=port, log_dir=tmp_path / "logs",
                        env={**env, "PYTHON": sys.executable, "BIND": "127.0.0.1", "PORT": str(port)})


def request(port: int, method: str, path: str, body: str | None = None, headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body, {"Host": f"127.0.0.1:{port}", **(headers or {})})
        response = connection.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read().decode()
    finally:
        connection.close()


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs Linux /proc")
@pytest.mark.parametrize("name", ["notes", "wiki", "forum"])
def test_no_database_connection_outlives_a_request_or_crosses_the_fork(name, family, tmp_path):
    database = tmp_path / f"{name}.sqlite3"
    env = {"MASTHEAD_APP_ID": name, "MASTHEAD_APP_SECRET": SECRETS[name], "MASTHEAD_IDENTITY_URL": family.url,
           "NOTES_DATABASE": str(database), "WIKI_DATABASE": str(database), "FORUM_DATABASE": str(database)}
    if name == "forum":  # the launcher migrates the forum before starting it (demo_sites/launcher.py)
        subprocess.run([sys.executable, "-m", "demo_sites.forum.manage", "migrate", "--noinput"], check=True,
                       capture_output=True, timeout=120, env={**os.environ, **env})
    server = start_procfile_process(name, tmp_path, env)
    try:
        deadline = time.monotonic() + 20
        while len(workers := children(server.process.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(workers) == 2, server.log()[-2000:]
        for _ in range(8):  # the workers serve pages (and so use the database)
            status, _, _ = request(server.port, "GET", "/")
            assert status == 200
        # A worker may close its request's connection just after the response went out: allow it a moment.
        deadline = time.monotonic() + 3
        while (held := {pid: paths for pid in [server.process.pid, *workers]
                        if (paths := open_paths(pid, under=database))}) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert held == {}, f"still holding the database open (master {server.process.pid}): {held}"
    finally:
        server.stop()


def test_an_edit_saved_by_one_worker_is_read_by_every_worker(family, tmp_path):
    database = tmp_path / "wiki.sqlite3"
    server = start_procfile_process("wiki", tmp_path, {
        "MASTHEAD_APP_ID": "wiki", "MASTHEAD_APP_SECRET": SECRETS["wiki"], "MASTHEAD_IDENTITY_URL": family.url,
        "WIKI_DATABASE": str(database), "MASTHEAD_APP_COOKIE": "wiki_session"})
    try:
        status, set_cookie, _ = request(server.port, "POST", "/.masthead/session",
                                        json.dumps({"token": family.token("grace@example.com", "wiki")}),
                                        {"Content-Type": "application/json"})
        assert status == 200
        cookie = {"Cookie": set_cookie.split(";")[0]}
        _, _, form = request(server.port, "GET", "/wiki/first/edit", headers=cookie)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        for i in range(15):
            body = urllib.parse.urlencode({"csrf_token": token, "title": f"Page {i}", "body": f"Text {i}."})
            status, _, _ = request(server.port, "POST", f"/wiki/page-{i}", body,
                                   {**cookie, "Content-Type": "application/x-www-form-urlencoded"})
            assert status == 303
            for path in (f"/wiki/page-{i}", f"/wiki/page-{i}/history", f"/wiki/page-{i}"):
                status, _, html = request(server.port, "GET", path, headers=cookie)
                assert status == 200 and "Grace Hopper" in html, f"{path} after saving it: {status}"
    finally:
        server.stop()
