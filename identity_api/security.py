"""Response security headers, CSRF protection and safe ``next=`` redirects.

CSRF has two rules. HTML forms carry a signed token bound to the signed-in session (or, before sign-in,
to a random ``masthead_csrf`` cookie that is HttpOnly and SameSite=Strict), and a form POST whose
``Origin`` is present must come from the identity origin. JSON endpoints that use the session cookie need
``Content-Type: application/json`` (a cross-site page can only send that after a CORS preflight, which we
answer only for registered origins) and an allowed ``Origin`` header.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import urlsplit

from flask import Flask, Response, g, request

from . import services, sessions, tokens
from .errors import ApiError

CSRF_FIELD = "csrf_token"
CSRF_MAX_AGE = 12 * 3600
DEFAULT_NEXT = "/account"


class CsrfFailed(Exception):
    """A state-changing request failed the CSRF rules (rendered as 403)."""


# -- headers -----------------------------------------------------------------------------------------
#: Headers every response gets (unless the view set its own), written from a prebuilt list.
STATIC_HEADERS = (("X-Content-Type-Options", "nosniff"),
                  ("Referrer-Policy", "strict-origin-when-cross-origin"),
                  ("X-Frame-Options", "DENY"))
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
_PRIVATE_VARY = ("Cookie", "Origin")
#: What ``response.vary.add("Cookie"); response.vary.add("Origin")`` turns these ``Vary`` values into; any
#: other value goes through ``response.vary`` (which parses and re-serialises it).
_VARY_AFTER = {None: "Cookie, Origin", "Origin": "Origin, Cookie", "Cookie": "Cookie, Origin",
               "Origin, Cookie": "Origin, Cookie", "Cookie, Origin": "Cookie, Origin"}
_csp_cache: dict = {}


def content_security_policy() -> str:
    """CSP for HTML pages; ``form-action`` lists app origins because Chromium applies it to the redirect
    that follows the sign-in POST."""
    svc = services.get()
    snapshot = svc.registry.snapshot()
    key = (svc.config.origin, snapshot.cors_origins)
    policy = _csp_cache.get(key)
    if policy is None:
        origins = " ".join(o for o in snapshot.cors_origins if o != svc.config.origin)
        form_action = f"'self' {origins}".strip()
        policy = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
                  f"form-action {form_action}; frame-ancestors 'none'; object-src 'none'; base-uri 'none'")
        if len(_csp_cache) > 64:
            _csp_cache.clear()
        _csp_cache[key] = policy
    return policy


def add_security_headers(response: Response, config=None) -> Response:
    """after_request hook: headers every response gets, plus the HTML-page and no-store rules."""
    if config is None:
        config = services.get().config
    headers = response.headers
    present = set(headers.keys(lower=True))
    for name, value in STATIC_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    if config.https and "strict-transport-security" not in present:
        headers.add(*HSTS)
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", content_security_policy())
        if config.https:  # Chromium ignores COOP from plain-http origins, with a console warning
            headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if request.path.startswith("/api/") or "set-cookie" in present or g.get("masthead_private"):
        headers["Cache-Control"] = "no-store"
        current = headers.get("Vary")
        vary = _VARY_AFTER.get(current)
        if vary is not None:
            if vary != current:
                headers["Vary"] = vary
        else:
            for name in _PRIVATE_VARY:
                response.vary.add(name)
    return response


def mark_private() -> None:
    """Make this response ``no-store`` (pages showing account data or carrying a CSRF token)."""
    g.masthead_private = True


# -- form CSRF ---------------------------------------------------------------------------------------
def csrf_cookie_name() -> str:
    """``__Host-masthead_csrf`` over https, else ``masthead_csrf``."""
    return "__Host-masthead_csrf" if services.get().config.https else "masthead_csrf"


def _csrf_binding() -> str:
    """What a form token is bound to: the session, or the anonymous CSRF cookie (created on demand)."""
    current = sessions.current()
    if current is not None:
        return "s:" + current.session.public_id
    cookie = request.cookies.get(csrf_cookie_name()) or g.get("masthead_new_csrf_cookie")
    if not cookie:
        cookie = g.masthead_new_csrf_cookie = secrets.token_urlsafe(32)
    return "c:" + hashlib.sha256(cookie.encode()).hexdigest()


def csrf_token() -> str:
    """A token for a form on this page (templates call this as ``csrf_token()``)."""
    mark_private()
    return tokens.sign(services.get().config.secret_keys, tokens.CSRF_SALT, _csrf_binding())


def set_csrf_cookie(response: Response) -> Response:
    """after_request hook: store the anonymous CSRF cookie if this request created one."""
    value = g.get("masthead_new_csrf_cookie")
    if value:
        config = services.get().config
        response.set_cookie(csrf_cookie_name(), value, path="/", secure=config.https, httponly=True,
                            samesite="Strict")
    return response


def check_form_csrf() -> None:
    """Raise CsrfFailed unless this form POST has a same-origin ``Origin`` (if any) and a valid token."""
    origin = request.headers.get("Origin")
    if origin is not None and origin != services.get().config.origin:
        raise CsrfFailed("cross-origin form")
    if request.mimetype not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        raise CsrfFailed("not a form")
    sent = request.form.get(CSRF_FIELD, "")
    bound = tokens.unsign(services.get().config.secret_keys, tokens.CSRF_SALT, sent, CSRF_MAX_AGE)
    if not isinstance(bound, str):
        raise CsrfFailed("missing or invalid token")
    # The binding of a signed-in request must be computed before the view changes the session.
    if not hmac.compare_digest(bound, _csrf_binding()):
        raise CsrfFailed("token bound to another session")


# -- API CSRF ----------------------------------------------------------------------------------------
def check_api_csrf() -> None:
    """docs/protocol.md's rule for cookie-authenticated JSON endpoints; ApiError 403 ``csrf`` otherwise."""
    if request.mimetype != "application/json" or \
            not services.get().registry.is_allowed_origin(request.headers.get("Origin")):
        raise ApiError(403, "csrf", "Cross-site request refused: send JSON from a registered origin.")


# -- redirects ---------------------------------------------------------------------------------------
def safe_next(url: str | None, default: str = DEFAULT_NEXT) -> str:
    """``url`` if it points at the identity API or a registered app origin, else ``default``.

    Accepts a path on the identity API (``/account``) or an absolute http(s) URL whose origin is allowed.
    Anything a browser could read differently from us is refused: backslashes (browsers treat ``\\`` as
    ``/``), control characters and whitespace (stripped by browsers), protocol-relative ``//host``,
    credentials (``https://allowed@evil``), other schemes.
    """
    if not url or not isinstance(url, str) or len(url) > 2048:
        return default
    if "\\" in url or any(ord(ch) <= 0x20 or ord(ch) == 0x7f for ch in url):
        return default
    if url.startswith("/"):
        return url if not url.startswith("//") else default
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return default
    if parts.scheme not in ("http", "https") or not parts.hostname or "@" in parts.netloc:
        return default
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname
    default_port = {"http": 80, "https": 443}[parts.scheme]
    origin = f"{parts.scheme}://{host}" + (f":{port}" if port and port != default_port else "")
    if services.get().registry.is_allowed_origin(origin):
        return url
    return default


def init_app(app: Flask) -> None:
    """Register the header and CSRF-cookie hooks."""
    # Flask runs after_request hooks in reverse order: the CSRF cookie is set before headers are computed.
    config = app.extensions["masthead"].config
    app.after_request(lambda response: add_security_headers(response, config))
    app.after_request(set_csrf_cookie)
