"""Verify app tokens minted by the identity API (``POST /api/tokens``) with the app's own secret."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadData, BadSignature, SignatureExpired, URLSafeTimedSerializer

from .errors import (BadTokenSignature, ConfigurationError, ExpiredToken, MalformedToken, TokenFromFuture,
                     WrongAudience)
from .user import User

#: Salt of app tokens (docs/protocol.md, "App tokens").
TOKEN_SALT = "masthead.app-token"
#: The protocol caps token lifetime at five minutes; verifiers pass this ``max_age``.
MAX_TOKEN_AGE = 300
#: Real tokens are a few hundred bytes; anything longer is refused before any crypto work.
MAX_TOKEN_LENGTH = 4096
#: Text fields (names, emails, ids) longer than this are not ours.
MAX_FIELD_LENGTH = 512


def normalize_secrets(secrets: str | Sequence[str]) -> list[str]:
    """Secrets as a non-empty list, newest last (itsdangerous's key-list order)."""
    keys = [secrets] if isinstance(secrets, str) else list(secrets)
    if not keys or not all(isinstance(k, str) and k for k in keys):
        raise ConfigurationError("an app secret (or a list of them, newest last) is required")
    return keys


@dataclass(frozen=True, slots=True)
class Claims:
    """The verified contents of an app token."""

    sub: str
    sid: str
    aud: str
    jti: str
    name: str
    email: str
    issued_at: datetime

    @property
    def user(self) -> User:
        """The user this token speaks for."""
        return User(id=self.sub, name=self.name, email=self.email, sid=self.sid)


def _text(payload: dict, key: str, *, required: bool) -> str:
    """A string field of the payload, validated for type and length."""
    value = payload.get(key, None if required else "")
    if value is None:
        value = ""
    if not isinstance(value, str) or len(value) > MAX_FIELD_LENGTH or (required and not value):
        raise MalformedToken(f"token field {key!r} is missing or invalid")
    return value


class TokenVerifier:
    """Check an app token's signature, age and audience, locally and without network.

    ``secrets`` is this app's secret, or a list of them newest last while rotating keys.
    """

    def __init__(self, app_id: str, secrets: str | Sequence[str], max_age: int = MAX_TOKEN_AGE) -> None:
        if not app_id:
            raise ConfigurationError("app_id is required")
        if not 0 < max_age <= MAX_TOKEN_AGE:
            raise ConfigurationError(f"max_age must be between 1 and {MAX_TOKEN_AGE} seconds")
        self.app_id = app_id
        self.max_age = max_age
        self._serializer = URLSafeTimedSerializer(normalize_secrets(secrets), salt=TOKEN_SALT)

    def verify(self, token: object) -> Claims:
        """Return the token's claims, or raise a subclass of :class:`InvalidToken`."""
        if not isinstance(token, str) or not token:
            raise MalformedToken("no token")
        if len(token) > MAX_TOKEN_LENGTH or not token.isascii():
            raise MalformedToken("token too long or not ASCII")
        try:
            payload, issued_at = self._serializer.loads(token, max_age=self.max_age, return_timestamp=True)
        except SignatureExpired as exc:
            signed = exc.date_signed.timestamp() if exc.date_signed else None
            age = time.time() - signed if signed is not None else None
            if age is not None and age < 0:
                raise TokenFromFuture("token timestamp is in the future") from None
            raise ExpiredToken("token expired", age=age) from None
        except BadSignature:
            raise BadTokenSignature("token signature does not match") from None
        except (BadData, ValueError, TypeError, OverflowError):
            raise MalformedToken("token cannot be decoded") from None
        if not isinstance(payload, dict):
            raise MalformedToken("token payload is not an object")
        aud = payload.get("aud")
        if aud != self.app_id:
            raise WrongAudience("token is for another app", audience=aud, expected=self.app_id)
        return Claims(sub=_text(payload, "sub", required=True), sid=_text(payload, "sid", required=True),
                      aud=aud, jti=_text(payload, "jti", required=False),
                      name=_text(payload, "name", required=False),
                      email=_text(payload, "email", required=False), issued_at=issued_at)
