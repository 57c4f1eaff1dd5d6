"""Both middlewares end to end (WSGI through werkzeug's Client, ASGI through httpx's ASGITransport).

Every case runs twice, once per interface: authentication into environ/scope, the 401 JSON helper, and
the hand-over endpoint with every bad input (checklist 7, 8, 22, 24).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from werkzeug.test import Client

from identity_client import asgi, wsgi
from tests.identity_client_support import ASGIClient, APP_ID, GRACE, OTHER_SECRET, SECRET, app_cookie, flip, mint

ORIGIN = "http://app.test"
OPTIONS = {"app_id": APP_ID, "secret": SECRET, "identity_url": "http://id.test"}


def wsgi_app(environ, start_response):
    """Echo what the middleware found; /api/* requires a user."""
    if environ["PATH_INFO"].startswith("/api/"):
        try:
            wsgi.require_user(environ)
        except wsgi.NotSignedIn:
            return wsgi.unauthorized(environ, start_response)
    user = environ["masthead.user"]
    body = json.dumps({"user": user.to_dict() if user else None, "auth": environ["masthead.auth"],
                       "error": type(environ["masthead.error"]).__name__ if environ["masthead.error"]
                       else None}).encode()
    start_response("200 OK", [("Content-Type", "application/json")])
    return [body]


async def asgi_app(scope, receive, send):
    """The same app in ASGI; also checks the Starlette-style state mirror."""
    assert scope["state"]["masthead_user"] is scope["masthead.user"]
    if scope["path"].startswith("/api/"):
        try:
            asgi.require_user(scope)
        except asgi.NotSignedIn:
            await asgi.send_response(asgi.unauthorized_response(scope), send)
            return
    user = scope["masthead.user"]
    body = json.dumps({"user": user.to_dict() if user else None, "auth": scope["masthead.auth"],
                       "error": type(scope["masthead.error"]).__name__ if scope["masthead.error"]
                       else None}).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": body})


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    cookies: list[str]
    body: bytes

    def json(self):
        return json.loads(self.body)


class Harness:
    """One synchronous interface over either middleware."""

    def __init__(self, kind: str, scheme: str = "http", **options):
        self.kind = kind
        self.base = f"{scheme}://app.test"
        opts = {**OPTIONS, **options}
        if kind == "wsgi":
            self.client = Client(wsgi.MastheadMiddleware(wsgi_app, **opts), use_cookies=False)
        else:
            self.client = ASGIClient(asgi.MastheadMiddleware(asgi_app, **opts), base_url=self.base)

    def __call__(self, method: str, path: str, *, headers: dict | None = None, body: bytes | None = None,
                 cookie: str | None = None, cookie_name: str = "masthead_app_session") -> Reply:
        headers = dict(headers or {})
        if cookie is not None:
            headers["Cookie"] = f"{cookie_name}={cookie}"
        if self.kind == "wsgi":
            r = self.client.open(path, method=method, headers=headers, data=body,
                                 base_url=self.base)
            return Reply(r.status_code, {k.lower(): v for k, v in r.headers.items()},
                         r.headers.getlist("Set-Cookie"), r.get_data())
        r = self.client.request(method, path, headers=headers, content=body)
        return Reply(r.status_code, {k.lower(): v for k, v in r.headers.items()},
                     r.headers.get_list("set-cookie"), r.content)


@pytest.fixture(params=["wsgi", "asgi"])
def app(request):
    return Harness(request.param)


@pytest.fixture(params=["wsgi", "asgi"])
def kind(request):
    return request.param


def post_token(app, token, **headers):
    return app("POST", "/.masthead/session", body=json.dumps({"token": token}).encode(),
               headers={"Content-Type": "application/json", "Origin": ORIGIN, **headers})


# -- authentication ----------------------------------------------------------------------------------
def test_anonymous_request(app):
    assert app("GET", "/").json() == {"user": None, "auth": None, "error": None}


def test_app_cookie_authenticates(app):
    data = app("GET", "/", cookie=app_cookie()).json()
    assert data["user"]["id"] == "1" and data["auth"] == "cookie"


def test_bearer_token_authenticates(app):
    data = app("GET", "/api/x", headers={"Authorization": f"Bearer {mint()}"}).json()
    assert data["user"]["email"] == "ada@example.com" and data["auth"] == "bearer"


def test_bearer_wins_over_cookie_and_a_bad_bearer_never_falls_back(app):
    good = app("GET", "/", cookie=app_cookie(), headers={"Authorization": f"Bearer {mint(user=GRACE)}"})
    assert good.json()["user"]["id"] == "2"
    bad = app("GET", "/api/x", cookie=app_cookie(), headers={"Authorization": "Bearer nonsense"})
    assert bad.status == 401


BAD_COOKIES = {
    "tampered payload": lambda: flip(app_cookie(), 0),
    "tampered signature": lambda: flip(app_cookie(), 2),
    "another app's cookie": lambda: app_cookie(OTHER_SECRET),
    "an app token as cookie": lambda: mint(),
    "expired (older than 12 h)": lambda: app_cookie(offset=-12 * 3600 - 5),
    "from the future": lambda: app_cookie(offset=600),
    "garbage": lambda: "%%%;;==",
    "huge": lambda: "A" * 5000,
}


@pytest.mark.parametrize("name", BAD_COOKIES)
def test_bad_app_cookie_is_anonymous_on_pages_and_401_on_apis(app, name):
    cookie = BAD_COOKIES[name]()
    assert app("GET", "/", cookie=cookie).json()["user"] is None
    reply = app("GET", "/api/x", cookie=cookie)
    assert reply.status == 401
    assert reply.json()["error"] == "not_signed_in"


BAD_BEARERS = {
    "expired": (lambda: mint(offset=-301), "expired_token"),
    "future": (lambda: mint(offset=300), "invalid_token"),
    "foreign app (its key)": (lambda: mint(OTHER_SECRET, aud="forum"), "invalid_token"),
    "foreign audience": (lambda: mint(aud="forum"), "invalid_token"),
    "tampered payload": (lambda: flip(mint(), 0), "invalid_token"),
    "tampered signature": (lambda: flip(mint(), 2), "invalid_token"),
    "session cookie value": (lambda: app_cookie(), "invalid_token"),
    "garbage": (lambda: "x.y.z", "invalid_token"),
    "empty": (lambda: "", "invalid_token"),
    "huge": (lambda: "A" * 6000, "invalid_token"),
}


@pytest.mark.parametrize("name", BAD_BEARERS)
def test_bad_bearer_is_401_json_with_www_authenticate(app, name):
    factory, code = BAD_BEARERS[name]
    page = app("GET", "/", headers={"Authorization": f"Bearer {factory()}"}).json()
    assert page["user"] is None and page["error"] is not None
    reply = app("GET", "/api/tasks", headers={"Authorization": f"Bearer {factory()}"})
    assert reply.status == 401
    assert reply.headers["content-type"] == "application/json"
    assert reply.json() == {"error": code, "message": reply.json()["message"]}
    assert reply.headers["www-authenticate"] == 'Bearer realm="notes", error="invalid_token"'


def test_missing_credentials_401_names_not_signed_in(app):
    reply = app("GET", "/api/tasks")
    assert reply.status == 401
    assert reply.json()["error"] == "not_signed_in"
    assert reply.headers["www-authenticate"] == 'Bearer realm="notes"'
    assert reply.headers["cache-control"] == "no-store"


def test_other_authorization_schemes_are_ignored(app):
    assert app("GET", "/", headers={"Authorization": "Basic Zm9vOmJhcg=="},
               cookie=app_cookie()).json()["auth"] == "cookie"


# -- hand-over endpoint ------------------------------------------------------------------------------
def test_handover_get_anonymous_then_signed_in(app):
    assert app("GET", "/.masthead/session").json() == {"user": None}
    reply = app("GET", "/.masthead/session", cookie=app_cookie())
    assert reply.json() == {"user": {"id": "1", "name": "Ada Lovelace", "email": "ada@example.com",
                                     "initials": "AL"}}
    assert reply.headers["cache-control"] == "no-store"
    assert "Cookie" in reply.headers["vary"]


def test_handover_page_script_is_served_beside_the_endpoint(app):
    reply = app("GET", "/.masthead/session.js")
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("text/javascript")
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert b"masthead:handover" in reply.body and b"location.reload()" in reply.body
    for method in ("POST", "DELETE", "PUT"):
        refused = app(method, "/.masthead/session.js")
        assert refused.status == 405 and refused.json()["error"] == "method_not_allowed"


def test_handover_post_sets_first_party_cookie_that_then_authenticates(app):
    reply = post_token(app, mint(user=GRACE))
    assert reply.status == 200
    assert reply.json()["user"]["id"] == "2"
    [cookie] = reply.cookies
    name_value, *attributes = [part.strip() for part in cookie.split(";")]
    name, value = name_value.split("=", 1)
    assert name == "masthead_app_session"
    assert {"HttpOnly", "SameSite=Lax", "Path=/", "Max-Age=43200"} <= set(attributes)
    assert "Secure" not in attributes and not any(a.lower().startswith("domain") for a in attributes)
    assert len(cookie) < 4096
    again = app("GET", "/", cookie=value).json()
    assert again["user"]["name"] == "Grace Hopper" and again["auth"] == "cookie"


def test_handover_post_without_origin_header_is_allowed(app):
    reply = app("POST", "/.masthead/session", body=json.dumps({"token": mint()}).encode(),
                headers={"Content-Type": "application/json; charset=utf-8"})
    assert reply.status == 200


def test_handover_delete_clears_cookie(app):
    reply = app("DELETE", "/.masthead/session", cookie=app_cookie(), headers={"Origin": ORIGIN})
    assert reply.status == 200 and reply.json() == {"user": None}
    [cookie] = reply.cookies
    assert cookie.startswith("masthead_app_session=;") and "Max-Age=0" in cookie


@pytest.mark.parametrize("origin", ["http://evil.test", "null", "https://app.test", "http://app.test:8080",
                                    "http://app.test.evil.net"])
@pytest.mark.parametrize("method", ["POST", "DELETE"])
def test_handover_refuses_cross_origin(app, method, origin):
    reply = app(method, "/.masthead/session", body=json.dumps({"token": mint()}).encode(),
                headers={"Content-Type": "application/json", "Origin": origin})
    assert reply.status == 403
    assert reply.json()["error"] == "origin_not_allowed"
    assert reply.cookies == []


def test_handover_refuses_cross_site_fetch_metadata(app):
    reply = post_token(app, mint(), **{"Sec-Fetch-Site": "cross-site"})
    assert reply.status == 403


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "multipart/form-data; boundary=x", "application/jsonx"])
def test_handover_refuses_non_json(app, content_type):
    headers = {"Origin": ORIGIN, **({"Content-Type": content_type} if content_type else {})}
    reply = app("POST", "/.masthead/session", body=json.dumps({"token": mint()}).encode(), headers=headers)
    assert reply.status == 415
    assert reply.json()["error"] == "unsupported_media_type"


@pytest.mark.parametrize("body", [b"", b"{", b"\xff\xfe", b"[]", b'"token"', b'{"token": 5}', b"{}",
                                  b'{"tok": "x"}', b"null"])
def test_handover_refuses_bad_json(app, body):
    reply = app("POST", "/.masthead/session", body=body,
                headers={"Content-Type": "application/json", "Origin": ORIGIN})
    assert reply.status == 400
    assert reply.json()["error"] == "invalid_request"


@pytest.mark.parametrize("name", BAD_BEARERS)
def test_handover_refuses_bad_tokens_with_401_json(app, name):
    factory, code = BAD_BEARERS[name]
    reply = post_token(app, factory())
    assert reply.status == 401
    assert reply.json()["error"] == code
    assert reply.cookies == []


@pytest.mark.parametrize("method", ["PUT", "PATCH", "OPTIONS", "TRACE"])
def test_handover_other_methods_are_405(app, method):
    reply = app(method, "/.masthead/session", headers={"Origin": ORIGIN})
    assert reply.status == 405
    assert reply.headers["allow"] == "GET, POST, DELETE"


def test_handover_body_over_16_kib_is_413(app):
    body = json.dumps({"token": mint(), "pad": "x" * 17000}).encode()
    reply = app("POST", "/.masthead/session", body=body,
                headers={"Content-Type": "application/json", "Origin": ORIGIN})
    assert reply.status == 413


def test_handover_body_just_under_limit_is_read(app):
    body = json.dumps({"token": mint(), "pad": "x" * 15000}).encode()
    reply = app("POST", "/.masthead/session", body=body,
                headers={"Content-Type": "application/json", "Origin": ORIGIN})
    assert reply.status == 200


def test_https_uses_host_prefixed_secure_cookie(kind):
    app = Harness(kind, scheme="https")
    reply = app("POST", "/.masthead/session", body=json.dumps({"token": mint()}).encode(),
                headers={"Content-Type": "application/json", "Origin": "https://app.test"})
    assert reply.status == 200
    [cookie] = reply.cookies
    assert cookie.startswith("__Host-masthead_app_session=")
    assert "; Secure" in cookie and "Path=/" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    assert app("GET", "/", cookie=value, cookie_name="__Host-masthead_app_session").json()["user"]
    # the http name is not read over https
    assert app("GET", "/", cookie=value).json()["user"] is None


def test_configured_origin_is_the_only_one_accepted(kind):
    app = Harness(kind, origin="https://notes.example.com", secure=True)
    assert post_token(app, mint()).status == 403
    ok = post_token(app, mint(), Origin="https://notes.example.com")
    assert ok.status == 200 and ok.cookies[0].startswith("__Host-")
