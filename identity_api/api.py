"""The JSON API of docs/protocol.md: ``/api/me``, ``/api/tokens``, ``/api/sign-out``, ``/api/introspect``,
``/healthz``. Every failure is ``{"error", "message"}`` JSON (see ``errors.ApiError``)."""

from __future__ import annotations

import hmac
import json
from functools import lru_cache

from flask import Blueprint, Response, request

from . import audit, security, services, sessions, tokens
from .errors import ApiError
from .users import public_user

bp = Blueprint("api", __name__)

#: Compared against when the client id is unknown, so a bad id costs the same as a bad secret.
_DUMMY_SECRET = "masthead-unknown-client-dummy-secret-value"


def json_response(body: object | str, status: int = 200) -> Response:
    """A JSON response; ``body`` may be pre-serialised."""
    text = body if isinstance(body, str) else json.dumps(body, separators=(",", ":"))
    return Response(text, status=status, mimetype="application/json")


def json_body() -> dict:
    """The request's JSON object, or ApiError 400 (wrong type, malformed) / 415 (not JSON)."""
    if request.mimetype != "application/json":
        raise ApiError(415, "unsupported_media_type", "Send a JSON body with Content-Type: application/json.")
    raw = request.get_data(cache=True)
    try:
        body = json.loads(raw) if raw else None
    except (ValueError, UnicodeDecodeError):
        raise ApiError(400, "invalid_json", "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise ApiError(400, "invalid_request", "The request body must be a JSON object.")
    return body


@lru_cache(maxsize=16)
def _links(origin: str) -> str:
    """``/api/me``'s ``links`` object for this identity origin, serialised once."""
    return json.dumps({"sign_in": f"{origin}/sign-in", "sign_up": f"{origin}/sign-up",
                       "sign_out": f"{origin}/api/sign-out", "account": f"{origin}/account"},
                      separators=(",", ":"))


def _bearer_user():
    """The user behind ``Authorization: Bearer <app token>`` (live session, enabled user), or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    svc = services.get()
    verified = tokens.verify_app_token(token.strip(), lambda aud: _secret_of(aud), svc.config.token_lifetime)
    if verified is None:
        return None
    payload, _ = verified
    current = sessions.by_public_id(payload["sid"])
    if current is None or str(current.user.id) != payload["sub"]:
        return None
    return current.user


def _secret_of(app_id: str) -> str | None:
    app = services.get().registry.get(app_id)
    return app.secret if app else None


@bp.get("/api/me")
def me():
    """Who is signed in (cookie or Bearer app token); anonymous is 200 with ``"user": null``."""
    svc = services.get()
    origin = svc.config.origin
    user = None
    if "Authorization" in request.headers:
        user = _bearer_user()
    else:
        current = sessions.current()
        user = current.user if current else None
    user_json = json.dumps(public_user(user, origin), separators=(",", ":")) if user else "null"
    body = f'{{"user":{user_json},"apps":{svc.registry.snapshot().apps_json},"links":{_links(origin)}}}'
    return json_response(body)


@bp.post("/api/tokens", endpoint="tokens")
def issue_token():
    """Mint a short-lived token for ``audience``, signed with that app's own secret."""
    security.check_api_csrf()
    body = json_body()
    audience = body.get("audience")
    if not isinstance(audience, str) or not audience:
        raise ApiError(400, "invalid_request", '"audience" must be an app id string.')
    current = sessions.current()
    if current is None:
        raise ApiError(401, "not_signed_in", "Sign in first.")
    svc = services.get()
    app = svc.registry.get(audience)
    if app is None:
        raise ApiError(404, "unknown_audience", "No app is registered with this id.")
    if request.headers.get("Origin") not in app.origins:
        raise ApiError(403, "origin_not_allowed", "This origin may not request tokens for this app.")
    user = current.user
    token = tokens.mint_app_token(app.secret, sub=str(user.id), sid=current.session.public_id, aud=app.id,
                                  name=user.name, email=user.email)
    return json_response({"token": token, "expires_in": svc.config.token_lifetime, "token_type": "Bearer"})


@bp.post("/api/sign-out")
def sign_out():
    """End the cookie's session server-side and clear the cookie."""
    security.check_api_csrf()
    json_body()
    current = sessions.current()
    if current is not None:
        audit.event("sign_out", user=current.user.id, via="api")
    sessions.end_current()
    response = json_response({"user": None})
    sessions.clear_cookie(response)
    return response


@bp.post("/api/introspect")
def introspect():
    """RFC 7662 introspection for app backends (HTTP Basic ``app_id:secret``)."""
    svc = services.get()
    auth = request.authorization
    app = None
    if auth is not None and auth.type == "basic":
        candidate = svc.registry.get(auth.username or "")
        expected = candidate.secret if candidate else _DUMMY_SECRET
        if hmac.compare_digest((auth.password or "").encode(), expected.encode()) and candidate:
            app = candidate
    if app is None:
        error = ApiError(401, "invalid_client", "Authenticate with HTTP Basic app_id:app_secret.")
        response = json_response({"error": error.code, "message": error.message}, 401)
        response.headers["WWW-Authenticate"] = 'Basic realm="masthead", charset="UTF-8"'
        return response
    body = json_body()
    token = body.get("token")
    if not isinstance(token, str):
        raise ApiError(400, "invalid_request", '"token" must be a string.')
    verified = tokens.verify_app_token(token, lambda aud: app.secret if aud == app.id else None,
                                       svc.config.token_lifetime)
    if verified is None:
        return json_response({"active": False})
    payload, issued_at = verified
    current = sessions.by_public_id(payload["sid"])
    if current is None or str(current.user.id) != payload["sub"]:
        return json_response({"active": False})
    return json_response({"active": True, "sub": payload["sub"], "aud": app.id, "sid": payload["sid"],
                          "exp": int(issued_at.timestamp()) + svc.config.token_lifetime,
                          "iat": int(issued_at.timestamp()), "jti": payload.get("jti"),
                          "user": public_user(current.user, svc.config.origin)})


@bp.get("/healthz")
def healthz():
    """Liveness and database check for load balancers and test fixtures."""
    if not services.get().store.ping():
        return json_response({"status": "unavailable"}, 503)
    return json_response({"status": "ok"})
