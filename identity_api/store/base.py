"""The storage interface and its records.

A backend (SQLite today; PostgreSQL or Redis later) implements :class:`Store`. Records are frozen
dataclasses; times are Unix seconds (floats) taken from the caller's clock, so the store never reads
the time itself and tests can move time without sleeping.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass


@dataclass(frozen=True)
class User:
    """An account. ``email`` is stored lower-cased; ``confirmed_at`` is None until the email is proven."""

    id: int
    email: str
    name: str
    password_hash: str
    avatar_url: str | None
    disabled_at: float | None
    confirmed_at: float | None
    created_at: float
    password_changed_at: float

    @property
    def active(self) -> bool:
        """May sign in: confirmed and not disabled."""
        return self.confirmed_at is not None and self.disabled_at is None


@dataclass(frozen=True)
class Session:
    """A server-side sign-in session; the cookie holds a token whose sha256 is ``token_hash``."""

    id: int
    public_id: str
    user_id: int
    created_at: float
    last_seen_at: float
    revoked_at: float | None
    user_agent: str
    ip: str


@dataclass(frozen=True)
class App:
    """A registered app of the family."""

    id: str
    name: str
    origins: tuple[str, ...]
    url: str
    icon: str | None
    color: str | None
    secret: str
    handover: str | None
    created_at: float


class Store(ABC):
    """What the identity API needs from storage, and nothing more."""

    # -- users -------------------------------------------------------------------------------------
    @abstractmethod
    def create_user(self, *, email: str, name: str, password_hash: str, now: float,
                    confirmed: bool, avatar_url: str | None = None) -> User:
        """Insert a user; raise DuplicateEmail if the (lower-cased) email exists."""

    @abstractmethod
    def get_user(self, user_id: int) -> User | None:
        """The user with this id, or None."""

    @abstractmethod
    def get_user_by_email(self, email: str) -> User | None:
        """The user with this email (compared lower-cased), or None."""

    @abstractmethod
    def list_users(self) -> list[User]:
        """Every user, oldest first."""

    @abstractmethod
    def update_profile(self, user_id: int, *, name: str, avatar_url: str | None) -> None:
        """Change the display name and avatar."""

    @abstractmethod
    def replace_unconfirmed(self, user_id: int, *, name: str, password_hash: str, now: float) -> None:
        """Overwrite name and password of a not-yet-confirmed account (a repeated sign-up)."""

    @abstractmethod
    def set_password(self, user_id: int, password_hash: str, now: float) -> None:
        """Store a new password hash (rehash or change); does not touch sessions."""

    @abstractmethod
    def confirm_user(self, user_id: int, now: float) -> None:
        """Mark the email as confirmed."""

    @abstractmethod
    def disable_user(self, user_id: int, now: float) -> None:
        """Disable the account and revoke all its sessions, atomically."""

    # -- sessions ----------------------------------------------------------------------------------
    @abstractmethod
    def create_session(self, *, user_id: int, token_hash: str, public_id: str, now: float,
                       user_agent: str, ip: str) -> Session:
        """Insert a session."""

    @abstractmethod
    def session_by_token_hash(self, token_hash: str) -> tuple[Session, User] | None:
        """The session with this token hash and its user (one indexed lookup), or None."""

    @abstractmethod
    def session_by_public_id(self, public_id: str) -> tuple[Session, User] | None:
        """The session with this public id and its user, or None."""

    @abstractmethod
    def touch_session(self, session_id: int, now: float) -> None:
        """Record activity (moves the idle timeout)."""

    @abstractmethod
    def revoke_session(self, session_id: int, now: float) -> None:
        """Revoke one session (idempotent)."""

    @abstractmethod
    def revoke_user_sessions(self, user_id: int, now: float, *, keep: int | None = None) -> int:
        """Revoke every live session of a user except ``keep``; return how many."""

    @abstractmethod
    def list_sessions(self, user_id: int, *, not_before: float) -> list[Session]:
        """Unrevoked sessions of a user seen at or after ``not_before``, newest activity first."""

    # -- apps --------------------------------------------------------------------------------------
    @abstractmethod
    def add_app(self, app: App) -> None:
        """Register an app; raise DuplicateApp if the id exists. Bumps the registry version."""

    @abstractmethod
    def remove_app(self, app_id: str) -> bool:
        """Remove an app; True if it existed. Bumps the registry version."""

    @abstractmethod
    def list_apps(self) -> list[App]:
        """Every registered app, in registration order."""

    @abstractmethod
    def registry_version(self) -> int:
        """A number that changes whenever the app registry changes (cheap to read)."""

    # -- health ------------------------------------------------------------------------------------
    @abstractmethod
    def ping(self) -> bool:
        """True when the backend answers."""
