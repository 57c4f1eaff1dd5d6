"""Masthead identity API: accounts, the shared session and signed app tokens for a family of apps."""

from .app import create_app

__all__ = ["create_app"]
