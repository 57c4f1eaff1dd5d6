"""Signed values: session cookies and app tokens; every bad value is None, never an exception."""

from __future__ import annotations

import pytest

from identity_api import tokens
from tests.identity_support import flip, forge

KEY = "k" * 40
NOTES = "notes-secret-0123456789abcdefghijklmnopqrstuv"
FORUM = "forum-secret-0123456789abcdefghijklmnopqrstuv"
SECRETS = {"notes": NOTES, "forum": FORUM}


def payload(aud="notes"):
    return {"sub": "1", "sid": "s", "aud": aud, "jti": "j", "name": "Ada", "email": "a@x.io"}


def test_session_cookie_round_trip_and_salt():
    value = tokens.sign([KEY], tokens.SESSION_SALT, "tok")
    assert tokens.load_session_cookie([KEY], value, 60) == "tok"
    assert tokens.unsign([KEY], tokens.CSRF_SALT, value, 60) is None


@pytest.mark.parametrize("value", [None, "", "x", "a.b.c", "..", "\x00", "é.é.é", 5, ["x"],
                                   "eyJ" + "A" * 5000])
def test_session_cookie_garbage_is_none(value):
    assert tokens.load_session_cookie([KEY], value, 60) is None


def test_session_cookie_tampered_expired_future():
    value = tokens.sign([KEY], tokens.SESSION_SALT, "tok")
    assert tokens.load_session_cookie([KEY], flip(value, 0), 60) is None
    assert tokens.load_session_cookie([KEY], flip(value, 2), 60) is None
    assert tokens.load_session_cookie([KEY], forge(KEY, tokens.SESSION_SALT, "tok", -61), 60) is None
    assert tokens.load_session_cookie([KEY], forge(KEY, tokens.SESSION_SALT, "tok", 30), 60) is None
    assert tokens.load_session_cookie([KEY], forge(KEY, tokens.SESSION_SALT, {"a": 1}), 60) is None


def test_app_token_verifies_only_with_its_audience_secret():
    token = tokens.mint_app_token(NOTES, sub="1", sid="s", aud="notes", name="Ada", email="a@x.io")
    found, issued = tokens.verify_app_token(token, SECRETS.get, 300)
    assert found["aud"] == "notes" and found["jti"] and issued
    assert tokens.verify_app_token(token, {"notes": FORUM}.get, 300) is None


# Factories, not values: a token forged at collection time would age before a long run reaches it.
@pytest.mark.parametrize("make_token", [
    lambda: forge(NOTES, tokens.APP_TOKEN_SALT, payload(), -301),  # expired
    lambda: forge(NOTES, tokens.APP_TOKEN_SALT, payload(), 60),  # future-dated
    lambda: forge(FORUM, tokens.APP_TOKEN_SALT, payload("notes")),  # claims notes, signed by forum
    lambda: forge(NOTES, tokens.APP_TOKEN_SALT, payload("ghost")),  # unknown audience
    lambda: forge(NOTES, tokens.SESSION_SALT, payload()),  # wrong salt
    lambda: forge(NOTES, tokens.APP_TOKEN_SALT, "just a string"),
    lambda: forge(NOTES, tokens.APP_TOKEN_SALT, {**payload(), "sub": 1}),  # wrong type
    lambda: forge(NOTES, tokens.APP_TOKEN_SALT, {"aud": "notes"}),  # missing claims
    lambda: flip(forge(NOTES, tokens.APP_TOKEN_SALT, payload()), 0),
    lambda: flip(forge(NOTES, tokens.APP_TOKEN_SALT, payload()), 2),
    lambda: tokens.sign([KEY], tokens.SESSION_SALT, "session-token"),  # a session cookie value
    lambda: "",
    lambda: "garbage",
    lambda: "a.b.c",
    lambda: ".eJw.x.y",
    lambda: "x" * 5000,
])
def test_bad_app_tokens_are_none(make_token):
    assert tokens.verify_app_token(make_token(), SECRETS.get, 300) is None
