"""Helpers for identity API tests: configs, a movable clock, users, apps, signed-in clients, forged tokens."""

from __future__ import annotations

import re
import time
from dataclasses import replace
from pathlib import Path

from itsdangerous import TimestampSigner, URLSafeTimedSerializer

from identity_api import create_app
from identity_api.config import Config
from identity_api import passwords, registry

TEST_KEY = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
ORIGIN = "http://localhost:8000"
NOTES_ORIGIN = "http://localhost:8001"
FORUM_ORIGIN = "http://localhost:8002"
NOTES_SECRET = "notes-secret-0123456789abcdefghijklmnopqrstuv"
FORUM_SECRET = "forum-secret-0123456789abcdefghijklmnopqrstuv"
PASSWORD = "correct horse battery staple"
_CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


class Clock:
    """A wall clock tests move by hand (``clock.advance(3600)``) instead of sleeping."""

    def __init__(self, start: float | None = None):
        self.now = time.time() if start is None else start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def make_config(tmp_path: Path, **overrides) -> Config:
    """A development config with its own database and outbox under ``tmp_path``."""
    base = Config(env="development", database=tmp_path / "masthead.sqlite3", secret_keys=(TEST_KEY,),
                  public_url=ORIGIN, outbox=tmp_path / "outbox", registry_ttl=0.0)
    return replace(base, **overrides)


def make_app(tmp_path: Path, **overrides):
    """A testing app (exceptions propagate, so a 500 fails the test loudly)."""
    app = create_app(make_config(tmp_path, **overrides))
    app.testing = True
    return app


def store(app):
    return app.extensions["masthead"].store


def add_user(app, email="ada@example.com", name="Ada Lovelace", password=PASSWORD, *, confirmed=True,
             avatar_url=None):
    """Create an account directly in the store."""
    return store(app).create_user(email=email, name=name, password_hash=passwords.hash_password(password),
                                  now=app.extensions["masthead"].config.clock(), confirmed=confirmed,
                                  avatar_url=avatar_url)


def add_app(app, app_id="notes", origins=(NOTES_ORIGIN,), secret=NOTES_SECRET, **fields):
    """Register an app directly in the store."""
    fields.setdefault("name", app_id.title())
    fields.setdefault("url", origins[0] + "/")
    built = registry.build_app(app_id, origins=list(origins), secret=secret, **fields)
    store(app).add_app(built)
    return built


def csrf_of(html: bytes | str) -> str:
    """The CSRF token of the first form in a page."""
    text = html.decode() if isinstance(html, bytes) else html
    match = _CSRF_RE.search(text)
    assert match, "no CSRF token in page"
    return match.group(1)


def page_csrf(client, path="/sign-in") -> str:
    """GET ``path`` and return its form's CSRF token (sets the anonymous CSRF cookie)."""
    response = client.get(path)
    return csrf_of(response.data)


def sign_in(client, email="ada@example.com", password=PASSWORD, next_url=None, **headers):
    """Submit the sign-in form like a browser; returns the response."""
    token = page_csrf(client, "/sign-in")
    data = {"csrf_token": token, "email": email, "password": password}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/sign-in", data=data, headers=headers)


def session_cookie(client, name="masthead_session") -> str | None:
    cookie = client.get_cookie(name)
    return cookie.value if cookie else None


def json_post(client, path, body=None, origin=ORIGIN, **kwargs):
    """POST JSON like the bar does (Origin + application/json)."""
    headers = kwargs.pop("headers", {})
    if origin is not None:
        headers["Origin"] = origin
    return client.post(path, json={} if body is None else body, headers=headers, **kwargs)


def signer_at(offset: float):
    """A TimestampSigner class that signs ``offset`` seconds from now (negative: in the past)."""
    class Shifted(TimestampSigner):
        def get_timestamp(self) -> int:
            return int(time.time() + offset)
    return Shifted


def forge(secret, salt, payload, offset=0.0) -> str:
    """Sign ``payload`` with ``secret``/``salt`` at a chosen time."""
    return URLSafeTimedSerializer(secret, salt=salt, signer=signer_at(offset)).dumps(payload)


def flip(token: str, part: int) -> str:
    """Change one character of the payload (part 0) or signature (part 2) of an itsdangerous value."""
    pieces = token.rsplit(".", 2)
    piece = pieces[part]
    index = 0 if part == 2 else len(piece) // 2
    pieces[part] = piece[:index] + ("A" if piece[index] != "A" else "B") + piece[index + 1:]
    return ".".join(pieces)
