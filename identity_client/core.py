"""Framework-free logic shared by the WSGI and ASGI middlewares: who is this request, and the hand-over.

The middlewares only translate between their server interface and :class:`Request`/:class:`Response`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigurationError, InvalidToken, NotSignedIn, RevokedToken
from .introspection import Introspector
from .session import COOKIE_NAME, DEFAULT_MAX_AGE, AppSession
from .tokens import MAX_TOKEN_AGE, TokenVerifier
from .user import User

DEFAULT_HANDOVER_PATH = "/.masthead/session"
#: Largest hand-over body accepted (a token is a few hundred bytes).
MAX_BODY = 16 * 1024
JSON_HEADERS = (("Content-Type", "application/json"), ("Cache-Control", "no-store"),
                ("X-Content-Type-Options", "nosniff"))
#: The page glue every server-rendered app needs (reload after a hand-over), served at ``<handover>.js``.
HANDOVER_SCRIPT = (Path(__file__).parent / "handover.js").read_bytes()
SCRIPT_HEADERS = (("Content-Type", "text/javascript; charset=utf-8"), ("Cache-Control", "public, max-age=3600"),
                  ("X-Content-Type-Options", "nosniff"))
MESSAGES = {
    "not_signed_in": "Sign in to continue.",
    "invalid_token": "The token is invalid.",
    "expired_token": "The token has expired.",
    "revoked_token": "The session behind this token has ended.",
    "introspection_unavailable": "The identity service could not confirm the session.",
}


@dataclass(frozen=True, slots=True)
class Auth:
    """The outcome of authenticating one request."""

    user: User | None = None
    #: ``"cookie"``, ``"bearer"`` or None
    method: str | None = None
    #: the reason a presented credential was refused, if one was
    error: InvalidToken | None = None


@dataclass(slots=True)
class Request:
    """The parts of an HTTP request the middleware needs; header names are lower-case."""

    method: str
    path: str
    scheme: str
    headers: dict[str, str]
    content_length: int | None = None

    @property
    def secure(self) -> bool:
        return self.scheme == "https"


@dataclass(slots=True)
class Response:
    """A small response: status code, header list, body bytes."""

    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


STATUS_TEXT = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden",
               405: "Method Not Allowed", 413: "Content Too Large", 415: "Unsupported Media Type"}


def json_response(status: int, data: dict, headers: Sequence[tuple[str, str]] = ()) -> Response:
    """A JSON response with no-store caching and nosniff."""
    body = json.dumps(data, separators=(",", ":")).encode()
    return Response(status, [*JSON_HEADERS, ("Content-Length", str(len(body))), *headers], body)


def error_response(status: int, error: str, message: str, headers: Sequence[tuple[str, str]] = ()) -> Response:
    """``{"error", "message"}`` with a 4xx status (docs/protocol.md's error shape)."""
    return json_response(status, {"error": error, "message": message}, headers)


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer`` header; ``""`` for an empty one; None for none."""
    if not authorization:
        return None
    scheme, _, token = authorization.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip()


class Masthead:
    """Configuration plus the two jobs: authenticate a request, serve the hand-over endpoint.

    ``secret`` may be a list (newest last) while rotating. ``secure=None`` follows the request scheme;
    behind a TLS-terminating proxy pass ``secure=True`` (or fix the scheme with werkzeug's ProxyFix).
    ``origin`` is the app's public origin; by default it is derived from the request's scheme and Host.
    """

    def __init__(self, *, app_id: str, secret: str | Sequence[str], identity_url: str | None = None,
                 handover_path: str = DEFAULT_HANDOVER_PATH, introspect: bool | Introspector = False,
                 secure: bool | None = None, origin: str | None = None,
                 session_max_age: int = DEFAULT_MAX_AGE, token_max_age: int = MAX_TOKEN_AGE,
                 cookie_name: str = COOKIE_NAME) -> None:
        if not handover_path.startswith("/"):
            raise ConfigurationError("handover_path must start with '/'")
        self.app_id = app_id
        self.identity_url = identity_url.rstrip("/") if identity_url else None
        self.handover_path = handover_path
        self.script_path = handover_path + ".js"
        self.secure = secure
        self.origin = origin.rstrip("/").lower() if origin else None
        self.verifier = TokenVerifier(app_id, secret, max_age=token_max_age)
        self.session = AppSession(secret, max_age=session_max_age, cookie_name=cookie_name)
        if isinstance(introspect, Introspector):
            self.introspector: Introspector | None = introspect
        elif introspect:
            if not self.identity_url:
                raise ConfigurationError("introspect=True needs identity_url")
            newest = secret if isinstance(secret, str) else list(secret)[-1]
            self.introspector = Introspector(self.identity_url, app_id, newest)
        else:
            self.introspector = None

    # -- authentication ------------------------------------------------------------------------------
    def is_secure(self, request: Request) -> bool:
        """Whether cookies for this request use the https form."""
        return request.secure if self.secure is None else self.secure

    def verify_token(self, token: str) -> User:
        """Verify an app token (and introspect it when enabled); the user, or raise InvalidToken."""
        claims = self.verifier.verify(token)
        if self.introspector is not None:
            self.introspector.check(token, claims)
        return claims.user

    def authenticate(self, request: Request) -> Auth:
        """Who sent ``request``: a Bearer token wins over the cookie; never raises."""
        token = bearer_token(request.headers.get("authorization"))
        if token is not None:
            # An explicit credential is judged alone: a bad Bearer token never falls back to the cookie.
            try:
                return Auth(self.verify_token(token), "bearer")
            except InvalidToken as exc:
                return Auth(error=exc)
        user = self.session.read(request.headers.get("cookie", ""), self.is_secure(request))
        if user is None:
            return Auth()
        if self.introspector is not None and self.introspector.cached(user.sid) is False:
            return Auth(error=RevokedToken("session is no longer active"))
        return Auth(user, "cookie")

    def unauthorized(self, error: InvalidToken | NotSignedIn | None = None) -> Response:
        """401 JSON with ``WWW-Authenticate: Bearer`` (RFC 6750) for an API that needs a user."""
        if isinstance(error, NotSignedIn):
            error = error.reason
        challenge = f'Bearer realm="{self.app_id}"'
        if isinstance(error, InvalidToken):
            challenge += ', error="invalid_token"'
            code = error.error
        else:
            code = "not_signed_in"
        return error_response(401, code, MESSAGES.get(code, MESSAGES["invalid_token"]),
                              [("WWW-Authenticate", challenge)])

    # -- hand-over endpoint --------------------------------------------------------------------------
    def own_origin(self, request: Request) -> str:
        """The app's origin: configured, else the request's scheme and Host."""
        return self.origin or f"{request.scheme}://{request.headers.get('host', '')}".lower()

    def serves(self, path: str) -> bool:
        """Whether the middleware answers ``path`` itself: the hand-over endpoint and its page script."""
        return path == self.handover_path or path == self.script_path

    def handover_refusal(self, request: Request) -> Response | None:
        """The error response for a hand-over request that must be refused before reading its body."""
        if request.path == self.script_path and request.method not in ("GET", "HEAD"):
            return error_response(405, "method_not_allowed", "Use GET.", [("Allow", "GET")])
        if request.method not in ("GET", "HEAD", "POST", "DELETE"):
            return error_response(405, "method_not_allowed", "Use GET, POST or DELETE.",
                                  [("Allow", "GET, POST, DELETE")])
        if request.method in ("POST", "DELETE"):
            origin = request.headers.get("origin")
            if origin is not None and origin.lower() != self.own_origin(request):
                return error_response(403, "origin_not_allowed", "Cross-origin hand-over refused.")
            if request.headers.get("sec-fetch-site", "").lower() == "cross-site":
                return error_response(403, "origin_not_allowed", "Cross-site hand-over refused.")
        if request.method == "POST":
            media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if media_type != "application/json":
                return error_response(415, "unsupported_media_type", "Send JSON: {\"token\": \"...\"}.")
            if request.content_length is not None and request.content_length > MAX_BODY:
                return error_response(413, "too_large", "The body is too large.")
        return None

    def handover(self, request: Request, body: bytes = b"") -> Response:
        """Serve ``GET``/``POST``/``DELETE`` on the hand-over path (docs/protocol.md, "Hand-over")."""
        refusal = self.handover_refusal(request)
        if refusal is not None:
            return refusal
        if request.path == self.script_path:
            return Response(200, [*SCRIPT_HEADERS, ("Content-Length", str(len(HANDOVER_SCRIPT)))],
                            b"" if request.method == "HEAD" else HANDOVER_SCRIPT)
        secure = self.is_secure(request)
        vary = [("Vary", "Cookie, Origin")]
        if request.method in ("GET", "HEAD"):
            auth = self.authenticate(request)
            response = json_response(200, {"user": auth.user.to_dict() if auth.user else None}, vary)
            if request.method == "HEAD":
                response.body = b""
            return response
        if request.method == "DELETE":
            return json_response(200, {"user": None},
                                 [*vary, ("Set-Cookie", self.session.clear_cookie(secure))])
        if len(body) > MAX_BODY:
            return error_response(413, "too_large", "The body is too large.")
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError):
            return error_response(400, "invalid_request", "The body is not valid JSON.")
        if not isinstance(data, dict) or not isinstance(data.get("token"), str):
            return error_response(400, "invalid_request", "Send JSON: {\"token\": \"...\"}.")
        try:
            user = self.verify_token(data["token"])
        except InvalidToken as exc:
            return error_response(401, exc.error, MESSAGES.get(exc.error, MESSAGES["invalid_token"]))
        return json_response(200, {"user": user.to_dict()},
                             [*vary, ("Set-Cookie", self.session.set_cookie(user, secure))])


def require(auth_user: User | None, error: InvalidToken | None) -> User:
    """``auth_user`` or raise :class:`NotSignedIn` carrying the reason."""
    if auth_user is None:
        raise NotSignedIn(reason=error)
    return auth_user
