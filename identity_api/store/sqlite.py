"""SQLite implementation of :class:`~identity_api.store.base.Store`.

One connection per thread (sqlite3 connections must not be shared across threads), WAL so readers never
block the writer, a 5 s busy timeout so concurrent writers queue instead of failing, and every write in
``BEGIN IMMEDIATE`` so a transaction takes the write lock up front (a deferred transaction that upgrades
from read to write can fail with "database is locked" regardless of the busy timeout).

A connection never crosses ``fork()``: a child would share its WAL-index and lock state, and SQLite deletes
the ``-wal``/``-shm`` files under the children when the parent closes it. So the thread that forks (a
gunicorn master that built the app and migrated, say) closes its connection first and reopens one when it
next needs it.

The schema is versioned with ``PRAGMA user_version``: :data:`MIGRATIONS` is an ordered list and opening a
database applies the ones it has not seen yet, so upgrades keep existing data.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import weakref
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Iterator

from ..errors import DuplicateApp, DuplicateEmail, StoreError
from .base import App, Session, Store, User

#: Ordered schema migrations; index + 1 is the schema version each one produces. Never edit a released
#: entry: append a new one.
MIGRATIONS: list[tuple[str, ...]] = [
    # 1: accounts and sessions.
    (
        """CREATE TABLE users (
            id INTEGER PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            password_hash TEXT NOT NULL,
            avatar_url TEXT,
            disabled_at REAL,
            confirmed_at REAL,
            created_at REAL NOT NULL,
            password_changed_at REAL NOT NULL
        )""",
        """CREATE TABLE sessions (
            id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            public_id TEXT NOT NULL UNIQUE,
            user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            created_at REAL NOT NULL,
            last_seen_at REAL NOT NULL,
            revoked_at REAL,
            user_agent TEXT NOT NULL DEFAULT '',
            ip TEXT NOT NULL DEFAULT ''
        )""",
        "CREATE INDEX sessions_user ON sessions(user_id, revoked_at)",
    ),
    # 2: the app registry and a version counter other processes poll.
    (
        """CREATE TABLE apps (
            id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            origins TEXT NOT NULL,
            url TEXT NOT NULL,
            icon TEXT,
            color TEXT,
            secret TEXT NOT NULL,
            created_at REAL NOT NULL
        )""",
        "CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)",
        "INSERT INTO meta (key, value) VALUES ('registry_version', 0)",
    ),
    # 3: apps may name their hand-over path.
    ("ALTER TABLE apps ADD COLUMN handover TEXT",),
]

SCHEMA_VERSION = len(MIGRATIONS)

_USER_COLUMNS = ("u.id, u.email, u.name, u.password_hash, u.avatar_url, u.disabled_at, u.confirmed_at, "
                 "u.created_at, u.password_changed_at")
_SESSION_COLUMNS = ("s.id, s.public_id, s.user_id, s.created_at, s.last_seen_at, s.revoked_at, "
                    "s.user_agent, s.ip")
_APP_COLUMNS = "id, name, origins, url, icon, color, secret, handover, created_at"


def _user(row) -> User:
    return User(*row)


def _app(row) -> App:
    values = list(row)
    values[2] = tuple(json.loads(values[2]))
    return App(*values)


def _close_before_fork(store_ref: weakref.ref) -> None:
    """``os.register_at_fork`` hook: close the forking thread's connection of a store still alive."""
    store = store_ref()
    if store is not None:
        store.close()


class SQLiteStore(Store):
    """A SQLite file; safe to use from many threads and many processes at once."""

    def __init__(self, path: str | Path, *, migrations: list[tuple[str, ...]] | None = None):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._migrations = MIGRATIONS if migrations is None else migrations
        self._local = threading.local()
        os.register_at_fork(before=partial(_close_before_fork, weakref.ref(self)))
        self.migrate()

    # -- connections and transactions --------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            # isolation_level=None: we issue BEGIN ourselves, so sqlite3 never opens implicit transactions.
            conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None, check_same_thread=True)
            conn.execute("PRAGMA busy_timeout = 5000")
            conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute("PRAGMA synchronous = NORMAL")
            self._local.conn = conn
        return conn

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        conn = self._connection()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def _read(self, sql: str, params: tuple = ()) -> list:
        return self._connection().execute(sql, params).fetchall()

    def close(self) -> None:
        """Close this thread's connection (other threads' connections close when they exit)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    def migrate(self) -> int:
        """Apply pending migrations in one immediate transaction; return the resulting schema version."""
        with self._write() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(self._migrations):
                raise StoreError(f"database schema version {version} is newer than this code "
                                 f"({len(self._migrations)}); upgrade Masthead")
            for number, statements in enumerate(self._migrations[version:], start=version + 1):
                for statement in statements:
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {number}")
            return len(self._migrations)

    def schema_version(self) -> int:
        """The schema version of the database file."""
        return self._read("PRAGMA user_version")[0][0]

    # -- users -------------------------------------------------------------------------------------
    def create_user(self, *, email, name, password_hash, now, confirmed, avatar_url=None) -> User:
        try:
            with self._write() as conn:
                cursor = conn.execute(
                    "INSERT INTO users (email, name, password_hash, avatar_url, confirmed_at, created_at, "
                    "password_changed_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (email.lower(), name, password_hash, avatar_url, now if confirmed else None, now, now))
                user_id = cursor.lastrowid
        except sqlite3.IntegrityError:
            raise DuplicateEmail(f"an account with email {email.lower()} already exists") from None
        return User(user_id, email.lower(), name, password_hash, avatar_url, None,
                    now if confirmed else None, now, now)

    def get_user(self, user_id):
        rows = self._read(f"SELECT {_USER_COLUMNS} FROM users u WHERE u.id = ?", (user_id,))
        return _user(rows[0]) if rows else None

    def get_user_by_email(self, email):
        rows = self._read(f"SELECT {_USER_COLUMNS} FROM users u WHERE u.email = ?", (email.lower(),))
        return _user(rows[0]) if rows else None

    def list_users(self):
        return [_user(r) for r in self._read(f"SELECT {_USER_COLUMNS} FROM users u ORDER BY u.id")]

    def update_profile(self, user_id, *, name, avatar_url):
        with self._write() as conn:
            conn.execute("UPDATE users SET name = ?, avatar_url = ? WHERE id = ?", (name, avatar_url, user_id))

    def replace_unconfirmed(self, user_id, *, name, password_hash, now):
        with self._write() as conn:
            conn.execute("UPDATE users SET name = ?, password_hash = ?, password_changed_at = ? "
                         "WHERE id = ? AND confirmed_at IS NULL", (name, password_hash, now, user_id))

    def set_password(self, user_id, password_hash, now):
        with self._write() as conn:
            conn.execute("UPDATE users SET password_hash = ?, password_changed_at = ? WHERE id = ?",
                         (password_hash, now, user_id))

    def confirm_user(self, user_id, now):
        with self._write() as conn:
            conn.execute("UPDATE users SET confirmed_at = ? WHERE id = ? AND confirmed_at IS NULL",
                         (now, user_id))

    def disable_user(self, user_id, now):
        with self._write() as conn:
            conn.execute("UPDATE users SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?", (now, user_id))
            conn.execute("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                         (now, user_id))

    # -- sessions ----------------------------------------------------------------------------------
    def create_session(self, *, user_id, token_hash, public_id, now, user_agent, ip) -> Session:
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT INTO sessions (token_hash, public_id, user_id, created_at, last_seen_at, user_agent, ip)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)", (token_hash, public_id, user_id, now, now, user_agent, ip))
        return Session(cursor.lastrowid, public_id, user_id, now, now, None, user_agent, ip)

    def _session_join(self, where: str, value: str):
        rows = self._read(f"SELECT {_SESSION_COLUMNS}, {_USER_COLUMNS} FROM sessions s "
                          f"JOIN users u ON u.id = s.user_id WHERE {where} = ?", (value,))
        if not rows:
            return None
        row = rows[0]
        return Session(*row[:8]), _user(row[8:])

    def session_by_token_hash(self, token_hash):
        return self._session_join("s.token_hash", token_hash)

    def session_by_public_id(self, public_id):
        return self._session_join("s.public_id", public_id)

    def touch_session(self, session_id, now):
        with self._write() as conn:
            conn.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?",
                         (now, session_id, now))

    def revoke_session(self, session_id, now):
        with self._write() as conn:
            conn.execute("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                         (now, session_id))

    def revoke_user_sessions(self, user_id, now, *, keep=None):
        with self._write() as conn:
            cursor = conn.execute("UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL "
                                  "AND id IS NOT ?", (now, user_id, keep))
            return cursor.rowcount

    def list_sessions(self, user_id, *, not_before):
        rows = self._read(f"SELECT {_SESSION_COLUMNS} FROM sessions s WHERE s.user_id = ? AND "
                          "s.revoked_at IS NULL AND s.last_seen_at >= ? ORDER BY s.last_seen_at DESC, s.id DESC",
                          (user_id, not_before))
        return [Session(*r) for r in rows]

    # -- apps --------------------------------------------------------------------------------------
    def add_app(self, app):
        try:
            with self._write() as conn:
                conn.execute(f"INSERT INTO apps ({_APP_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             (app.id, app.name, json.dumps(list(app.origins)), app.url, app.icon, app.color,
                              app.secret, app.handover, app.created_at))
                conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'registry_version'")
        except sqlite3.IntegrityError:
            raise DuplicateApp(f"an app with id {app.id!r} already exists") from None

    def remove_app(self, app_id):
        with self._write() as conn:
            removed = conn.execute("DELETE FROM apps WHERE id = ?", (app_id,)).rowcount
            conn.execute("UPDATE meta SET value = value + 1 WHERE key = 'registry_version'")
        return bool(removed)

    def list_apps(self):
        return [_app(r) for r in self._read(f"SELECT {_APP_COLUMNS} FROM apps ORDER BY created_at, id")]

    def registry_version(self):
        return self._read("SELECT value FROM meta WHERE key = 'registry_version'")[0][0]

    def ping(self):
        try:
            return self._read("SELECT 1")[0][0] == 1
        except sqlite3.Error:
            return False
