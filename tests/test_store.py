"""SQLite store: pragmas, schema migrations that keep data, concurrent writers, the interface's rules."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
import threading
from pathlib import Path

import pytest

from identity_api.errors import DuplicateApp, DuplicateEmail, StoreError
from identity_api.registry import build_app
from identity_api.store import SQLiteStore
from identity_api.store.sqlite import MIGRATIONS, SCHEMA_VERSION
from tests.servers import open_paths


@pytest.fixture
def db(tmp_path):
    return SQLiteStore(tmp_path / "m.sqlite3")


def test_pragmas(db):
    conn = db._connection()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 5000
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert db.schema_version() == SCHEMA_VERSION


def test_migration_from_version_1_keeps_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    old = SQLiteStore(path, migrations=MIGRATIONS[:1])
    user = old.create_user(email="Ada@Example.com", name="Ada", password_hash="h", now=1.0, confirmed=True)
    old.create_session(user_id=user.id, token_hash="t", public_id="p", now=1.0, user_agent="ua", ip="1.2.3.4")
    old.close()
    assert "apps" not in {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master")}

    upgraded = SQLiteStore(path)
    assert upgraded.schema_version() == SCHEMA_VERSION
    assert upgraded.get_user_by_email("ada@example.com").name == "Ada"
    session, owner = upgraded.session_by_token_hash("t")
    assert session.public_id == "p" and owner.id == user.id
    upgraded.add_app(build_app("notes", name="Notes", origins=["http://localhost:8001"],
                               url="http://localhost:8001/", handover="/.masthead/session"))
    assert upgraded.list_apps()[0].handover == "/.masthead/session"


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.sqlite3"
    SQLiteStore(path).close()
    with pytest.raises(StoreError, match="newer"):
        SQLiteStore(path, migrations=MIGRATIONS[:1])


def test_emails_are_unique_case_insensitively(db):
    db.create_user(email="ada@example.com", name="Ada", password_hash="h", now=1, confirmed=True)
    with pytest.raises(DuplicateEmail):
        db.create_user(email="ADA@example.com", name="Ada 2", password_hash="h", now=1, confirmed=True)


def test_disable_revokes_every_session_atomically(db):
    user = db.create_user(email="a@x.io", name="A", password_hash="h", now=1, confirmed=True)
    for n in range(3):
        db.create_session(user_id=user.id, token_hash=f"t{n}", public_id=f"p{n}", now=1, user_agent="",
                          ip="")
    db.disable_user(user.id, 5)
    assert db.get_user(user.id).disabled_at == 5
    assert all(db.session_by_public_id(f"p{n}")[0].revoked_at == 5 for n in range(3))
    assert db.list_sessions(user.id, not_before=0) == []


def test_revoke_all_but_one(db):
    user = db.create_user(email="a@x.io", name="A", password_hash="h", now=1, confirmed=True)
    keep = db.create_session(user_id=user.id, token_hash="a", public_id="pa", now=1, user_agent="", ip="")
    db.create_session(user_id=user.id, token_hash="b", public_id="pb", now=1, user_agent="", ip="")
    assert db.revoke_user_sessions(user.id, 2, keep=keep.id) == 1
    assert [s.public_id for s in db.list_sessions(user.id, not_before=0)] == ["pa"]


def test_registry_version_changes_on_every_app_write(db):
    v0 = db.registry_version()
    app = build_app("notes", name="Notes", origins=["http://localhost:8001"], url="http://localhost:8001/")
    db.add_app(app)
    v1 = db.registry_version()
    with pytest.raises(DuplicateApp):
        db.add_app(app)
    assert db.remove_app("notes") and not db.remove_app("notes")
    assert v0 < v1 < db.registry_version()


def _write_many(path: str, worker: int, count: int) -> None:
    store = SQLiteStore(path)
    for n in range(count):
        user = store.create_user(email=f"w{worker}-{n}@x.io", name="W", password_hash="h", now=n,
                                 confirmed=True)
        store.create_session(user_id=user.id, token_hash=f"{worker}-{n}", public_id=f"p{worker}-{n}", now=n,
                             user_agent="", ip="")
        if n:
            store.touch_session(1, n + 1)  # contended updates of one row, too
    store.close()


def test_16_concurrent_writer_threads(tmp_path):
    path = str(tmp_path / "threads.sqlite3")
    SQLiteStore(path).close()
    errors = []

    def run(worker):
        try:
            _write_many(path, worker, 25)
        except Exception as exc:  # collected and asserted below
            errors.append(exc)
    threads = [threading.Thread(target=run, args=(w,)) for w in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(SQLiteStore(path).list_users()) == 16 * 25


def test_16_concurrent_writer_processes(tmp_path):
    path = str(tmp_path / "procs.sqlite3")
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write_many, args=(path, w, 15)) for w in range(16)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(60)
    assert [p.exitcode for p in processes] == [0] * 16
    assert len(SQLiteStore(path).list_users()) == 16 * 15


@pytest.mark.skipif(not hasattr(os, "fork") or not Path("/proc/self/fd").is_dir(), reason="needs fork and /proc")
def test_no_connection_crosses_a_fork(tmp_path):
    """The forking thread's connection is closed first (a gunicorn master migrates, then forks workers);
    a write in the child is then seen by the parent, which reopens a connection of its own."""
    store = SQLiteStore(tmp_path / "fork.sqlite3")
    store.create_user(email="before@example.com", name="Before", password_hash="x", now=1.0, confirmed=True)
    assert open_paths(under=tmp_path)  # migrate and create_user left this thread's connection open
    pid = os.fork()
    if pid == 0:  # the child: leave without running the parent's pytest machinery
        code = 1
        try:
            if not open_paths(under=tmp_path):
                store.create_user(email="child@example.com", name="Child", password_hash="x", now=2.0, confirmed=True)
                code = 0
        finally:
            os._exit(code)
    assert open_paths(under=tmp_path) == set()
    assert os.waitpid(pid, 0)[1] == 0, "the child inherited an open database handle"
    assert store.get_user_by_email("child@example.com").name == "Child"
