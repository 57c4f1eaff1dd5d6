"""Security headers: CSP on pages, nosniff everywhere, Referrer-Policy, framing, HSTS only on https,
no-store + Vary on /api and on every response that sets a cookie; session cookie attributes."""

from __future__ import annotations

import pytest

from tests.identity_support import NOTES_ORIGIN, add_app, add_user, csrf_of, make_app, sign_in

PAGES = ["/sign-in", "/sign-up", "/account", "/dev/outbox", "/nope"]


@pytest.fixture
def client(id_app):
    add_app(id_app)
    add_user(id_app)
    return id_app.test_client()


@pytest.mark.parametrize("path", PAGES)
def test_html_pages_have_csp_and_friends(client, path):
    sign_in(client)
    response = client.get(path)
    assert response.mimetype == "text/html"
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "frame-ancestors 'none'", "object-src 'none'",
                      "base-uri 'none'", f"form-action 'self' {NOTES_ORIGIN}"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] in ("strict-origin-when-cross-origin", "no-referrer",
                                                   "same-origin", "strict-origin")
    assert "Strict-Transport-Security" not in response.headers


def test_pages_have_no_inline_script_or_style(client):
    sign_in(client)
    for path in PAGES:
        html = client.get(path).data.decode()
        assert "<script" not in html and "style=" not in html and "<style" not in html


@pytest.mark.parametrize("path", ["/api/me", "/healthz", "/static/family.css"])
def test_nosniff_everywhere(client, path):
    assert client.get(path).headers["X-Content-Type-Options"] == "nosniff"


def test_api_me_is_no_store_and_varies(client):
    response = client.get("/api/me")
    assert response.headers["Cache-Control"] == "no-store"
    assert {"Cookie", "Origin"} <= set(response.vary)


def test_every_cookie_setting_response_is_no_store(client):
    responses = [client.get("/sign-in"), sign_in(client)]
    for response in responses:
        assert "Set-Cookie" in response.headers
        assert response.headers["Cache-Control"] == "no-store"
        assert {"Cookie", "Origin"} <= set(response.vary)


def test_session_cookie_attributes_over_http(client):
    response = sign_in(client)
    cookie = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("masthead_session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie and "Secure" not in cookie
    assert len(cookie) < 4096


def test_https_cookie_prefix_secure_and_hsts(tmp_path):
    app = make_app(tmp_path, public_url="https://id.example.com")
    add_user(app)
    client = app.test_client()
    page = client.get("/sign-in", base_url="https://id.example.com")
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    csrf_cookie = page.headers["Set-Cookie"]
    assert csrf_cookie.startswith("__Host-masthead_csrf=") and "Secure" in csrf_cookie
    response = client.post("/sign-in", base_url="https://id.example.com", data={
        "csrf_token": csrf_of(page.data), "email": "ada@example.com",
        "password": "correct horse battery staple"})
    assert response.status_code == 303
    cookie = [c for c in response.headers.getlist("Set-Cookie") if "masthead_session" in c][0]
    assert cookie.startswith("__Host-masthead_session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Domain" not in cookie
    me = client.get("/api/me", base_url="https://id.example.com")
    assert me.json["user"]["email"] == "ada@example.com"


def test_confirm_page_keeps_its_url_on_the_identity_origin(client):
    assert client.get("/confirm/garbage").headers["Referrer-Policy"] == "same-origin"


def test_api_me_is_not_executable_as_script(client):
    response = client.get("/api/me?callback=alert")
    assert response.mimetype == "application/json"
    assert response.data.startswith(b"{")
