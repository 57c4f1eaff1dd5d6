"""ASGI middleware: the verified user in the scope, and the hand-over endpoint. Pure ASGI, no Starlette.

Scope keys set on every ``http`` and ``websocket`` connection (the same names as the WSGI environ keys):

- ``scope["masthead.user"]``: a :class:`~identity_client.user.User` or None
- ``scope["masthead.auth"]``: ``"cookie"``, ``"bearer"`` or None
- ``scope["masthead.error"]``: the refused credential's error, or None
- ``scope["masthead"]``: the :class:`~identity_client.core.Masthead` configuration

and, for frameworks that expose ``scope["state"]`` (Starlette/FastAPI's ``request.state``):
``state["masthead_user"]``, ``state["masthead_auth"]``, ``state["masthead_error"]``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from .core import MAX_BODY, Masthead, Request, Response
from .errors import ConfigurationError, NotSignedIn
from .user import User

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _request(scope: Scope) -> Request:
    headers: dict[str, str] = {}
    for raw_name, raw_value in scope.get("headers", []):
        name = raw_name.decode("latin-1").lower()
        value = raw_value.decode("latin-1")
        # Repeated headers are joined as HTTP allows (cookies with "; ").
        if name in headers:
            headers[name] += ("; " if name == "cookie" else ", ") + value
        else:
            headers[name] = value
    try:
        length: int | None = int(headers.get("content-length", "0"))
    except ValueError:
        length = None
    scheme = {"wss": "https", "ws": "http"}.get(scope.get("scheme", "http"), scope.get("scheme", "http"))
    return Request(method=scope.get("method", "GET").upper(), path=scope.get("path", "/"), scheme=scheme,
                   headers=headers, content_length=length if length and length > 0 else None)


async def _read_body(receive: Receive) -> bytes:
    """The request body, stopping once it exceeds MAX_BODY."""
    body = b""
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return body
        body += message.get("body", b"")
        if len(body) > MAX_BODY or not message.get("more_body", False):
            return body


async def send_response(response: Response, send: Send) -> None:
    """Send a :class:`Response` through ASGI."""
    await send({"type": "http.response.start", "status": response.status,
                "headers": [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in response.headers]})
    await send({"type": "http.response.body", "body": response.body})


class MastheadMiddleware:
    """Wrap an ASGI app: authenticate every connection, serve ``handover_path`` itself.

    Keyword options are those of :class:`~identity_client.core.Masthead`.
    """

    def __init__(self, app: ASGIApp, *, masthead: Masthead | None = None, **options: Any) -> None:
        if masthead is None and not options:
            raise ConfigurationError("pass masthead=Masthead(...) or its keyword options")
        self.app = app
        self.masthead = masthead or Masthead(**options)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        request = _request(scope)
        auth = self.masthead.authenticate(request)
        scope["masthead.user"] = auth.user
        scope["masthead.auth"] = auth.method
        scope["masthead.error"] = auth.error
        scope["masthead"] = self.masthead
        state = scope.setdefault("state", {})
        state.update(masthead_user=auth.user, masthead_auth=auth.method, masthead_error=auth.error)
        if scope["type"] == "http" and self.masthead.serves(request.path):
            refusal = self.masthead.handover_refusal(request)
            if refusal is not None:
                await send_response(refusal, send)
                return
            body = await _read_body(receive) if request.method == "POST" else b""
            await send_response(self.masthead.handover(request, body), send)
            return
        await self.app(scope, receive, send)


def current_user(scope: Scope) -> User | None:
    """The signed-in user of this connection, or None."""
    return scope.get("masthead.user")


def require_user(scope: Scope) -> User:
    """The signed-in user, or raise :class:`NotSignedIn`."""
    user = scope.get("masthead.user")
    if user is None:
        raise NotSignedIn(reason=scope.get("masthead.error"))
    return user


def unauthorized_response(scope: Scope) -> Response:
    """The 401 JSON :class:`Response` for this connection."""
    masthead: Masthead | None = scope.get("masthead")
    if masthead is None:
        raise ConfigurationError("MastheadMiddleware is not installed around this app")
    return masthead.unauthorized(scope.get("masthead.error"))
