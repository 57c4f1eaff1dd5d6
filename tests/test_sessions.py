"""Server-side sessions: no fixation, revocation, idle and absolute timeouts (with an injected clock),
password change and disabling end sessions, the account page's session management."""

from __future__ import annotations

import pytest

from tests.identity_support import (PASSWORD, Clock, add_user, csrf_of, make_app, session_cookie, sign_in,
                                    store)

DAY = 24 * 3600


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def app(tmp_path, clock):
    app = make_app(tmp_path, clock=clock, session_idle_timeout=2 * DAY, session_lifetime=5 * DAY)
    add_user(app)
    return app


def me(client):
    return client.get("/api/me").json["user"]


def with_cookie(app, value):
    client = app.test_client()
    client.set_cookie("masthead_session", value, domain="localhost")
    return client


def test_no_fixation_a_new_cookie_on_every_sign_in(app):
    client = app.test_client()
    client.set_cookie("masthead_session", "attacker-chosen-value", domain="localhost")
    sign_in(client)
    first = session_cookie(client)
    assert first != "attacker-chosen-value" and me(client)["id"] == "1"
    sign_in(client)
    second = session_cookie(client)
    assert second != first
    assert me(with_cookie(app, first)) is None  # signing in again ended the previous session


def test_database_stores_only_a_hash_of_the_token(app):
    client = app.test_client()
    sign_in(client)
    cookie = session_cookie(client)
    raw = store(app).path.read_bytes() + store(app).path.with_name("masthead.sqlite3-wal").read_bytes()
    token = cookie.split(".")[0]
    assert token.encode() not in raw


def test_replay_after_sign_out_is_anonymous(app):
    client = app.test_client()
    sign_in(client)
    cookie = session_cookie(client)
    token = csrf_of(client.get("/account").data)
    response = client.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 303 and response.headers["Location"] == "/sign-in?signed_out=1"
    assert me(client) is None
    assert me(with_cookie(app, cookie)) is None


def test_idle_timeout(app, clock):
    client = app.test_client()
    sign_in(client)
    clock.advance(2 * DAY - 10)
    assert me(client) is not None  # activity moves the idle deadline (touch)
    clock.advance(2 * DAY + 1)  # 4 days in total: idle, though still within the 5-day lifetime
    assert me(client) is None


def test_absolute_lifetime_despite_activity(app, clock):
    client = app.test_client()
    sign_in(client)
    for _ in range(4):
        clock.advance(DAY)
        assert me(client) is not None
    clock.advance(DAY + 1)
    assert me(client) is None


def test_me_touches_at_most_once_a_minute(app, clock, monkeypatch):
    client = app.test_client()
    sign_in(client)
    writes = []
    original = store(app).touch_session
    monkeypatch.setattr(store(app), "touch_session", lambda *a: (writes.append(a), original(*a)))
    for _ in range(5):
        clock.advance(5)
        me(client)
    assert len(writes) == 0
    clock.advance(60)
    me(client)
    me(client)
    assert len(writes) == 1


def test_disable_ends_sessions_and_app_tokens(app):
    client = app.test_client()
    sign_in(client)
    store(app).disable_user(1, app.extensions["masthead"].config.clock())
    assert me(client) is None
    assert sign_in(app.test_client()).status_code == 401


def change_password(client, current=PASSWORD, new="a brand new passphrase", confirm=None):
    token = csrf_of(client.get("/account").data)
    return client.post("/account/password", data={"csrf_token": token, "current_password": current,
                                                  "new_password": new, "confirm_password": confirm or new})


def test_password_change_ends_other_sessions_and_rotates_this_one(app):
    laptop, phone = app.test_client(), app.test_client()
    sign_in(laptop)
    sign_in(phone)
    old_laptop_cookie = session_cookie(laptop)
    response = change_password(laptop)
    assert response.status_code == 303 and response.headers["Location"] == "/account?done=password"
    assert me(laptop) is not None
    assert session_cookie(laptop) != old_laptop_cookie
    assert me(with_cookie(app, old_laptop_cookie)) is None
    assert me(phone) is None
    assert sign_in(app.test_client(), password=PASSWORD).status_code == 401
    assert sign_in(app.test_client(), password="a brand new passphrase").status_code == 303


@pytest.mark.parametrize("current, new, confirm, field", [
    ("wrong password!", "a brand new passphrase", None, "That is not your current password."),
    (PASSWORD, "password1", None, "too common"),
    (PASSWORD, "short", None, "at least 8"),
    (PASSWORD, "a brand new passphrase", "something else entirely", "differ"),
])
def test_password_change_refusals(app, current, new, confirm, field):
    client = app.test_client()
    sign_in(client)
    response = change_password(client, current, new, confirm)
    assert response.status_code == 400 and field in response.data.decode()
    assert me(client) is not None
    assert sign_in(app.test_client()).status_code == 303


def test_account_lists_sessions_and_ends_one_or_all_others(app):
    laptop, phone, tablet = app.test_client(), app.test_client(), app.test_client()
    sign_in(laptop, **{"User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"})
    sign_in(phone, **{"User-Agent": "Mozilla/5.0 (iPhone) Safari/604.1"})
    sign_in(tablet)
    page = laptop.get("/account").data.decode()
    assert "Firefox on Linux" in page and "Safari on iPhone" in page and "This device" in page
    phone_id = [s for s in store(app).list_sessions(1, not_before=0) if "iPhone" in s.user_agent][0].public_id
    token = csrf_of(page)
    assert laptop.post("/account/sessions/end", data={"csrf_token": token, "session": phone_id}).status_code == 303
    assert me(phone) is None and me(tablet) is not None and me(laptop) is not None
    token = csrf_of(laptop.get("/account").data)
    laptop.post("/account/sessions/end-others", data={"csrf_token": token})
    assert me(tablet) is None and me(laptop) is not None


def test_cannot_end_another_users_session(app):
    add_user(app, "eve@example.com", "Eve")
    ada, eve = app.test_client(), app.test_client()
    sign_in(ada)
    sign_in(eve, "eve@example.com")
    ada_id = store(app).list_sessions(1, not_before=0)[0].public_id
    token = csrf_of(eve.get("/account").data)
    eve.post("/account/sessions/end", data={"csrf_token": token, "session": ada_id})
    assert me(ada) is not None


def test_ending_this_session_signs_out(app):
    client = app.test_client()
    sign_in(client)
    own = store(app).list_sessions(1, not_before=0)[0].public_id
    token = csrf_of(client.get("/account").data)
    response = client.post("/account/sessions/end", data={"csrf_token": token, "session": own})
    assert response.headers["Location"] == "/sign-in?signed_out=1"
    assert me(client) is None


def test_account_requires_sign_in(app):
    response = app.test_client().get("/account")
    assert response.status_code == 303 and response.headers["Location"] == "/sign-in?next=%2Faccount"


def test_profile_update_validates_avatar(app):
    client = app.test_client()
    sign_in(client)
    token = csrf_of(client.get("/account").data)
    response = client.post("/account/profile", data={"csrf_token": token, "name": "Ada",
                                                     "avatar": "javascript:alert(1)"})
    assert response.status_code == 400 and "https://" in response.data.decode()
    response = client.post("/account/profile", data={"csrf_token": token, "name": "Ada King",
                                                     "avatar": "https://img.example/a.png"})
    assert response.status_code == 303
    assert me(client)["avatar"] == "https://img.example/a.png" and me(client)["initials"] == "AK"
