"""Storage behind a narrow interface: views and services talk to a :class:`Store`, never to SQL."""

from .base import App, Session, Store, User
from .sqlite import SQLiteStore

__all__ = ["App", "Session", "SQLiteStore", "Store", "User"]
