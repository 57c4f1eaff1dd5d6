"""Configuration: one frozen :class:`Config`, built from ``MASTHEAD_*`` environment variables.

The app factory takes a ``Config``; nothing else reads the environment, so tests build configs directly.
:meth:`Config.validate` is where production safety rules live (no development key, no debug, strong keys,
no per-process rate-limit storage shared by several workers).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping
from urllib.parse import urlsplit

from limits import parse as parse_limit

from .errors import ConfigError

#: Signs development cookies so ``make demo`` needs nothing set. Public, so production refuses it.
DEV_SECRET_KEY = "masthead-development-key-do-not-use-in-production"
MIN_KEY_LENGTH = 32
MAX_TOKEN_LIFETIME = 300
ENVIRONMENTS = ("production", "development")


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name} must be an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum}, got {value}")
    return value


def _float(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, got {raw!r}") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative")
    return value


def _bool(env: Mapping[str, str], name: str) -> bool:
    return env.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _limit(env: Mapping[str, str], name: str, default: str) -> str:
    value = env.get(name, "").strip() or default
    try:
        parse_limit(value)
    except ValueError:
        raise ConfigError(f"{name} is not a rate limit like '5 per 5 minutes': {value!r}") from None
    return value


def normalise_public_url(url: str) -> str:
    """Return the identity origin (``scheme://host[:port]``) or raise ConfigError."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"MASTHEAD_PUBLIC_URL must be an http(s) URL, got {url!r}")
    if parts.path not in ("", "/") or parts.query or parts.fragment or "@" in parts.netloc:
        raise ConfigError(f"MASTHEAD_PUBLIC_URL must be an origin without a path, got {url!r}")
    return f"{parts.scheme}://{parts.netloc.lower()}"


@dataclass(frozen=True)
class Config:
    """Everything the identity API needs to run; see README.md, "Configuration", for each variable."""

    env: str = "production"
    database: Path = field(default_factory=lambda: Path.cwd() / "instance" / "masthead.sqlite3")
    secret_keys: tuple[str, ...] = ()
    public_url: str = "http://localhost:8000"
    session_idle_timeout: int = 7 * 24 * 3600
    session_lifetime: int = 30 * 24 * 3600
    token_lifetime: int = MAX_TOKEN_LIFETIME
    trusted_proxies: int = 0
    ratelimit_storage: str = "memory://"
    signin_limit_account: str = "5 per 5 minutes"
    signin_limit_client: str = "30 per 5 minutes"
    signup_limit_client: str = "10 per hour"
    token_limit_client: str = "120 per minute"
    outbox: Path = field(default_factory=lambda: Path.cwd() / "instance" / "outbox")
    smtp_url: str | None = None
    mail_from: str = "Masthead <no-reply@localhost>"
    registry_ttl: float = 1.0
    workers: int = 1
    threads: int = 8
    debug: bool = False
    #: Wall clock for session timestamps; tests inject a fake one instead of sleeping.
    clock: Callable[[], float] = field(default=time.time, compare=False)

    @property
    def development(self) -> bool:
        return self.env == "development"

    @property
    def https(self) -> bool:
        return self.public_url.startswith("https://")

    @property
    def origin(self) -> str:
        """The identity origin, e.g. ``http://localhost:8000``."""
        return self.public_url

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, **overrides) -> "Config":
        """Read ``MASTHEAD_*`` variables (default: ``os.environ``) and validate the result."""
        env = os.environ if env is None else env
        mode = env.get("MASTHEAD_ENV", "production").strip().lower() or "production"
        if mode not in ENVIRONMENTS:
            raise ConfigError(f"MASTHEAD_ENV must be one of {', '.join(ENVIRONMENTS)}, got {mode!r}")
        keys_raw = env.get("MASTHEAD_SECRET_KEYS", "")
        keys = tuple(k.strip() for k in keys_raw.split(",") if k.strip())
        if not keys and mode == "development":
            keys = (DEV_SECRET_KEY,)
        cwd = Path.cwd()
        config = cls(
            env=mode,
            database=Path(env.get("MASTHEAD_DATABASE") or cwd / "instance" / "masthead.sqlite3"),
            secret_keys=keys,
            public_url=normalise_public_url(env.get("MASTHEAD_PUBLIC_URL") or "http://localhost:8000"),
            session_idle_timeout=_int(env, "MASTHEAD_SESSION_IDLE_TIMEOUT", 7 * 24 * 3600, 60),
            session_lifetime=_int(env, "MASTHEAD_SESSION_LIFETIME", 30 * 24 * 3600, 60),
            token_lifetime=_int(env, "MASTHEAD_TOKEN_LIFETIME", MAX_TOKEN_LIFETIME, 1),
            trusted_proxies=_int(env, "MASTHEAD_TRUSTED_PROXIES", 0),
            ratelimit_storage=env.get("MASTHEAD_RATELIMIT_STORAGE", "").strip() or "memory://",
            signin_limit_account=_limit(env, "MASTHEAD_SIGNIN_LIMIT_ACCOUNT", "5 per 5 minutes"),
            signin_limit_client=_limit(env, "MASTHEAD_SIGNIN_LIMIT_CLIENT", "30 per 5 minutes"),
            signup_limit_client=_limit(env, "MASTHEAD_SIGNUP_LIMIT_CLIENT", "10 per hour"),
            token_limit_client=_limit(env, "MASTHEAD_TOKEN_LIMIT_CLIENT", "120 per minute"),
            outbox=Path(env.get("MASTHEAD_OUTBOX") or cwd / "instance" / "outbox"),
            smtp_url=env.get("MASTHEAD_SMTP_URL", "").strip() or None,
            mail_from=env.get("MASTHEAD_MAIL_FROM", "").strip() or "Masthead <no-reply@localhost>",
            registry_ttl=_float(env, "MASTHEAD_REGISTRY_TTL", 1.0),
            workers=_int(env, "MASTHEAD_WORKERS", 1, 1),
            threads=_int(env, "MASTHEAD_THREADS", 8, 1),
            debug=_bool(env, "MASTHEAD_DEBUG") or _bool(env, "FLASK_DEBUG"),
        )
        if overrides:
            config = replace(config, **overrides)
        config.validate()
        return config

    def validate(self) -> None:
        """Raise ConfigError when this configuration is unsafe or inconsistent."""
        if self.env not in ENVIRONMENTS:
            raise ConfigError(f"env must be one of {', '.join(ENVIRONMENTS)}, got {self.env!r}")
        normalise_public_url(self.public_url)
        if not self.secret_keys:
            raise ConfigError("MASTHEAD_SECRET_KEYS is not set; generate one with `masthead keys generate`")
        for key in self.secret_keys:
            if len(key) < MIN_KEY_LENGTH:
                raise ConfigError(f"every key in MASTHEAD_SECRET_KEYS needs at least {MIN_KEY_LENGTH} "
                                  f"characters (one has {len(key)})")
        if not 1 <= self.token_lifetime <= MAX_TOKEN_LIFETIME:
            raise ConfigError(f"MASTHEAD_TOKEN_LIFETIME must be 1..{MAX_TOKEN_LIFETIME} seconds")
        if self.session_idle_timeout > self.session_lifetime:
            raise ConfigError("MASTHEAD_SESSION_IDLE_TIMEOUT must not exceed MASTHEAD_SESSION_LIFETIME")
        if self.env == "production":
            if DEV_SECRET_KEY in self.secret_keys:
                raise ConfigError("production refuses the development secret key; set MASTHEAD_SECRET_KEYS "
                                  "(generate one with `masthead keys generate`)")
            if self.debug:
                raise ConfigError("production refuses debug mode; unset MASTHEAD_DEBUG/FLASK_DEBUG")
            if self.workers > 1 and self.ratelimit_storage.startswith("memory://"):
                raise ConfigError("MASTHEAD_WORKERS > 1 needs a shared MASTHEAD_RATELIMIT_STORAGE "
                                  "(e.g. redis://...); memory:// would give each worker its own counters")
