"""Sign-in throttling per account and per client (failures only), X-Forwarded-For only behind a trusted
proxy, per-client limits on sign-up and token minting."""

from __future__ import annotations

import time

import pytest

from identity_api.config import Config
from identity_api.errors import ConfigError
from tests.identity_support import (NOTES_ORIGIN, PASSWORD, add_app, add_user, json_post, make_app, page_csrf,
                                    sign_in)


def app_with(tmp_path, **overrides):
    app = make_app(tmp_path, **overrides)
    add_user(app)
    add_user(app, "grace@example.com", "Grace Hopper")
    return app


def wait_until(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.05)  # polling interval


def test_account_throttled_even_for_the_right_password_then_recovers(tmp_path):
    app = app_with(tmp_path, signin_limit_account="2 per 2 seconds", signin_limit_client="100 per minute")
    client = app.test_client()
    assert sign_in(client, password="wrong one!").status_code == 401
    assert sign_in(client, password="wrong two!").status_code == 401
    throttled = sign_in(client, password=PASSWORD)
    assert throttled.status_code == 429
    assert 1 <= int(throttled.headers["Retry-After"]) <= 3
    assert "Too many attempts" in throttled.data.decode()
    assert client.get("/api/me").json["user"] is None
    # Another account from the same client is not affected by Ada's counter.
    assert sign_in(app.test_client(), "grace@example.com").status_code == 303
    wait_until(lambda: sign_in(app.test_client(), password=PASSWORD).status_code == 303)


def test_successes_do_not_count(tmp_path):
    app = app_with(tmp_path, signin_limit_account="2 per 1 hour")
    for _ in range(4):
        assert sign_in(app.test_client()).status_code == 303


def test_account_key_is_normalised_email(tmp_path):
    app = app_with(tmp_path, signin_limit_account="2 per 1 hour")
    sign_in(app.test_client(), "ADA@example.com", "wrong one!")
    sign_in(app.test_client(), " ada@EXAMPLE.com ", "wrong two!")
    assert sign_in(app.test_client()).status_code == 429


def test_client_throttled_across_accounts(tmp_path):
    app = app_with(tmp_path, signin_limit_account="100 per hour", signin_limit_client="3 per 1 hour")
    for n in range(3):
        assert sign_in(app.test_client(), f"user{n}@example.com", "wrong!").status_code == 401
    assert sign_in(app.test_client(), "grace@example.com").status_code == 429


def test_x_forwarded_for_ignored_without_trusted_proxy(tmp_path):
    app = app_with(tmp_path, signin_limit_client="2 per 1 hour", signin_limit_account="100 per hour")
    for n in range(2):
        sign_in(app.test_client(), f"u{n}@example.com", "wrong!", **{"X-Forwarded-For": f"10.0.0.{n}"})
    response = sign_in(app.test_client(), "grace@example.com", **{"X-Forwarded-For": "10.9.9.9"})
    assert response.status_code == 429


def test_x_forwarded_for_used_behind_one_trusted_proxy(tmp_path):
    app = app_with(tmp_path, signin_limit_client="2 per 1 hour", signin_limit_account="100 per hour",
                   trusted_proxies=1)
    for n in range(2):
        sign_in(app.test_client(), f"u{n}@example.com", "wrong!", **{"X-Forwarded-For": "10.0.0.1"})
    blocked = sign_in(app.test_client(), "grace@example.com", **{"X-Forwarded-For": "10.0.0.1"})
    assert blocked.status_code == 429
    # A client-supplied extra hop is ignored: the proxy appends the real address last.
    other = sign_in(app.test_client(), "grace@example.com", **{"X-Forwarded-For": "10.0.0.1, 10.0.0.2"})
    assert other.status_code == 303


def test_sign_up_limited_per_client(tmp_path):
    app = app_with(tmp_path, signup_limit_client="2 per hour")
    statuses = []
    for n in range(3):
        client = app.test_client()
        token = page_csrf(client, "/sign-up")
        statuses.append(client.post("/sign-up", data={"csrf_token": token, "name": "N", "password": "x",
                                                      "email": f"n{n}@example.com"}).status_code)
    assert statuses[-1] == 429


def test_tokens_limited_per_client_with_json_429(tmp_path):
    app = app_with(tmp_path, token_limit_client="2 per hour")
    add_app(app)
    client = app.test_client()
    sign_in(client)
    codes = [json_post(client, "/api/tokens", {"audience": "notes"}, origin=NOTES_ORIGIN) for _ in range(3)]
    assert [c.status_code for c in codes] == [200, 200, 429]
    assert codes[-1].json["error"] == "rate_limited"
    assert int(codes[-1].headers["Retry-After"]) >= 1


@pytest.mark.parametrize("limit", ["5 per fortnight", "lots", ""])
def test_bad_limit_strings_are_config_errors(limit):
    if not limit:
        assert Config.from_env({"MASTHEAD_ENV": "development", "MASTHEAD_SIGNIN_LIMIT_ACCOUNT": limit})
        return
    with pytest.raises(ConfigError):
        Config.from_env({"MASTHEAD_ENV": "development", "MASTHEAD_SIGNIN_LIMIT_ACCOUNT": limit})
