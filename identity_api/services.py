"""The per-app objects views need (config, store, registry), kept on ``app.extensions``."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app

from .config import Config
from .registry import Registry
from .store import Store


@dataclass(frozen=True)
class Services:
    """What one identity API instance runs on."""

    config: Config
    store: Store
    registry: Registry

    def now(self) -> float:
        """The current time from the configured clock."""
        return self.config.clock()


def init_app(app: Flask, services: Services) -> None:
    """Attach ``services`` to ``app``."""
    app.extensions["masthead"] = services


def get() -> Services:
    """The services of the current Flask app."""
    return current_app.extensions["masthead"]
