"""One exception hierarchy for everything identity_client refuses.

``MastheadError`` ─┬─ ``InvalidToken`` ─┬─ ``MalformedToken``      not a token at all (empty, huge, garbage)
                   │                    ├─ ``BadTokenSignature``   tampered, or signed with another key
                   │                    ├─ ``ExpiredToken``        older than ``max_age``
                   │                    ├─ ``TokenFromFuture``     timestamp ahead of our clock
                   │                    ├─ ``WrongAudience``       a token for another app
                   │                    ├─ ``RevokedToken``        introspection says the session ended
                   │                    └─ ``IntrospectionUnavailable``  fail-closed: the identity API did
                   │                                               not answer and nothing was cached
                   ├─ ``NotSignedIn``   raised by ``require_user`` (carries the reason, if any)
                   └─ ``ConfigurationError``
Every ``InvalidToken`` has an ``error`` code that is safe to put in a JSON body or ``WWW-Authenticate``.
"""

from __future__ import annotations


class MastheadError(Exception):
    """Base class of every identity_client error."""

    error = "masthead_error"


class InvalidToken(MastheadError):
    """A token (or app session cookie) was presented and cannot be trusted."""

    error = "invalid_token"


class MalformedToken(InvalidToken):
    """The value is not shaped like a token: empty, too long, not decodable, wrong payload."""


class BadTokenSignature(InvalidToken):
    """The signature does not match: tampered, or signed with a key that is not ours."""


class ExpiredToken(InvalidToken):
    """The token is older than the verifier's ``max_age``."""

    error = "expired_token"

    def __init__(self, message: str, *, age: float | None = None) -> None:
        super().__init__(message)
        #: seconds since the token was signed
        self.age = age


class TokenFromFuture(InvalidToken):
    """The token's timestamp is ahead of this server's clock (itsdangerous refuses it)."""


class WrongAudience(InvalidToken):
    """The token is valid but meant for another app (``aud`` is not ours)."""

    def __init__(self, message: str, *, audience: object = None, expected: str | None = None) -> None:
        super().__init__(message)
        self.audience = audience
        self.expected = expected


class RevokedToken(InvalidToken):
    """Introspection says the session behind the token is no longer active."""

    error = "revoked_token"


class IntrospectionUnavailable(InvalidToken):
    """Introspection was required but the identity API could not be asked (fail-closed)."""

    error = "introspection_unavailable"


class NotSignedIn(MastheadError):
    """A view requires a user and there is none; ``reason`` is the token error that led here, if any."""

    error = "not_signed_in"

    def __init__(self, message: str = "Sign in to continue.", *, reason: InvalidToken | None = None) -> None:
        super().__init__(message)
        self.reason = reason


class ConfigurationError(MastheadError, ValueError):
    """identity_client was configured with values it cannot work with."""
