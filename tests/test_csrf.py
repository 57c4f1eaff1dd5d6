"""CSRF: every state-changing form and endpoint refuses cross-site and tokenless requests."""

from __future__ import annotations

import pytest

from tests.identity_support import NOTES_ORIGIN, ORIGIN, PASSWORD, add_app, add_user, csrf_of, page_csrf, sign_in

FORM_ENDPOINTS = ["/sign-in", "/sign-up", "/sign-out", "/confirm", "/account/profile", "/account/password",
                  "/account/sessions/end", "/account/sessions/end-others"]
FORM_DATA = {"email": "ada@example.com", "password": PASSWORD, "name": "Mallory", "avatar": "",
             "current_password": PASSWORD, "new_password": "a brand new passphrase",
             "confirm_password": "a brand new passphrase", "session": "x", "token": "x"}


@pytest.fixture
def client(id_app):
    add_app(id_app)
    add_user(id_app)
    client = id_app.test_client()
    assert sign_in(client).status_code == 303
    return client


def assert_still_signed_in(client):
    assert client.get("/api/me").json["user"]["name"] == "Ada Lovelace"


@pytest.mark.parametrize("path", FORM_ENDPOINTS)
def test_form_post_without_token_is_403(client, path):
    response = client.post(path, data=FORM_DATA)
    assert response.status_code == 403
    assert_still_signed_in(client)


@pytest.mark.parametrize("path", FORM_ENDPOINTS)
def test_cross_site_form_post_is_403_even_with_a_valid_token(client, path):
    token = page_csrf(client, "/account")
    for origin in ("https://evil.example", "null", NOTES_ORIGIN):
        response = client.post(path, data={**FORM_DATA, "csrf_token": token}, headers={"Origin": origin})
        assert response.status_code == 403
    assert_still_signed_in(client)


@pytest.mark.parametrize("path", FORM_ENDPOINTS + ["/api/tokens", "/api/sign-out"])
def test_text_plain_post_is_403(client, path):
    token = page_csrf(client, "/account")
    response = client.post(path, data=f"csrf_token={token}&email=a", content_type="text/plain",
                           headers={"Origin": ORIGIN})
    assert response.status_code == 403
    assert_still_signed_in(client)


@pytest.mark.parametrize("path", ["/api/tokens", "/api/sign-out"])
@pytest.mark.parametrize("content_type", ["application/x-www-form-urlencoded", "multipart/form-data"])
def test_api_form_posts_are_403(client, path, content_type):
    response = client.post(path, data={"audience": "notes"}, content_type=content_type,
                           headers={"Origin": NOTES_ORIGIN})
    assert response.status_code == 403 and response.json["error"] == "csrf"
    assert_still_signed_in(client)


@pytest.mark.parametrize("path", ["/api/tokens", "/api/sign-out"])
def test_api_json_from_unregistered_origin_is_403(client, path):
    response = client.post(path, json={"audience": "notes"}, headers={"Origin": "https://evil.example"})
    assert response.status_code == 403 and response.json["error"] == "csrf"
    assert_still_signed_in(client)


@pytest.mark.parametrize("path", ["/sign-out", "/api/sign-out", "/account/password", "/confirm",
                                  "/account/sessions/end", "/account/sessions/end-others"])
def test_get_on_state_changing_url_is_405(client, path):
    assert client.get(path).status_code == 405
    assert_still_signed_in(client)


def test_token_of_another_browser_is_refused(id_app, client):
    other = id_app.test_client()
    foreign_token = page_csrf(other, "/sign-in")  # bound to the other browser's CSRF cookie
    response = client.post("/sign-out", data={"csrf_token": foreign_token})
    assert response.status_code == 403
    assert_still_signed_in(client)


def test_anonymous_token_cannot_be_replayed_by_another_browser(id_app):
    first = id_app.test_client()
    token = page_csrf(first, "/sign-in")
    second = id_app.test_client()
    second.get("/sign-in")
    response = second.post("/sign-in", data={"csrf_token": token, "email": "ada@example.com",
                                             "password": PASSWORD})
    assert response.status_code == 403


def test_csrf_cookie_attributes(id_app):
    response = id_app.test_client().get("/sign-in")
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith("masthead_csrf=") and "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert "Path=/" in cookie and "Domain" not in cookie


def test_same_origin_form_with_token_works(client):
    token = csrf_of(client.get("/account").data)
    response = client.post("/account/profile", data={"csrf_token": token, "name": "Ada King", "avatar": ""},
                           headers={"Origin": ORIGIN})
    assert response.status_code == 303
    assert client.get("/api/me").json["user"]["name"] == "Ada King"


def test_origin_header_alone_never_authenticates(id_app, client):
    stranger = id_app.test_client()
    response = stranger.post("/api/tokens", json={"audience": "notes"}, headers={"Origin": NOTES_ORIGIN})
    assert response.status_code == 401 and response.json["error"] == "not_signed_in"
    assert stranger.get("/api/me", headers={"Origin": NOTES_ORIGIN}).json["user"] is None
