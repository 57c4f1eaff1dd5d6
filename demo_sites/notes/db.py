"""SQLite storage for Notes (the flaskr shape: one connection per request, schema on first use)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from flask import Flask, current_app, g

SCHEMA = """
CREATE TABLE IF NOT EXISTS note (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    owner_id TEXT NOT NULL,
    body TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS note_owner ON note (owner_id, created);
"""


def get_db() -> sqlite3.Connection:
    """The request's database connection."""
    if "db" not in g:
        g.db = sqlite3.connect(current_app.config["NOTES_DATABASE"], timeout=5)
        g.db.row_factory = sqlite3.Row
        g.db.execute("PRAGMA busy_timeout = 5000")
    return g.db


def close_db(_exc: BaseException | None = None) -> None:
    """Close the request's connection."""
    db = g.pop("db", None)
    if db is not None:
        db.close()


def init_db(path: str) -> None:
    """Create the schema (idempotent)."""
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.executescript(SCHEMA)
    conn.close()


def init_app(app: Flask) -> None:
    """Create the schema and register teardown."""
    init_db(app.config["NOTES_DATABASE"])
    app.teardown_appcontext(close_db)
