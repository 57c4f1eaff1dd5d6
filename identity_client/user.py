"""The signed-in user as app backends see it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class User:
    """An immutable signed-in user: identity user ``id`` (a string), display ``name``, ``email``, ``sid``.

    ``sid`` is the public id of the identity session the user signed in with (used by introspection).
    """

    id: str
    name: str
    email: str
    sid: str

    @property
    def initials(self) -> str:
        """Up to two initials for an avatar placeholder (``"Ada Lovelace"`` → ``"AL"``)."""
        parts = [p for p in self.name.split() if p[:1].isalnum()]
        letters = "".join(p[0] for p in parts[:1] + parts[1:][-1:]) if parts else self.email[:1]
        return letters.upper() or "?"

    def to_dict(self) -> dict[str, str]:
        """The JSON shape served by the hand-over endpoint (``sid`` stays server-side)."""
        return {"id": self.id, "name": self.name, "email": self.email, "initials": self.initials}
