"""Fill databases fast: rows written directly with sqlite3 in one transaction.

The identity API's schema comes from its own store (opening a ``SQLiteStore`` applies its migrations), so
the bench never restates it. Every seeded user gets the same precomputed password hash (hashing 100,000
passwords would take hours and is not what is measured); every user has one live session, and the bench
signs cookies for some of them exactly as protocol.md describes.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import time
from pathlib import Path

from itsdangerous import URLSafeTimedSerializer

SESSION_SALT = "masthead.session"  # protocol.md: the session cookie's salt


def email(i: int) -> str:
    """The email of seeded user ``i`` (1-based)."""
    return f"user{i}@bench.test"


def name(i: int) -> str:
    """The display name of seeded user ``i``."""
    return f"Bench User{i}"


def identity_schema(path: Path) -> None:
    """Create the identity API's schema in ``path`` through its own store."""
    from identity_api.store.sqlite import SQLiteStore

    store = SQLiteStore(path)
    store.close()


def seed_identity(path: Path, users: int, password_hash: str, secret_keys: list[str],
                  cookies: int = 0) -> list[str]:
    """Insert ``users`` confirmed users, one live session each; return ``cookies`` signed session cookies."""
    identity_schema(path)
    now = time.time()
    tokens = [secrets.token_urlsafe(32) for _ in range(users)]
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN IMMEDIATE")
        start = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM users").fetchone()[0]) + 1
        conn.executemany(
            "INSERT INTO users (id, email, name, password_hash, confirmed_at, created_at, password_changed_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            ((start + i, email(start + i), name(start + i), password_hash, now, now, now) for i in range(users)))
        conn.executemany(
            "INSERT INTO sessions (token_hash, public_id, user_id, created_at, last_seen_at, user_agent, ip)"
            " VALUES (?, ?, ?, ?, ?, 'bench', '127.0.0.1')",
            ((hashlib.sha256(t.encode()).hexdigest(), secrets.token_urlsafe(16), start + i, now, now)
             for i, t in enumerate(tokens)))
        conn.execute("COMMIT")
    finally:
        conn.close()
    signer = URLSafeTimedSerializer(secret_keys, salt=SESSION_SALT)
    step = max(1, users // cookies) if cookies else 1
    return [signer.dumps(t) for t in tokens[::step][:cookies]]


def seed_peer(path: Path, users: int, password_hash: str) -> None:
    """Insert ``users`` users into the Flask-Login peer's table (created by its own ``db.create_all``)."""
    from bench.contenders.flask_login_peer import create_app

    create_app(database=str(path))
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        conn.executemany("INSERT INTO user (id, email, name, password_hash) VALUES (?, ?, ?, ?)",
                         ((i, email(i), name(i), password_hash) for i in range(1, users + 1)))
        conn.execute("COMMIT")
    finally:
        conn.close()
