"""Account rules shared by the pages, the API and the CLI: emails, names, avatars, initials."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlsplit

from .errors import ValidationError

#: Deliberately simple: one @, something on both sides, a dot in the domain, no spaces. The confirmation
#: mail is the real test of an address.
EMAIL_RE = re.compile(r"^[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]{1,253}\.[^@\s\x00-\x1f\x7f.]{1,63}$")
MAX_NAME = 80


def normalise_email(email: object) -> str:
    """The canonical (stripped, lower-cased) email or ValidationError."""
    if not isinstance(email, str):
        raise ValidationError("Enter an email address.", "email")
    value = unicodedata.normalize("NFC", email.strip()).lower()
    if len(value) > 254 or not EMAIL_RE.fullmatch(value):
        raise ValidationError("Enter a valid email address, like ada@example.com.", "email")
    return value


def normalise_name(name: object) -> str:
    """A display name: 1..80 printable characters, inner whitespace collapsed."""
    if not isinstance(name, str):
        raise ValidationError("Enter your name.", "name")
    value = " ".join(unicodedata.normalize("NFC", name).split())
    if not value:
        raise ValidationError("Enter your name.", "name")
    if len(value) > MAX_NAME:
        raise ValidationError(f"Use at most {MAX_NAME} characters for your name.", "name")
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in value):
        raise ValidationError("Your name contains characters that can't be shown.", "name")
    return value


def safe_avatar(url: str | None, identity_origin: str) -> str | None:
    """``url`` if it is an ``https:`` URL or on the identity origin, else None."""
    if not url or not isinstance(url, str) or len(url) > 2048:
        return None
    if "\\" in url or any(ord(ch) <= 0x20 or ord(ch) == 0x7f for ch in url):
        return None
    parts = urlsplit(url)
    if not parts.hostname or "@" in parts.netloc:
        return None
    if parts.scheme == "https":
        return url
    if f"{parts.scheme}://{parts.netloc.lower()}" == identity_origin:
        return url
    return None


def validate_avatar(url: str | None, identity_origin: str) -> str | None:
    """An avatar URL to store (None for empty) or ValidationError."""
    if not url or not url.strip():
        return None
    if safe_avatar(url.strip(), identity_origin) is None:
        raise ValidationError("The avatar must be an https:// image URL.", "avatar")
    return url.strip()


def _first_letter(word: str) -> str:
    for index, ch in enumerate(word):
        if ch.isalnum():
            end = index + 1
            while end < len(word) and unicodedata.combining(word[end]):
                end += 1
            return unicodedata.normalize("NFC", word[index:end])
    return ""


def initials(name: str, email: str = "") -> str:
    """First letters of the first and last words of ``name`` (any script), upper-cased: "Ada Lovelace" →
    "AL"; falls back to the email's first letter."""
    words = [w for w in (_first_letter(w) for w in unicodedata.normalize("NFC", name or "").split()) if w]
    if not words:
        letter = _first_letter(email)
        return letter.upper() if letter else "?"
    letters = words[0] + (words[-1] if len(words) > 1 else "")
    return letters.upper()


def public_user(user, identity_origin: str) -> dict:
    """The ``user`` object of ``/api/me`` and introspection."""
    return {"id": str(user.id), "name": user.name, "email": user.email,
            "initials": initials(user.name, user.email),
            "avatar": safe_avatar(user.avatar_url, identity_origin)}
