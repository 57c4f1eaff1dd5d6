"""The demo launcher: settings from env, per-process environments, Procfile, idempotent set-up (real CLI)."""

from __future__ import annotations

import json
import sqlite3
import stat
import subprocess
import sys

from demo_sites import launcher
from demo_sites.launcher import APPS, Settings, app_env, identity_env, prepare, procfile


def test_defaults_and_overrides():
    default = Settings.from_env({})
    assert default.identity_url == "http://localhost:8000"
    assert [default.app_url(a.id) for a in APPS] == [f"http://localhost:{p}" for p in range(8001, 8006)]
    custom = Settings.from_env({"MASTHEAD_HOST": "127.0.0.1", "MASTHEAD_PORT": "9000",
                                "MASTHEAD_PORT_WIKI": "9003", "MASTHEAD_DATABASE": "/x/id.db",
                                "MASTHEAD_DEMO_DIR": "/y"})
    assert custom.identity_url == "http://127.0.0.1:9000" and custom.app_url("wiki") == "http://127.0.0.1:9003"
    assert str(custom.database) == "/x/id.db" and str(custom.demo_dir) == "/y"


def test_each_app_gets_only_its_own_secret_and_settings():
    settings = Settings.from_env({"MASTHEAD_DEMO_DIR": "/d"})
    base = {"PATH": "/bin", "MASTHEAD_SECRET_KEYS": "identity-key", "MASTHEAD_DATABASE": "/d/m.db",
            "MASTHEAD_APP_SECRET": "leaked"}
    env = app_env(settings, APPS[0], "notes-secret", base)
    assert env["MASTHEAD_APP_SECRET"] == "notes-secret" and env["MASTHEAD_APP_ID"] == "notes"
    assert "MASTHEAD_SECRET_KEYS" not in env and "MASTHEAD_DATABASE" not in env
    assert env["MASTHEAD_APP_URL"] == "http://localhost:8001"
    assert env["MASTHEAD_IDENTITY_URL"] == "http://localhost:8000"
    assert env["MASTHEAD_APP_COOKIE"] == "masthead_app_session_notes"
    assert env["NOTES_DATABASE"] == "/d/notes.sqlite3" and env["PATH"] == "/bin"
    ident = identity_env(settings, base)
    assert "MASTHEAD_APP_SECRET" not in ident and ident["MASTHEAD_PUBLIC_URL"] == "http://localhost:8000"


def test_procfile_runs_six_processes_on_their_ports():
    commands = procfile()
    assert list(commands) == ["identity", "notes", "forum", "wiki", "tasks", "docs"]
    for name, command in commands.items():
        assert '"$PORT"' in command or ':$PORT"' in command, name
        assert "identity_api" not in command or name == "identity"  # no app imports the identity API


def test_prepare_registers_apps_and_users_idempotently(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for key in ("MASTHEAD_ENV", "MASTHEAD_SECRET_KEYS", "MASTHEAD_DATABASE", "MASTHEAD_PUBLIC_URL"):
        monkeypatch.delenv(key, raising=False)
    settings = Settings.from_env({"MASTHEAD_DEMO_DIR": str(tmp_path / "inst"), "MASTHEAD_PORT_DOCS": "9105"})
    first = prepare(settings)
    secrets_file = tmp_path / "inst" / "demo-secrets.json"
    assert stat.S_IMODE(secrets_file.stat().st_mode) == 0o600
    saved = json.loads(secrets_file.read_text())
    assert set(saved) == {a.id for a in APPS}
    assert {first[a.id]["MASTHEAD_APP_SECRET"] for a in APPS} == set(saved.values())  # five distinct

    # some data in an app database, then run again: data and secrets are kept
    with sqlite3.connect(tmp_path / "inst" / "forum.sqlite3") as db:
        db.execute("INSERT INTO board_thread (title, body, author_id, author_name, created) "
                   "VALUES ('t', 'b', '1', 'Ada', '2026-01-01')")
    db.close()
    second = prepare(settings)
    assert json.loads(secrets_file.read_text()) == saved
    assert second["notes"]["MASTHEAD_APP_SECRET"] == first["notes"]["MASTHEAD_APP_SECRET"]
    with sqlite3.connect(tmp_path / "inst" / "forum.sqlite3") as db:
        assert db.execute("SELECT COUNT(*) FROM board_thread").fetchone()[0] == 1
    db.close()

    env = identity_env(settings)
    listed = subprocess.run([sys.executable, "-m", "identity_api", "apps", "list"], env=env, text=True,
                            capture_output=True, check=True).stdout.splitlines()
    origins = {line.split("\t")[0]: line.split("\t")[2] for line in listed}
    assert origins == {a.id: settings.app_url(a.id) for a in APPS}
    assert origins["docs"] == "http://localhost:9105"
    users = subprocess.run([sys.executable, "-m", "identity_api", "users", "list"], env=env, text=True,
                           capture_output=True, check=True).stdout
    assert sorted(line.split("\t")[1] for line in users.splitlines()) == [u[0] for u in launcher.USERS]

    # a port change re-registers that app's origin, keeping its secret
    moved = Settings.from_env({"MASTHEAD_DEMO_DIR": str(tmp_path / "inst"), "MASTHEAD_PORT_DOCS": "9205"})
    third = prepare(moved)
    assert third["docs"]["MASTHEAD_APP_SECRET"] == first["docs"]["MASTHEAD_APP_SECRET"]
    listed = subprocess.run([sys.executable, "-m", "identity_api", "apps", "list"], env=env, text=True,
                            capture_output=True, check=True).stdout
    assert "http://localhost:9205" in listed and "http://localhost:9105" not in listed


def test_busy_ports_are_reported_before_anything_starts():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        port = sock.getsockname()[1]
        settings = Settings.from_env({"MASTHEAD_PORT_WIKI": str(port)})
        assert port in launcher.busy_ports(settings)
