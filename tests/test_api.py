"""The JSON API of docs/protocol.md: every endpoint and every bad input (never a 500)."""

from __future__ import annotations

import base64
import json

import pytest

from identity_api import tokens
from tests.identity_support import (FORUM_ORIGIN, FORUM_SECRET, NOTES_ORIGIN, NOTES_SECRET, ORIGIN, TEST_KEY,
                                    add_app, add_user, flip, forge, json_post, session_cookie, sign_in, store)


@pytest.fixture
def app(id_app):
    add_app(id_app, "notes", (NOTES_ORIGIN,), NOTES_SECRET, handover="/.masthead/session", color="#2563EB",
            icon="http://localhost:8000/static/icons/notes.svg")
    add_app(id_app, "forum", (FORUM_ORIGIN,), FORUM_SECRET)
    add_user(id_app)
    return id_app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def signed_in(client):
    assert sign_in(client).status_code == 303
    return client


def basic(app_id, secret):
    return {"Authorization": "Basic " + base64.b64encode(f"{app_id}:{secret}".encode()).decode()}


def mint(client, audience="notes", origin=NOTES_ORIGIN):
    response = json_post(client, "/api/tokens", {"audience": audience}, origin=origin)
    assert response.status_code == 200, response.json
    return response.json["token"]


# -- /api/me -----------------------------------------------------------------------------------------
def test_me_anonymous_is_200_with_null_user(client):
    response = client.get("/api/me")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body = response.json
    assert body["user"] is None
    assert [a["id"] for a in body["apps"]] == ["notes", "forum"]
    assert body["apps"][0] == {"id": "notes", "name": "Notes", "url": "http://localhost:8001/",
                               "icon": "http://localhost:8000/static/icons/notes.svg", "color": "#2563eb",
                               "handover": "/.masthead/session"}
    assert body["links"] == {"sign_in": f"{ORIGIN}/sign-in", "sign_up": f"{ORIGIN}/sign-up",
                             "sign_out": f"{ORIGIN}/api/sign-out", "account": f"{ORIGIN}/account"}
    assert response.headers["Cache-Control"] == "no-store"
    assert {"Origin", "Cookie"} <= set(response.vary)
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_me_signed_in(signed_in):
    user = signed_in.get("/api/me").json["user"]
    assert user == {"id": "1", "name": "Ada Lovelace", "email": "ada@example.com", "initials": "AL",
                    "avatar": None}


@pytest.mark.parametrize("avatar, shown", [
    ("https://img.example/ada.png", "https://img.example/ada.png"),
    (f"{ORIGIN}/static/ada.png", f"{ORIGIN}/static/ada.png"),
    ("http://img.example/ada.png", None),
    ("javascript:alert(1)", None),
    ("data:image/png;base64,AAAA", None),
    ("https://user@img.example/a.png", None),
])
def test_me_avatar_only_https_or_identity_origin(app, avatar, shown):
    add_user(app, "grace@example.com", "Grace Hopper", avatar_url=avatar)
    client = app.test_client()
    sign_in(client, "grace@example.com")
    assert client.get("/api/me").json["user"]["avatar"] == shown


def test_me_tampered_cookie_is_anonymous(app, signed_in):
    value = session_cookie(signed_in)
    for part in (0, 2):
        client = app.test_client()
        client.set_cookie("masthead_session", flip(value, part), domain="localhost")
        assert client.get("/api/me").json["user"] is None
    client = app.test_client()
    client.set_cookie("masthead_session", "garbage!!..", domain="localhost")
    assert client.get("/api/me").json["user"] is None


def test_me_expired_and_future_session_cookie_is_anonymous(app, signed_in):
    # A validly signed cookie for a real token, but signed 31 days ago / 1 hour in the future.
    token = "x" * 43
    for offset in (-31 * 24 * 3600, 3600):
        client = app.test_client()
        client.set_cookie("masthead_session", forge([TEST_KEY], "masthead.session", token, offset),
                          domain="localhost")
        assert client.get("/api/me").json["user"] is None


def test_me_bearer_app_token(client, signed_in):
    token = mint(signed_in)
    other = client.application.test_client()
    user = other.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json["user"]
    assert user["email"] == "ada@example.com"


@pytest.mark.parametrize("header", ["Bearer", "Bearer ", "Bearer nonsense", "Basic abc", "Bearer a.b.c",
                                    "Bearer " + "x" * 5000])
def test_me_bad_bearer_is_anonymous(client, header):
    response = client.get("/api/me", headers={"Authorization": header})
    assert response.status_code == 200 and response.json["user"] is None


def test_me_bearer_forged_expired_future_foreign_tokens_are_anonymous(app, signed_in):
    sid = store(app).list_sessions(1, not_before=0)[0].public_id
    payload = {"sub": "1", "sid": sid, "aud": "notes", "jti": "j", "name": "Ada", "email": "ada@example.com"}
    fresh = app.test_client()

    def me(token):
        return fresh.get("/api/me", headers={"Authorization": f"Bearer {token}"}).json["user"]

    assert me(forge(NOTES_SECRET, "masthead.app-token", payload))["id"] == "1"  # control
    assert me(forge(NOTES_SECRET, "masthead.app-token", payload, offset=-301)) is None  # expired
    assert me(forge(NOTES_SECRET, "masthead.app-token", payload, offset=120)) is None  # future-dated
    assert me(forge(FORUM_SECRET, "masthead.app-token", payload)) is None  # aud notes, signed by forum
    assert me(forge(NOTES_SECRET, "masthead.session", payload)) is None  # wrong salt
    assert me(forge(NOTES_SECRET, "masthead.app-token", {**payload, "aud": "ghost"})) is None
    assert me(flip(forge(NOTES_SECRET, "masthead.app-token", payload), 0)) is None
    assert me(flip(forge(NOTES_SECRET, "masthead.app-token", payload), 2)) is None
    assert me(session_cookie(signed_in)) is None  # the session cookie value is not an app token


# -- /api/tokens -------------------------------------------------------------------------------------
def test_tokens_mints_audience_token_verifiable_with_that_app_secret_only(signed_in):
    response = json_post(signed_in, "/api/tokens", {"audience": "notes"}, origin=NOTES_ORIGIN)
    assert response.status_code == 200
    assert response.json["expires_in"] == 300 and response.json["token_type"] == "Bearer"
    token = response.json["token"]
    payload = tokens.unsign(NOTES_SECRET, "masthead.app-token", token, 300)
    assert payload["aud"] == "notes" and payload["sub"] == "1" and payload["email"] == "ada@example.com"
    assert set(payload) == {"sub", "sid", "aud", "jti", "name", "email"}
    assert tokens.unsign(FORUM_SECRET, "masthead.app-token", token, 300) is None
    assert tokens.unsign([TEST_KEY], "masthead.app-token", token, 300) is None
    assert response.headers["Access-Control-Allow-Origin"] == NOTES_ORIGIN


def test_tokens_each_token_is_unique(signed_in):
    assert mint(signed_in) != mint(signed_in)


@pytest.mark.parametrize("origin, status, error", [
    (FORUM_ORIGIN, 403, "origin_not_allowed"),  # registered, but not notes' origin
    (ORIGIN, 403, "origin_not_allowed"),
    ("https://evil.example", 403, "csrf"),
    (None, 403, "csrf"),
    ("null", 403, "csrf"),
])
def test_tokens_origin_rules(signed_in, origin, status, error):
    response = json_post(signed_in, "/api/tokens", {"audience": "notes"}, origin=origin)
    assert (response.status_code, response.json["error"]) == (status, error)


def test_tokens_anonymous_is_401(client):
    response = json_post(client, "/api/tokens", {"audience": "notes"}, origin=NOTES_ORIGIN)
    assert (response.status_code, response.json["error"]) == (401, "not_signed_in")


def test_tokens_unknown_audience_is_404(signed_in):
    response = json_post(signed_in, "/api/tokens", {"audience": "ghost"}, origin=NOTES_ORIGIN)
    assert (response.status_code, response.json["error"]) == (404, "unknown_audience")


@pytest.mark.parametrize("body", [{"audience": 5}, {"audience": ["notes"]}, {"audience": None}, {}, [],
                                  "notes", 3, None])
def test_tokens_wrong_types_are_400(signed_in, body):
    response = signed_in.post("/api/tokens", data=json.dumps(body), content_type="application/json",
                              headers={"Origin": NOTES_ORIGIN})
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request" and response.json["message"]


@pytest.mark.parametrize("data", [b"{", b"{'audience': 'notes'}", b"\xff\xfe", b'{"audience": "notes"'])
def test_tokens_malformed_json_is_400(signed_in, data):
    response = signed_in.post("/api/tokens", data=data, content_type="application/json",
                              headers={"Origin": NOTES_ORIGIN})
    assert response.status_code == 400 and response.json["error"] == "invalid_json"


def test_tokens_huge_body_is_413_json(signed_in):
    response = signed_in.post("/api/tokens", data=b'{"audience": "' + b"x" * 70_000 + b'"}',
                              content_type="application/json", headers={"Origin": NOTES_ORIGIN})
    assert response.status_code == 413
    assert response.json["error"] == "request_entity_too_large"


def test_tokens_after_sign_out_is_401(signed_in):
    json_post(signed_in, "/api/sign-out", origin=NOTES_ORIGIN)
    response = json_post(signed_in, "/api/tokens", {"audience": "notes"}, origin=NOTES_ORIGIN)
    assert response.status_code == 401


# -- /api/sign-out -----------------------------------------------------------------------------------
def test_sign_out_revokes_and_clears_cookie(app, signed_in):
    cookie = session_cookie(signed_in)
    response = json_post(signed_in, "/api/sign-out", origin=NOTES_ORIGIN)
    assert response.status_code == 200 and response.json == {"user": None}
    assert "masthead_session=;" in response.headers["Set-Cookie"]
    assert response.headers["Cache-Control"] == "no-store"
    replay = app.test_client()
    replay.set_cookie("masthead_session", cookie, domain="localhost")
    assert replay.get("/api/me").json["user"] is None


def test_sign_out_when_anonymous_is_200(client):
    assert json_post(client, "/api/sign-out").json == {"user": None}


def test_sign_out_requires_json_and_allowed_origin(signed_in):
    assert json_post(signed_in, "/api/sign-out", origin="https://evil.example").status_code == 403
    response = signed_in.post("/api/sign-out", data="{}", content_type="text/plain",
                              headers={"Origin": NOTES_ORIGIN})
    assert (response.status_code, response.json["error"]) == (403, "csrf")
    assert signed_in.get("/api/me").json["user"] is not None


# -- /api/introspect ---------------------------------------------------------------------------------
def test_introspect_active_token(signed_in):
    token = mint(signed_in)
    response = signed_in.post("/api/introspect", json={"token": token}, headers=basic("notes", NOTES_SECRET))
    body = response.json
    assert response.status_code == 200 and body["active"] is True
    assert body["sub"] == "1" and body["aud"] == "notes" and body["sid"]
    assert body["exp"] - body["iat"] == 300
    assert body["user"]["email"] == "ada@example.com" and body["user"]["initials"] == "AL"


def test_introspect_inactive_after_sign_out(signed_in):
    token = mint(signed_in)
    json_post(signed_in, "/api/sign-out")
    response = signed_in.post("/api/introspect", json={"token": token}, headers=basic("notes", NOTES_SECRET))
    assert response.json == {"active": False}


def test_introspect_another_apps_token_is_inactive(signed_in):
    token = mint(signed_in, "forum", FORUM_ORIGIN)
    response = signed_in.post("/api/introspect", json={"token": token}, headers=basic("notes", NOTES_SECRET))
    assert response.json == {"active": False}


@pytest.mark.parametrize("token", ["", "junk", "a.b.c", "x" * 5000])
def test_introspect_garbage_is_inactive(client, token):
    response = client.post("/api/introspect", json={"token": token}, headers=basic("notes", NOTES_SECRET))
    assert response.status_code == 200 and response.json == {"active": False}


@pytest.mark.parametrize("headers", [
    {}, basic("notes", "wrong-secret"), basic("ghost", NOTES_SECRET), basic("forum", NOTES_SECRET),
    {"Authorization": "Basic !!!"}, {"Authorization": "Bearer x"},
])
def test_introspect_bad_credentials_are_401(client, headers):
    response = client.post("/api/introspect", json={"token": "x"}, headers=headers)
    assert response.status_code == 401 and response.json["error"] == "invalid_client"
    assert response.headers["WWW-Authenticate"].startswith("Basic")


@pytest.mark.parametrize("body, status", [({"token": 5}, 400), ({}, 400), ([1], 400)])
def test_introspect_bad_bodies(client, body, status):
    response = client.post("/api/introspect", json=body, headers=basic("notes", NOTES_SECRET))
    assert response.status_code == status and response.json["error"] == "invalid_request"


def test_introspect_not_json_is_415(client):
    response = client.post("/api/introspect", data="token=x", headers=basic("notes", NOTES_SECRET),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415 and response.json["error"] == "unsupported_media_type"


# -- errors, health ----------------------------------------------------------------------------------
def test_healthz(client):
    response = client.get("/healthz")
    assert response.status_code == 200 and response.json == {"status": "ok"}


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/api/nope", 404), ("GET", "/api/me+x", 404), ("POST", "/api/me", 405),
    ("GET", "/api/tokens", 405), ("GET", "/api/sign-out", 405), ("DELETE", "/api/introspect", 405),
])
def test_unknown_api_paths_and_methods_are_json(client, method, path, status):
    response = client.open(path, method=method)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    assert set(response.json) == {"error", "message"}


def test_internal_errors_are_generic_json_without_trace(app, monkeypatch):
    app.testing = False

    def boom():
        raise RuntimeError("secret internals")
    monkeypatch.setattr(store(app), "ping", boom)
    response = app.test_client().get("/healthz")
    assert response.status_code == 500
    assert response.json == {"error": "internal_error", "message": "Something went wrong."}
    assert b"secret internals" not in response.data and b"Traceback" not in response.data
