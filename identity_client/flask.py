"""Flask adapter: ``Masthead(app)`` wraps ``app.wsgi_app``; ``current_user()`` reads ``request.environ``."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Flask, Response, request

from .config import options_from_env
from .user import User
from .wsgi import USER_KEY, MastheadMiddleware, unauthorized_response


class Masthead:
    """Flask extension. Options come from keyword arguments, then ``app.config["MASTHEAD_*"]``, then env."""

    def __init__(self, app: Flask | None = None, **options: Any) -> None:
        self.options = options
        self.middleware: MastheadMiddleware | None = None
        if app is not None:
            self.init_app(app)

    def init_app(self, app: Flask) -> None:
        """Wrap ``app.wsgi_app`` and expose ``masthead_user`` to templates."""
        from_config = {"app_id": app.config.get("MASTHEAD_APP_ID"),
                       "secret": app.config.get("MASTHEAD_APP_SECRET"),
                       "identity_url": app.config.get("MASTHEAD_IDENTITY_URL")}
        options = options_from_env(**{**from_config, **self.options})
        self.middleware = MastheadMiddleware(app.wsgi_app, **options)
        app.wsgi_app = self.middleware  # type: ignore[method-assign]
        app.extensions["masthead"] = self
        app.context_processor(lambda: {"masthead_user": current_user()})


def current_user() -> User | None:
    """The signed-in user of the current request, or None."""
    return request.environ.get(USER_KEY)


def unauthorized() -> Response:
    """The 401 JSON response (``WWW-Authenticate: Bearer``) for the current request."""
    response = unauthorized_response(request.environ)
    return Response(response.body, response.status, response.headers)


def user_required(view: Callable) -> Callable:
    """Decorate a JSON view: 401 JSON when nobody is signed in."""
    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return unauthorized()
        return view(*args, **kwargs)
    return wrapper
