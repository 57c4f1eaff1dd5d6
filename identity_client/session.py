"""The app's own first-party session cookie, set by the hand-over endpoint (docs/protocol.md)."""

from __future__ import annotations

from collections.abc import Sequence

from itsdangerous import BadData, URLSafeTimedSerializer

from .errors import ConfigurationError
from .tokens import MAX_FIELD_LENGTH, normalize_secrets
from .user import User

SESSION_SALT = "masthead.app-session"
COOKIE_NAME = "masthead_app_session"
#: Default lifetime: 12 hours. Revocation reaches the cookie through the bar's DELETE hand-over.
DEFAULT_MAX_AGE = 12 * 60 * 60
#: Browsers drop cookies over 4096 bytes; we refuse to read anything near that.
MAX_COOKIE_LENGTH = 4096


def parse_cookie_header(header: str, name: str) -> str | None:
    """The first value of cookie ``name`` in a ``Cookie`` header, or None (never raises)."""
    for part in header.split(";"):
        key, sep, value = part.partition("=")
        if sep and key.strip() == name:
            return value.strip().strip('"')
    return None


class AppSession:
    """Sign, read and (un)set the ``masthead_app_session`` cookie.

    ``secure`` selects the https form: ``__Host-`` prefix and the ``Secure`` attribute. ``cookie_name``
    overrides the base name only when several apps share one origin (see demo_sites/dispatch.py).
    """

    def __init__(self, secrets: str | Sequence[str], *, max_age: int = DEFAULT_MAX_AGE,
                 cookie_name: str = COOKIE_NAME) -> None:
        if max_age <= 0:
            raise ConfigurationError("session max_age must be positive")
        self.max_age = max_age
        self.base_name = cookie_name
        self._serializer = URLSafeTimedSerializer(normalize_secrets(secrets), salt=SESSION_SALT)

    def cookie_name(self, secure: bool) -> str:
        """``masthead_app_session`` over http, ``__Host-masthead_app_session`` over https."""
        return f"__Host-{self.base_name}" if secure else self.base_name

    def dumps(self, user: User) -> str:
        """The signed cookie value for ``user``."""
        return self._serializer.dumps({"sub": user.id, "sid": user.sid, "name": user.name,
                                       "email": user.email})

    def loads(self, value: str | None) -> User | None:
        """The user in a cookie value, or None when absent, tampered, expired or malformed."""
        if not value or len(value) > MAX_COOKIE_LENGTH or not value.isascii():
            return None
        try:
            data = self._serializer.loads(value, max_age=self.max_age)
        except (BadData, ValueError, TypeError, OverflowError):
            return None
        if not isinstance(data, dict):
            return None
        fields = [data.get(k) for k in ("sub", "sid", "name", "email")]
        if not all(isinstance(f, str) and len(f) <= MAX_FIELD_LENGTH for f in fields) or not all(fields[:2]):
            return None
        sub, sid, name, email = fields
        return User(id=sub, name=name, email=email, sid=sid)

    def read(self, cookie_header: str, secure: bool) -> User | None:
        """The user from a request's ``Cookie`` header."""
        return self.loads(parse_cookie_header(cookie_header or "", self.cookie_name(secure)))

    def _attributes(self, secure: bool) -> str:
        return "; HttpOnly; SameSite=Lax; Path=/" + ("; Secure" if secure else "")

    def set_cookie(self, user: User, secure: bool) -> str:
        """A ``Set-Cookie`` header value that starts the app session for ``user``."""
        return (f"{self.cookie_name(secure)}={self.dumps(user)}; Max-Age={self.max_age}"
                f"{self._attributes(secure)}")

    def clear_cookie(self, secure: bool) -> str:
        """A ``Set-Cookie`` header value that ends the app session."""
        return (f"{self.cookie_name(secure)}=; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"
                f"{self._attributes(secure)}")
