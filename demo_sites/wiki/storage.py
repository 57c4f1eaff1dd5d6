"""SQLite storage for the Wiki: current pages and every revision with its author."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS page (
    slug TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    updated REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS revision (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL REFERENCES page(slug),
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    summary TEXT NOT NULL,
    author_id TEXT NOT NULL,
    author_name TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS revision_slug ON revision (slug, id);
"""
WELCOME = ("Welcome to the family wiki",
           "This wiki belongs to everyone in the Masthead family.\n\n"
           "Anyone can read it. Sign in with the bar at the top to edit a page; every change is kept in "
           "the page's history with the name of the person who made it.")


class Store:
    """Open a connection per call: simple and safe under threaded servers.

    Every connection is closed before the call returns. ``with sqlite3.connect()`` alone only commits: the
    connection lingers until the cyclic garbage collector runs, and one left open in a gunicorn
    ``--preload`` master is inherited by the forked workers, whose later connections then share its stale
    (and, once the master closes it, deleted) WAL index and stop seeing each other's writes.
    """

    def __init__(self, path: str) -> None:
        self.path = path
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        with self.connect() as db:
            db.execute("PRAGMA journal_mode = WAL")
            db.executescript(SCHEMA)
            if db.execute("SELECT COUNT(*) FROM page").fetchone()[0] == 0:
                self._save(db, "welcome", *WELCOME, "Created the wiki", author_id="", author_name="Wiki")

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        """A connection for one call: committed (or rolled back) and closed at the end."""
        db = sqlite3.connect(self.path, timeout=5)
        try:
            db.row_factory = sqlite3.Row
            with db:
                yield db
        finally:
            db.close()

    def pages(self) -> list[sqlite3.Row]:
        with self.connect() as db:
            return db.execute("SELECT p.slug, p.title, p.updated, "
                              "(SELECT author_name FROM revision r WHERE r.slug = p.slug ORDER BY id DESC LIMIT 1)"
                              " AS last_author FROM page p ORDER BY p.title COLLATE NOCASE").fetchall()

    def page(self, slug: str) -> sqlite3.Row | None:
        with self.connect() as db:
            return db.execute("SELECT * FROM page WHERE slug = ?", (slug,)).fetchone()

    def history(self, slug: str) -> list[sqlite3.Row]:
        with self.connect() as db:
            return db.execute("SELECT * FROM revision WHERE slug = ? ORDER BY id DESC", (slug,)).fetchall()

    def save(self, slug: str, title: str, body: str, summary: str, *, author_id: str, author_name: str) -> None:
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            self._save(db, slug, title, body, summary, author_id=author_id, author_name=author_name)

    @staticmethod
    def _save(db, slug, title, body, summary, *, author_id, author_name) -> None:
        now = time.time()
        db.execute("INSERT INTO page (slug, title, body, updated) VALUES (?, ?, ?, ?) ON CONFLICT(slug) DO "
                   "UPDATE SET title = excluded.title, body = excluded.body, updated = excluded.updated",
                   (slug, title, body, now))
        db.execute("INSERT INTO revision (slug, title, body, summary, author_id, author_name, created) "
                   "VALUES (?, ?, ?, ?, ?, ?, ?)", (slug, title, body, summary, author_id, author_name, now))

    def ping(self) -> None:
        with self.connect() as db:
            db.execute("SELECT 1")
