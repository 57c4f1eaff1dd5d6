"""identity_client: the Masthead server SDK for app backends (itsdangerous + standard library only)."""

from .core import DEFAULT_HANDOVER_PATH, Auth, Masthead
from .errors import (BadTokenSignature, ConfigurationError, ExpiredToken, IntrospectionUnavailable,
                     InvalidToken, MalformedToken, MastheadError, NotSignedIn, RevokedToken, TokenFromFuture,
                     WrongAudience)
from .introspection import Introspector
from .session import COOKIE_NAME, AppSession
from .tokens import Claims, TokenVerifier
from .user import User

__all__ = [
    "DEFAULT_HANDOVER_PATH", "Auth", "Masthead", "BadTokenSignature", "ConfigurationError", "ExpiredToken",
    "IntrospectionUnavailable", "InvalidToken", "MalformedToken", "MastheadError", "NotSignedIn",
    "RevokedToken", "TokenFromFuture", "WrongAudience", "Introspector", "COOKIE_NAME", "AppSession",
    "Claims", "TokenVerifier", "User",
]
