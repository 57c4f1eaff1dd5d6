"""Server-side sessions referenced by a signed cookie.

The cookie carries a random session token, signed (so garbage is rejected before touching the database)
and timed (``max_age`` = absolute lifetime). The database keeps only ``sha256(token)``, so a database leak
does not hand out live cookies. A session is valid only while its record says so: not revoked, seen within
the idle timeout, younger than the absolute lifetime, and its user not disabled. Every sign-in creates a
new record and token (no fixation).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from flask import Response, g, request

from . import services, tokens
from .store import Session, User

#: ``last_seen_at`` is written at most this often, so ``/api/me`` stays (nearly) read-only.
TOUCH_INTERVAL = 60.0
MAX_USER_AGENT = 300


@dataclass(frozen=True)
class Current:
    """The signed-in session of this request and its user."""

    session: Session
    user: User


def cookie_name(https: bool) -> str:
    """``__Host-masthead_session`` over https (pins Secure, Path=/ and no Domain), else ``masthead_session``."""
    return "__Host-masthead_session" if https else "masthead_session"


def token_hash(token: str) -> str:
    """What the database stores for a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def is_valid(session: Session, user: User, now: float) -> bool:
    """Whether a stored session still authenticates its user at ``now``."""
    config = services.get().config
    return (session.revoked_at is None and user.disabled_at is None and user.confirmed_at is not None
            and now - session.last_seen_at <= config.session_idle_timeout
            and now - session.created_at <= config.session_lifetime
            and session.created_at <= now + 1)


def create(user: User) -> tuple[str, Session]:
    """Start a new session for ``user``; return the cookie value and the record."""
    svc = services.get()
    token = tokens.new_session_token()
    record = svc.store.create_session(
        user_id=user.id, token_hash=token_hash(token), public_id=secrets.token_urlsafe(16), now=svc.now(),
        user_agent=(request.headers.get("User-Agent") or "")[:MAX_USER_AGENT], ip=request.remote_addr or "")
    g.masthead_current = Current(record, user)
    return tokens.sign(svc.config.secret_keys, tokens.SESSION_SALT, token), record


def current() -> Current | None:
    """The valid session of this request's cookie, or None (computed once per request)."""
    if "masthead_current" in g:
        return g.masthead_current
    g.masthead_current = _load()
    return g.masthead_current


def _load() -> Current | None:
    svc = services.get()
    config = svc.config
    token = tokens.load_session_cookie(config.secret_keys, request.cookies.get(cookie_name(config.https)),
                                       config.session_lifetime)
    if token is None:
        return None
    found = svc.store.session_by_token_hash(token_hash(token))
    if found is None:
        return None
    session, user = found
    now = svc.now()
    if not is_valid(session, user, now):
        return None
    if now - session.last_seen_at >= TOUCH_INTERVAL:
        svc.store.touch_session(session.id, now)
    return Current(session, user)


def by_public_id(public_id: str) -> Current | None:
    """The valid session with this public id (what app tokens carry as ``sid``), or None."""
    if not isinstance(public_id, str) or not public_id:
        return None
    svc = services.get()
    found = svc.store.session_by_public_id(public_id)
    if found is None or not is_valid(*found, svc.now()):
        return None
    return Current(*found)


def end_current() -> None:
    """Revoke this request's session, if any."""
    found = current()
    if found is not None:
        svc = services.get()
        svc.store.revoke_session(found.session.id, svc.now())
    g.masthead_current = None


def end_others(user: User, keep: Session | None) -> int:
    """Revoke every session of ``user`` except ``keep``; return how many ended."""
    svc = services.get()
    return svc.store.revoke_user_sessions(user.id, svc.now(), keep=keep.id if keep else None)


def set_cookie(response: Response, value: str) -> None:
    """Attach the session cookie (see docs/protocol.md for every attribute)."""
    config = services.get().config
    response.set_cookie(cookie_name(config.https), value, max_age=config.session_lifetime, path="/",
                        secure=config.https, httponly=True, samesite="Lax")


def clear_cookie(response: Response) -> None:
    """Expire the session cookie in the browser."""
    config = services.get().config
    response.delete_cookie(cookie_name(config.https), path="/", secure=config.https, httponly=True,
                           samesite="Lax")
