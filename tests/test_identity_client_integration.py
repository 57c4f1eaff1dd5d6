"""identity_client against a REAL identity API process: real tokens verify, introspection, revocation."""

from __future__ import annotations

import json

import pytest
from werkzeug.test import Client

from identity_client import ExpiredToken, Introspector, RevokedToken, TokenVerifier, WrongAudience
from identity_client.wsgi import MastheadMiddleware, require_user, unauthorized
from tests.conftest import run_cli
from tests.identity_client_support import (OTHER_SECRET, SECRET, create_user, real_token, register_app,
                                           sign_in, sign_out)

NOTES_ORIGIN = "http://localhost:18001"
FORUM_ORIGIN = "http://localhost:18002"


@pytest.fixture
def identity(start_identity):
    server = start_identity()
    register_app(run_cli, server.env, "notes", NOTES_ORIGIN, SECRET)
    register_app(run_cli, server.env, "forum", FORUM_ORIGIN, OTHER_SECRET)
    create_user(run_cli, server.env, "ada@example.com", "Ada Lovelace")
    return server


def api_app(environ, start_response):
    try:
        user = require_user(environ)
    except Exception:
        return unauthorized(environ, start_response)
    start_response("200 OK", [("Content-Type", "application/json")])
    return [json.dumps(user.to_dict()).encode()]


def test_real_token_verifies_introspects_and_dies_with_the_session(identity):
    session = sign_in(identity.url, "ada@example.com")
    token = real_token(session, "notes", NOTES_ORIGIN)

    claims = TokenVerifier("notes", SECRET).verify(token)
    assert claims.aud == "notes" and claims.name == "Ada Lovelace" and claims.email == "ada@example.com"
    assert claims.sid and claims.sub

    introspector = Introspector(identity.url, "notes", SECRET, cache_ttl=0)
    introspector.check(token, claims)  # active
    reply = introspector.ask(token)
    assert reply["active"] is True and reply["sub"] == claims.sub and reply["sid"] == claims.sid

    # Through the middleware with introspection: accepted, then refused once the session is revoked.
    client = Client(MastheadMiddleware(api_app, app_id="notes", secret=SECRET, identity_url=identity.url,
                                       introspect=Introspector(identity.url, "notes", SECRET, cache_ttl=0)),
                    use_cookies=False)
    assert client.get("/api", headers={"Authorization": f"Bearer {token}"}).get_json()["name"] == "Ada Lovelace"
    handover = client.post("/.masthead/session", json={"token": token}, headers={"Origin": "http://localhost"})
    assert handover.status_code == 200
    cookie = handover.headers["Set-Cookie"].split(";")[0]

    sign_out(session, NOTES_ORIGIN)
    assert introspector.ask(token) == {"active": False}
    with pytest.raises(RevokedToken):
        introspector.check(token, claims)
    reply = client.get("/api", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 401 and reply.get_json()["error"] == "revoked_token"
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    # the session is known revoked: the app cookie from before is no longer honoured either
    assert client.get("/api", headers={"Cookie": cookie}).status_code == 401
    # and a hand-over of the revoked token is refused
    assert client.post("/.masthead/session", json={"token": token}).status_code == 401


def test_real_token_for_another_app_is_refused_locally_and_by_introspection(identity):
    session = sign_in(identity.url, "ada@example.com")
    forum_token = real_token(session, "forum", FORUM_ORIGIN)
    # notes cannot verify a forum token (different key) ...
    with pytest.raises(Exception) as info:
        TokenVerifier("notes", SECRET).verify(forum_token)
    assert not isinstance(info.value, ExpiredToken)
    # ... and even with forum's key, notes would refuse the audience
    with pytest.raises(WrongAudience):
        TokenVerifier("notes", OTHER_SECRET).verify(forum_token)
    # the identity API says inactive when notes introspects forum's token
    assert Introspector(identity.url, "notes", SECRET).ask(forum_token) == {"active": False}


def test_introspection_with_a_wrong_secret_fails_closed(identity):
    session = sign_in(identity.url, "ada@example.com")
    token = real_token(session, "notes", NOTES_ORIGIN)
    claims = TokenVerifier("notes", SECRET).verify(token)
    from identity_client import IntrospectionUnavailable
    with pytest.raises(IntrospectionUnavailable):
        Introspector(identity.url, "notes", "wrong-secret-0123456789abcdefghijklmnop").check(token, claims)
