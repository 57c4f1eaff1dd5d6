"""identity_client.tokens: signature, expiry, audience and hostile input (checklist 7, 8, 9, 22)."""

from __future__ import annotations

import pytest
from itsdangerous import URLSafeTimedSerializer

from identity_client import (BadTokenSignature, Claims, ConfigurationError, ExpiredToken, InvalidToken,
                             MalformedToken, TokenFromFuture, TokenVerifier, WrongAudience)
from tests.identity_client_support import APP_ID, OTHER_SECRET, SECRET, app_cookie, flip, mint

verifier = TokenVerifier(APP_ID, SECRET)


def test_valid_token_gives_claims_and_user():
    claims = verifier.verify(mint())
    assert isinstance(claims, Claims)
    assert (claims.sub, claims.sid, claims.aud, claims.name) == ("1", "sid-ada", "notes", "Ada Lovelace")
    user = claims.user
    assert (user.id, user.email, user.sid, user.initials) == ("1", "ada@example.com", "sid-ada", "AL")
    assert user.to_dict() == {"id": "1", "name": "Ada Lovelace", "email": "ada@example.com",
                              "initials": "AL"}


def test_token_just_inside_lifetime_is_accepted():
    assert verifier.verify(mint(offset=-290)).sub == "1"


HOSTILE = [
    ("expired", lambda: mint(offset=-301), ExpiredToken),
    ("long expired", lambda: mint(offset=-86400), ExpiredToken),
    ("future", lambda: mint(offset=120), TokenFromFuture),
    ("tampered payload byte", lambda: flip(mint(), 0), BadTokenSignature),
    ("tampered signature byte", lambda: flip(mint(), 2), BadTokenSignature),
    ("another app's token (its key)", lambda: mint(OTHER_SECRET, aud="forum"), BadTokenSignature),
    ("our key but another audience", lambda: mint(aud="forum"), WrongAudience),
    ("no audience", lambda: URLSafeTimedSerializer(SECRET, salt="masthead.app-token").dumps(
        {"sub": "1", "sid": "s"}), WrongAudience),
    ("identity session cookie value", lambda: URLSafeTimedSerializer(
        "identity-key-0123456789abcdefghijklmnopq", salt="masthead.session").dumps("tok"), BadTokenSignature),
    ("session cookie shape signed with our key", lambda: URLSafeTimedSerializer(
        SECRET, salt="masthead.session").dumps("tok"), BadTokenSignature),
    ("our app session cookie as a token", lambda: app_cookie(), BadTokenSignature),
    ("payload not an object", lambda: URLSafeTimedSerializer(SECRET, salt="masthead.app-token").dumps(
        ["notes"]), MalformedToken),
    ("sub missing", lambda: URLSafeTimedSerializer(SECRET, salt="masthead.app-token").dumps(
        {"aud": "notes", "sid": "s"}), MalformedToken),
    ("sub not a string", lambda: mint(sub=1), MalformedToken),
    ("name far too long", lambda: mint(name="x" * 600), MalformedToken),
    ("garbage", lambda: "not-a-token", BadTokenSignature),
    ("dots only", lambda: "..", BadTokenSignature),
    ("empty", lambda: "", MalformedToken),
    ("none", lambda: None, MalformedToken),
    ("huge", lambda: "A" * 100_000, MalformedToken),
    ("non-ascii", lambda: mint() + "é", MalformedToken),
]


@pytest.mark.parametrize(("name", "factory", "error"), HOSTILE, ids=[h[0] for h in HOSTILE])
def test_hostile_tokens_are_refused_with_a_precise_error(name, factory, error):
    with pytest.raises(error) as info:
        verifier.verify(factory())
    assert isinstance(info.value, InvalidToken)
    assert info.value.error in {"invalid_token", "expired_token"}


def test_expired_token_reports_its_age():
    with pytest.raises(ExpiredToken) as info:
        verifier.verify(mint(offset=-400))
    assert 399 <= info.value.age <= 402


def test_wrong_audience_carries_both_audiences():
    with pytest.raises(WrongAudience) as info:
        verifier.verify(mint(aud="forum"))
    assert (info.value.audience, info.value.expected) == ("forum", "notes")


def test_key_rotation_old_key_verifies_while_listed_then_not():
    old, new = SECRET, "notes-secret-NEW-0123456789abcdefghijklmnop"
    rotating = TokenVerifier(APP_ID, [old, new])
    assert rotating.verify(mint(old)).sub == "1"
    assert rotating.verify(mint(new)).sub == "1"
    with pytest.raises(BadTokenSignature):
        TokenVerifier(APP_ID, [new]).verify(mint(old))


def test_shorter_max_age_is_honoured():
    with pytest.raises(ExpiredToken):
        TokenVerifier(APP_ID, SECRET, max_age=60).verify(mint(offset=-61))


@pytest.mark.parametrize("kwargs", [{"app_id": "", "secrets": SECRET}, {"app_id": "notes", "secrets": []},
                                    {"app_id": "notes", "secrets": ""},
                                    {"app_id": "notes", "secrets": SECRET, "max_age": 301},
                                    {"app_id": "notes", "secrets": SECRET, "max_age": 0}])
def test_bad_configuration_is_refused(kwargs):
    with pytest.raises(ConfigurationError):
        TokenVerifier(**kwargs)
