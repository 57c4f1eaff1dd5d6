"""Signed values (itsdangerous): the session cookie, app tokens, CSRF tokens, email confirmations.

Every ``loads`` passes ``max_age`` (itsdangerous never expires a value otherwise) and every failure
(tampered, expired, future-dated, wrong salt, wrong key, malformed) becomes ``None``: callers treat a bad
value exactly like a missing one and nothing here raises into a view.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from functools import lru_cache
from typing import Any, Callable, Sequence

from itsdangerous import BadData, URLSafeTimedSerializer

SESSION_SALT = "masthead.session"
APP_TOKEN_SALT = "masthead.app-token"
CSRF_SALT = "masthead.csrf"
CONFIRM_SALT = "masthead.confirm"


def serializer(keys: Sequence[str] | str, salt: str) -> URLSafeTimedSerializer:
    """A timed serializer; with a list of keys the last one signs and all of them verify.

    Serializers are immutable once built (itsdangerous derives the signing key per call from the secret
    and salt given here), so one per ``(keys, salt)`` is cached and shared by all threads: building one on
    every cookie check cost about a tenth of ``/api/me``.
    """
    return _serializer(keys if isinstance(keys, str) else tuple(keys), salt)


@lru_cache(maxsize=128)
def _serializer(keys: tuple[str, ...] | str, salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(keys if isinstance(keys, str) else list(keys), salt=salt)


def new_session_token() -> str:
    """32 random bytes, url-safe base64: the secret a session cookie carries."""
    return secrets.token_urlsafe(32)


def sign(keys: Sequence[str] | str, salt: str, value: Any) -> str:
    """Sign ``value`` (JSON-serialisable) with the newest key."""
    return serializer(keys, salt).dumps(value)


def unsign(keys: Sequence[str] | str, salt: str, signed: str | None, max_age: int,
           *, with_timestamp: bool = False) -> Any:
    """The value inside ``signed`` if valid and younger than ``max_age`` seconds, else None."""
    if not signed or not isinstance(signed, str):
        return None
    try:
        return serializer(keys, salt).loads(signed, max_age=max_age, return_timestamp=with_timestamp)
    except (BadData, UnicodeError, ValueError, TypeError):
        return None


def load_session_cookie(keys: Sequence[str], value: str | None, max_age: int) -> str | None:
    """The session token inside a cookie value, or None."""
    token = unsign(keys, SESSION_SALT, value, max_age)
    return token if isinstance(token, str) and token else None


def mint_app_token(secret: str, *, sub: str, sid: str, aud: str, name: str, email: str) -> str:
    """A token for app ``aud``, signed with that app's own secret."""
    payload = {"sub": sub, "sid": sid, "aud": aud, "jti": secrets.token_urlsafe(12), "name": name,
               "email": email}
    return sign(secret, APP_TOKEN_SALT, payload)


def verify_app_token(token: str | None, secret_for: Callable[[str], str | None],
                     max_age: int) -> tuple[dict, datetime] | None:
    """``(payload, issued_at)`` of a valid app token, else None.

    The audience is read without verification only to pick which app's secret to verify with; the token
    is then fully verified (signature, age, ``aud`` equal to the app whose secret matched).
    """
    if not token or not isinstance(token, str) or len(token) > 4096:
        return None
    try:
        _, unverified = serializer("unused-key-for-unsafe-load", APP_TOKEN_SALT).loads_unsafe(token)
    except Exception:  # loads_unsafe parses attacker input; any failure means "not a token"
        return None
    if not isinstance(unverified, dict) or not isinstance(unverified.get("aud"), str):
        return None
    audience = unverified["aud"]
    secret = secret_for(audience)
    if not secret:
        return None
    result = unsign(secret, APP_TOKEN_SALT, token, max_age, with_timestamp=True)
    if result is None:
        return None
    payload, issued_at = result
    if (not isinstance(payload, dict) or payload.get("aud") != audience
            or not all(isinstance(payload.get(k), str) for k in ("sub", "sid", "aud"))):
        return None
    return payload, issued_at
