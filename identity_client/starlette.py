"""Starlette / FastAPI adapter: ``install(app)`` adds the ASGI middleware; ``require_user`` is a dependency.

    app = FastAPI()
    install(app)                      # options default to MASTHEAD_* env

    @app.get("/api/me")
    def me(user: User = Depends(require_user)): ...
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection, Request
from starlette.responses import Response

from .asgi import MastheadMiddleware, unauthorized_response
from .config import options_from_env
from .core import Masthead
from .user import User

__all__ = ["MastheadMiddleware", "Unauthorized", "current_user", "install", "require_user"]


class Unauthorized(HTTPException):
    """401 raised by :func:`require_user`; ``install`` renders it as Masthead's JSON error."""

    def __init__(self, connection: HTTPConnection) -> None:
        self.response = unauthorized_response(connection.scope)
        # Only the challenge and caching headers: a default HTTPException handler renders its own body.
        headers = {k: v for k, v in self.response.headers if k.lower() in ("www-authenticate", "cache-control")}
        super().__init__(401, detail="not_signed_in", headers=headers)


async def _render(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, Unauthorized)
    response = exc.response
    return Response(response.body, response.status, headers=dict(response.headers))


def install(app: Any, **options: Any) -> Masthead:
    """Add the Masthead middleware and the 401 handler to a Starlette/FastAPI app."""
    masthead = Masthead(**options_from_env(**options))
    app.add_middleware(MastheadMiddleware, masthead=masthead)
    app.add_exception_handler(Unauthorized, _render)
    return masthead


def current_user(connection: HTTPConnection) -> User | None:
    """The signed-in user of a request (or websocket), or None."""
    return connection.scope.get("masthead.user")


def require_user(request: Request) -> User:
    """FastAPI dependency: the signed-in user, or 401 JSON."""
    user = current_user(request)
    if user is None:
        raise Unauthorized(request)
    return user
