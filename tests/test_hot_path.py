"""The hot path stays cheap without changing behaviour: no app-wide rate-limit hooks, the CORS fast path
answers exactly what flask-cors's ``set_cors_headers`` would, cached serializers."""

from __future__ import annotations

import pytest
from flask_cors.core import set_cors_headers

from identity_api import tokens
from tests.identity_support import FORUM_ORIGIN, FORUM_SECRET, NOTES_ORIGIN, ORIGIN, TEST_KEY, add_app


def test_no_app_wide_rate_limit_hooks(id_app):
    hooks = [f for funcs in (*id_app.before_request_funcs.values(), *id_app.after_request_funcs.values(),
                             *id_app.teardown_request_funcs.values()) for f in funcs]
    assert not [f for f in hooks if "limit" in (getattr(f, "__module__", "") or "")]
    assert "flask_limiter" not in str(id_app.extensions)


@pytest.mark.parametrize("apps", [0, 1, 2])
@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize("origin", [None, "", ORIGIN, NOTES_ORIGIN, NOTES_ORIGIN.upper(), "http://LOCALHOST:8001",
                                    "https://notes.example.com", "https://evil.example", "null", "*",
                                    NOTES_ORIGIN + "/", NOTES_ORIGIN + ".evil.net"])
def test_cors_fast_path_matches_flask_cors(id_app, apps, method, origin):
    if apps >= 1:
        add_app(id_app, "notes", (NOTES_ORIGIN, "https://notes.example.com"))
    if apps >= 2:
        add_app(id_app, "forum", (FORUM_ORIGIN,), secret=FORUM_SECRET)
    cors = next(f.__self__ for f in id_app.after_request_funcs[None] if getattr(f, "__name__", "") == "after_request"
                and type(getattr(f, "__self__", None)).__name__ == "RegistryCors")
    headers = {"Origin": origin} if origin is not None else {}
    with id_app.test_request_context("/api/me", method=method, headers=headers):
        fast = cors.after_request(id_app.response_class("{}", mimetype="application/json"))
        generic = set_cors_headers(id_app.response_class("{}", mimetype="application/json"), cors.options())
        generic.headers.pop("Access-Control-Allow-Private-Network", None)
        generic.vary.add("Origin")
    assert list(fast.headers.items()) == list(generic.headers.items())


def test_serializers_are_cached_per_keys_and_salt():
    assert tokens.serializer((TEST_KEY,), tokens.SESSION_SALT) is tokens.serializer([TEST_KEY], tokens.SESSION_SALT)
    assert tokens.serializer((TEST_KEY,), tokens.SESSION_SALT) is not tokens.serializer((TEST_KEY,), tokens.CSRF_SALT)
    assert tokens.serializer(NOTES_ORIGIN * 2, tokens.APP_TOKEN_SALT) is \
        tokens.serializer(NOTES_ORIGIN * 2, tokens.APP_TOKEN_SALT)
    signed = tokens.sign([TEST_KEY, TEST_KEY + "x"], tokens.CSRF_SALT, "v")
    assert tokens.unsign((TEST_KEY + "x",), tokens.CSRF_SALT, signed, 60) == "v"
    assert tokens.unsign((TEST_KEY,), tokens.CSRF_SALT, signed, 60) is None
