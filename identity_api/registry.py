"""The app registry: validation of app fields and an in-process cache that follows the database.

``masthead apps add/remove`` runs in another process and writes the database; each server process keeps
an immutable :class:`Snapshot` and, at most every ``ttl`` seconds, reads the store's registry version (one
tiny query) and reloads only when it changed. So registrations take effect without a restart and the hot
path (``/api/me``, CORS) reads plain Python objects.
"""

from __future__ import annotations

import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Callable
from urllib.parse import urlsplit

from .errors import ConfigError, ValidationError
from .store import App, Store

APP_ID_RE = re.compile(r"^[a-z][a-z0-9-]{1,31}$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
#: Characters that make an origin look like a pattern (flask-cors would compile it as a regex).
_PATTERN_CHARS = set("*\\]?$^[]()|+{}")
_DEFAULT_PORTS = {"http": 80, "https": 443}
MIN_SECRET_LENGTH = 32


def validate_app_id(app_id: str) -> str:
    """The app id, or ValidationError."""
    if not isinstance(app_id, str) or not APP_ID_RE.fullmatch(app_id):
        raise ValidationError(f"app id must match {APP_ID_RE.pattern} (got {app_id!r})", "app_id")
    return app_id


def normalise_origin(origin: str) -> str:
    """``scheme://host[:port]`` lower-cased with default ports dropped; ValidationError for anything else.

    Wildcards and regex characters are refused outright: an origin list combined with credentials must be
    exact strings (a pattern like ``https://.*\\.example\\.com`` also matches ``...example.com.evil.net``).
    """
    if not isinstance(origin, str) or not origin or origin != origin.strip():
        raise ValidationError(f"invalid origin {origin!r}", "origin")
    if _PATTERN_CHARS & set(origin) or origin == "null":
        raise ConfigError(f"origin {origin!r} is a wildcard or pattern; only exact origins are allowed")
    if any(ord(ch) < 0x21 or ord(ch) == 0x7f for ch in origin):
        raise ValidationError(f"invalid origin {origin!r}", "origin")
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https"):
        raise ValidationError(f"origin {origin!r} must be http:// or https://", "origin")
    if not parts.hostname or "@" in parts.netloc or parts.path or parts.query or parts.fragment \
            or origin.endswith(("?", "#")):
        raise ValidationError(f"origin {origin!r} must be scheme://host[:port] with no path", "origin")
    try:
        port = parts.port
    except ValueError:
        raise ValidationError(f"origin {origin!r} has an invalid port", "origin") from None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port is None or port == _DEFAULT_PORTS[parts.scheme]:
        return f"{parts.scheme}://{host}"
    return f"{parts.scheme}://{host}:{port}"


def validate_http_url(url: str, what: str) -> str:
    """An absolute http(s) URL with a host and no credentials, or ValidationError."""
    if not isinstance(url, str) or any(ord(ch) < 0x21 or ord(ch) == 0x7f for ch in url) or "\\" in url:
        raise ValidationError(f"{what} must be an http(s) URL", what)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        raise ValidationError(f"{what} must be an http(s) URL (got {url!r})", what)
    return url


def validate_color(color: str) -> str:
    """A ``#RRGGBB`` colour, lower-cased, or ValidationError."""
    if not isinstance(color, str) or not COLOR_RE.fullmatch(color):
        raise ValidationError(f"color must look like #RRGGBB (got {color!r})", "color")
    return color.lower()


def validate_handover(path: str) -> str:
    """A same-origin absolute path like ``/.masthead/session``, or ValidationError."""
    if (not isinstance(path, str) or not path.startswith("/") or path.startswith("//") or "\\" in path
            or any(ord(ch) < 0x21 or ord(ch) == 0x7f for ch in path) or "?" in path or "#" in path):
        raise ValidationError(f"handover must be an absolute path like /.masthead/session (got {path!r})",
                              "handover")
    return path


def generate_secret() -> str:
    """A new random app secret (43 url-safe characters)."""
    return secrets.token_urlsafe(32)


def build_app(app_id: str, *, name: str, origins: list[str], url: str, icon: str | None = None,
              color: str | None = None, secret: str | None = None, handover: str | None = None,
              now: float | None = None) -> App:
    """Validate every field and return an :class:`App` (generating a secret when none is given)."""
    validate_app_id(app_id)
    if not name or not name.strip() or len(name) > 80:
        raise ValidationError("name must be 1..80 characters", "name")
    if not origins:
        raise ValidationError("give at least one --origin", "origin")
    clean_origins = tuple(dict.fromkeys(normalise_origin(o) for o in origins))
    if secret is not None and len(secret) < MIN_SECRET_LENGTH:
        raise ValidationError(f"secret must be at least {MIN_SECRET_LENGTH} characters", "secret")
    return App(id=app_id, name=name.strip(), origins=clean_origins, url=validate_http_url(url, "url"),
               icon=validate_http_url(icon, "icon") if icon else None,
               color=validate_color(color) if color else None, secret=secret or generate_secret(),
               handover=validate_handover(handover) if handover else None,
               created_at=time.time() if now is None else now)


@dataclass(frozen=True)
class Snapshot:
    """The registry at one version; immutable, so readers need no lock."""

    version: int
    apps: dict[str, App]
    origins: frozenset[str]
    #: ``/api/me``'s ``apps`` array, serialised once per version.
    apps_json: str
    #: Every origin CORS answers: registered app origins plus the identity origin, sorted.
    cors_origins: tuple[str, ...] = field(default=())


class Registry:
    """Cached view of the registered apps, refreshed from the store when its version changes."""

    def __init__(self, store: Store, identity_origin: str, ttl: float = 1.0,
                 monotonic: Callable[[], float] = time.monotonic):
        self.store = store
        self.identity_origin = identity_origin
        self.ttl = ttl
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._checked_at = float("-inf")
        self._snapshot: Snapshot | None = None

    def _load(self, version: int) -> Snapshot:
        apps = {app.id: app for app in self.store.list_apps()}
        origins = set()
        for app in apps.values():
            for origin in app.origins:
                # A row written around the CLI (or by an older version) must not loosen CORS.
                if normalise_origin(origin) != origin:
                    raise ConfigError(f"app {app.id!r} has a non-canonical origin {origin!r}")
                origins.add(origin)
        public = [{"id": a.id, "name": a.name, "url": a.url, "icon": a.icon, "color": a.color,
                   "handover": a.handover} for a in apps.values()]
        return Snapshot(version=version, apps=apps, origins=frozenset(origins),
                        apps_json=json.dumps(public, separators=(",", ":")),
                        cors_origins=tuple(sorted(origins | {self.identity_origin})))

    def snapshot(self) -> Snapshot:
        """The current registry, at most ``ttl`` seconds stale."""
        snap = self._snapshot
        if snap is not None and self._monotonic() - self._checked_at < self.ttl:
            return snap
        with self._lock:
            if self._snapshot is not None and self._monotonic() - self._checked_at < self.ttl:
                return self._snapshot
            version = self.store.registry_version()
            if self._snapshot is None or self._snapshot.version != version:
                self._snapshot = self._load(version)
            self._checked_at = self._monotonic()
            return self._snapshot

    def get(self, app_id: str) -> App | None:
        """The registered app with this id, or None."""
        return self.snapshot().apps.get(app_id) if isinstance(app_id, str) else None

    def is_allowed_origin(self, origin: str | None) -> bool:
        """True for the identity origin and every registered app origin (exact match)."""
        if not origin:
            return False
        return origin == self.identity_origin or origin in self.snapshot().origins

    def app_for_origin(self, origin: str | None) -> App | None:
        """The app that registered ``origin``, or None."""
        if not origin:
            return None
        for app in self.snapshot().apps.values():
            if origin in app.origins:
                return app
        return None
