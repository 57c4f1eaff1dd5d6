"""WSGI middleware: the verified user in ``environ["masthead.user"]``, and the hand-over endpoint.

Environ keys set on every request:

- ``masthead.user``: a :class:`~identity_client.user.User` or None (anonymous)
- ``masthead.auth``: ``"cookie"``, ``"bearer"`` or None
- ``masthead.error``: the :class:`~identity_client.errors.InvalidToken` that refused a presented
  credential, or None
- ``masthead``: the middleware's :class:`~identity_client.core.Masthead` (config, verifier, ``unauthorized``)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .core import MAX_BODY, STATUS_TEXT, Masthead, Request, Response
from .errors import ConfigurationError, NotSignedIn
from .user import User

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]

USER_KEY = "masthead.user"
AUTH_KEY = "masthead.auth"
ERROR_KEY = "masthead.error"
CONFIG_KEY = "masthead"


def _request(environ: dict) -> Request:
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items()
               if key.startswith("HTTP_")}
    if environ.get("CONTENT_TYPE"):
        headers["content-type"] = environ["CONTENT_TYPE"]
    if "host" not in headers:  # PEP 3333: rebuild the host from SERVER_NAME/SERVER_PORT
        scheme, port = environ.get("wsgi.url_scheme", "http"), str(environ.get("SERVER_PORT", ""))
        default = port in ("", "80") if scheme == "http" else port in ("", "443")
        headers["host"] = environ.get("SERVER_NAME", "") + ("" if default else f":{port}")
    try:
        length: int | None = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = None
    if length is not None and length <= 0:
        length = None
    return Request(method=environ.get("REQUEST_METHOD", "GET").upper(), path=environ.get("PATH_INFO", "/"),
                   scheme=environ.get("wsgi.url_scheme", "http"), headers=headers, content_length=length)


def _read_body(environ: dict, length: int | None) -> bytes:
    """At most MAX_BODY + 1 bytes of the request body (enough to tell 'too large')."""
    stream = environ.get("wsgi.input")
    if stream is None:
        return b""
    if length is not None:
        return stream.read(min(length, MAX_BODY + 1))
    if environ.get("wsgi.input_terminated"):
        return stream.read(MAX_BODY + 1)
    return b""


def send(response: Response, start_response: Callable) -> list[bytes]:
    """Send a :class:`Response` through WSGI."""
    status = f"{response.status} {STATUS_TEXT.get(response.status, '')}".rstrip()
    start_response(status, response.headers)
    return [response.body]


class MastheadMiddleware:
    """Wrap a WSGI app: authenticate every request, serve ``handover_path`` (GET/POST/DELETE) itself.

    Keyword options are those of :class:`~identity_client.core.Masthead` (``app_id``, ``secret``,
    ``identity_url``, ``handover_path``, ``introspect``, ``secure``, ``origin``, ``session_max_age``...).
    """

    def __init__(self, app: WSGIApp, *, masthead: Masthead | None = None, **options: Any) -> None:
        if masthead is None and not options:
            raise ConfigurationError("pass masthead=Masthead(...) or its keyword options")
        self.app = app
        self.masthead = masthead or Masthead(**options)

    def authenticate(self, environ: dict) -> None:
        """Fill the ``masthead.*`` environ keys for this request."""
        auth = self.masthead.authenticate(_request(environ))
        environ[USER_KEY] = auth.user
        environ[AUTH_KEY] = auth.method
        environ[ERROR_KEY] = auth.error
        environ[CONFIG_KEY] = self.masthead

    def handover(self, environ: dict, start_response: Callable) -> list[bytes]:
        """The hand-over endpoint as a WSGI app."""
        request = _request(environ)
        refusal = self.masthead.handover_refusal(request)
        if refusal is not None:
            return send(refusal, start_response)
        body = _read_body(environ, request.content_length) if request.method == "POST" else b""
        return send(self.masthead.handover(request, body), start_response)

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        self.authenticate(environ)
        if self.masthead.serves(environ.get("PATH_INFO", "")):
            return self.handover(environ, start_response)
        return self.app(environ, start_response)


def current_user(environ: dict) -> User | None:
    """The signed-in user of this request, or None."""
    return environ.get(USER_KEY)


def require_user(environ: dict) -> User:
    """The signed-in user, or raise :class:`NotSignedIn` (render it with :func:`unauthorized`)."""
    user = environ.get(USER_KEY)
    if user is None:
        raise NotSignedIn(reason=environ.get(ERROR_KEY))
    return user


def unauthorized_response(environ: dict) -> Response:
    """The 401 JSON :class:`Response` for this request (``WWW-Authenticate: Bearer``)."""
    masthead: Masthead | None = environ.get(CONFIG_KEY)
    if masthead is None:
        raise ConfigurationError("MastheadMiddleware is not installed around this app")
    return masthead.unauthorized(environ.get(ERROR_KEY))


def unauthorized(environ: dict, start_response: Callable) -> list[bytes]:
    """A WSGI app answering 401 ``{"error": "not_signed_in" | "<token error>", "message"}``."""
    return send(unauthorized_response(environ), start_response)
