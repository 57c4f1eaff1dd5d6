"""Bottle adapter: ``app = wrap(bottle_app)``; ``current_user()`` reads ``bottle.request.environ``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

import bottle

from .config import options_from_env
from .user import User
from .wsgi import USER_KEY, MastheadMiddleware, unauthorized_response


def wrap(app: bottle.Bottle, **options: Any) -> MastheadMiddleware:
    """The WSGI application to serve: ``app`` behind Masthead (options default to ``MASTHEAD_*`` env)."""
    return MastheadMiddleware(app, **options_from_env(**options))


def current_user() -> User | None:
    """The signed-in user of the current request, or None."""
    return bottle.request.environ.get(USER_KEY)


def user_required(callback: Callable) -> Callable:
    """Decorate a JSON route: 401 JSON when nobody is signed in."""
    @wraps(callback)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            response = unauthorized_response(bottle.request.environ)
            return bottle.HTTPResponse(response.body, response.status, dict(response.headers))
        return callback(*args, **kwargs)
    return wrapper
