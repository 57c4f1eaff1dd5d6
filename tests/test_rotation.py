"""Key rotation: newest key signs, every listed key verifies, removing a key invalidates what it signed."""

from __future__ import annotations

from identity_api import tokens
from tests.identity_support import TEST_KEY, add_user, make_app, session_cookie, sign_in

OLD = TEST_KEY
NEW = "new-secret-key-abcdefghijklmnopqrstuvwxyz0123456789"


def me(app, cookie):
    client = app.test_client()
    client.set_cookie("masthead_session", cookie, domain="localhost")
    return client.get("/api/me").json["user"]


def test_rotation(tmp_path):
    old_app = make_app(tmp_path, secret_keys=(OLD,))
    add_user(old_app)
    client = old_app.test_client()
    sign_in(client)
    old_cookie = session_cookie(client)

    rotated = make_app(tmp_path, secret_keys=(OLD, NEW))  # same database, NEW appended last
    assert me(rotated, old_cookie)["id"] == "1"  # old-key cookies stay valid while OLD is listed
    client = rotated.test_client()
    sign_in(client)
    new_cookie = session_cookie(client)
    # New cookies are signed with the newest key alone.
    assert tokens.load_session_cookie([NEW], new_cookie, 3600) is not None
    assert tokens.load_session_cookie([OLD], new_cookie, 3600) is None

    retired = make_app(tmp_path, secret_keys=(NEW,))
    assert me(retired, old_cookie) is None  # removing the key invalidates what it signed
    assert me(retired, new_cookie)["id"] == "1"


def test_csrf_tokens_follow_rotation():
    signed = tokens.sign([OLD], tokens.CSRF_SALT, "c:x")
    assert tokens.unsign([OLD, NEW], tokens.CSRF_SALT, signed, 60) == "c:x"
    assert tokens.unsign([NEW], tokens.CSRF_SALT, signed, 60) is None
