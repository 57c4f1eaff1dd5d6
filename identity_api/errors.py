"""The one exception hierarchy of the identity API.

Every error the service raises on purpose is a :class:`MastheadError`. The CLI turns them into a message
and exit code 2; the web layer turns :class:`ApiError` into ``{"error", "message"}`` JSON.
"""

from __future__ import annotations


class MastheadError(Exception):
    """Base class: a failure with a message meant for the operator or user, never a stack trace."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class ConfigError(MastheadError):
    """The configuration (environment, registered origins) is unsafe or malformed; refuse to start."""


class ValidationError(MastheadError):
    """A value given by a user or operator is not acceptable (bad email, origin, colour, ...)."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class PasswordPolicyError(ValidationError):
    """A new password does not meet the password policy."""

    def __init__(self, message: str):
        super().__init__(message, field="password")


class StoreError(MastheadError):
    """The storage backend refused an operation."""


class DuplicateEmail(StoreError):
    """An account with this email already exists."""


class DuplicateApp(StoreError):
    """An app with this id already exists."""


class NotFound(StoreError):
    """The user, session or app does not exist."""


class ApiError(MastheadError):
    """An ``/api/*`` failure: rendered as ``{"error": code, "message": message}`` with ``status``."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status = status
        self.code = code
