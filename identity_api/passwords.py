"""Password hashing (argon2id) and the password policy.

Policy (OWASP ASVS 6.2): 8 to 1024 characters after NFKC normalisation (so 64+ is accepted and nothing is
truncated), any Unicode, and not one of the most common passwords. NFKC makes the same password typed on
different keyboards/IMEs hash the same. The upper bound only stops denial of service through huge inputs.

:func:`verify` hashes against a dummy hash when there is no user, so an unknown email costs the same
argon2 work as a wrong password (no enumeration by timing).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from .errors import PasswordPolicyError

MIN_LENGTH = 8
MAX_LENGTH = 1024
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")

#: argon2-cffi's defaults are argon2id at RFC 9106's "low memory" profile (t=3, m=64 MiB, p=4).
_hasher = PasswordHasher()


def normalise(password: str) -> str:
    """The form of a password that is hashed and checked: Unicode NFKC."""
    return unicodedata.normalize("NFKC", password)


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    """The refused passwords, lower-cased."""
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def check_policy(password: str, *, email: str | None = None) -> None:
    """Raise PasswordPolicyError with a user-facing message if ``password`` is not acceptable."""
    if not isinstance(password, str):
        raise PasswordPolicyError("Choose a password.")
    value = normalise(password)
    if len(value) < MIN_LENGTH:
        raise PasswordPolicyError(f"Use at least {MIN_LENGTH} characters.")
    if len(value) > MAX_LENGTH:
        raise PasswordPolicyError(f"Use at most {MAX_LENGTH} characters.")
    lowered = value.lower()
    if lowered in common_passwords():
        raise PasswordPolicyError("This password is too common. Choose a less predictable one.")
    if email and lowered in (email.lower(), email.lower().split("@")[0]):
        raise PasswordPolicyError("Don't use your email address as your password.")


def hash_password(password: str) -> str:
    """An argon2id hash of the normalised password."""
    return _hasher.hash(normalise(password))


@lru_cache(maxsize=4)
def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash made with ``hasher``'s own parameters, so verifying against it costs the same."""
    return hasher.hash("masthead dummy password for unknown accounts")


def verify(password_hash: str | None, password: str) -> bool:
    """True if ``password`` matches; with ``password_hash=None`` do the same work and return False."""
    target = password_hash if password_hash is not None else _dummy_hash(_hasher)
    try:
        ok = _hasher.verify(target, normalise(password))
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with weaker parameters than today's and should be replaced."""
    try:
        return _hasher.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
