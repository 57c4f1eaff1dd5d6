"""Configuration from the environment and the production safety rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from identity_api.config import DEV_SECRET_KEY, Config
from identity_api.errors import ConfigError

KEY = "k" * 32
PROD = {"MASTHEAD_SECRET_KEYS": KEY, "MASTHEAD_PUBLIC_URL": "https://id.example.com"}


def test_defaults_in_development(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = Config.from_env({"MASTHEAD_ENV": "development"})
    assert config.secret_keys == (DEV_SECRET_KEY,)
    assert config.database == tmp_path / "instance" / "masthead.sqlite3"
    assert config.outbox == tmp_path / "instance" / "outbox"
    assert config.public_url == "http://localhost:8000" and not config.https
    assert config.session_idle_timeout == 7 * 24 * 3600 and config.session_lifetime == 30 * 24 * 3600
    assert config.token_lifetime == 300 and config.trusted_proxies == 0
    assert config.ratelimit_storage == "memory://" and config.registry_ttl == 1.0
    assert config.workers == 1 and config.threads == 8


def test_production_is_the_default_and_refuses_missing_keys():
    with pytest.raises(ConfigError, match="MASTHEAD_SECRET_KEYS is not set"):
        Config.from_env({})


def test_every_variable_is_read(tmp_path):
    config = Config.from_env({
        **PROD, "MASTHEAD_DATABASE": str(tmp_path / "x.db"), "MASTHEAD_SECRET_KEYS": f"{KEY}, {'n' * 40}",
        "MASTHEAD_SESSION_IDLE_TIMEOUT": "600", "MASTHEAD_SESSION_LIFETIME": "3600",
        "MASTHEAD_TOKEN_LIFETIME": "120", "MASTHEAD_TRUSTED_PROXIES": "2",
        "MASTHEAD_RATELIMIT_STORAGE": "redis://cache:6379", "MASTHEAD_SIGNIN_LIMIT_ACCOUNT": "3 per minute",
        "MASTHEAD_SIGNIN_LIMIT_CLIENT": "9 per minute", "MASTHEAD_SIGNUP_LIMIT_CLIENT": "4 per hour",
        "MASTHEAD_TOKEN_LIMIT_CLIENT": "50 per minute", "MASTHEAD_OUTBOX": str(tmp_path / "out"),
        "MASTHEAD_SMTP_URL": "smtps://u:p@mail.example:465", "MASTHEAD_MAIL_FROM": "ID <id@example.com>",
        "MASTHEAD_REGISTRY_TTL": "2.5", "MASTHEAD_WORKERS": "4", "MASTHEAD_THREADS": "16",
    })
    assert config.database == tmp_path / "x.db" and config.secret_keys == (KEY, "n" * 40)
    assert (config.session_idle_timeout, config.session_lifetime, config.token_lifetime) == (600, 3600, 120)
    assert config.trusted_proxies == 2 and config.ratelimit_storage == "redis://cache:6379"
    assert (config.signin_limit_account, config.signin_limit_client) == ("3 per minute", "9 per minute")
    assert (config.signup_limit_client, config.token_limit_client) == ("4 per hour", "50 per minute")
    assert config.outbox == Path(tmp_path / "out") and config.smtp_url.startswith("smtps://")
    assert config.mail_from == "ID <id@example.com>" and config.registry_ttl == 2.5
    assert (config.workers, config.threads) == (4, 16) and config.https


@pytest.mark.parametrize("env, message", [
    ({"MASTHEAD_SECRET_KEYS": DEV_SECRET_KEY}, "development secret key"),
    ({"MASTHEAD_SECRET_KEYS": "short"}, "at least 32"),
    ({"MASTHEAD_SECRET_KEYS": f"{KEY},short"}, "at least 32"),
    ({"MASTHEAD_DEBUG": "1"}, "debug"),
    ({"FLASK_DEBUG": "true"}, "debug"),
    ({"MASTHEAD_WORKERS": "4"}, "shared MASTHEAD_RATELIMIT_STORAGE"),
    ({"MASTHEAD_TOKEN_LIFETIME": "301"}, "1..300"),
    ({"MASTHEAD_SESSION_IDLE_TIMEOUT": "7200", "MASTHEAD_SESSION_LIFETIME": "3600"}, "must not exceed"),
    ({"MASTHEAD_PUBLIC_URL": "ftp://id.example.com"}, "http"),
    ({"MASTHEAD_PUBLIC_URL": "https://id.example.com/auth"}, "without a path"),
    ({"MASTHEAD_ENV": "staging"}, "MASTHEAD_ENV"),
    ({"MASTHEAD_WORKERS": "many"}, "integer"),
    ({"MASTHEAD_REGISTRY_TTL": "-1"}, "negative"),
])
def test_production_refusals(env, message):
    with pytest.raises(ConfigError, match=message):
        Config.from_env({**PROD, **env})


def test_development_allows_the_dev_key_and_debug():
    config = Config.from_env({"MASTHEAD_ENV": "development", "MASTHEAD_DEBUG": "1"})
    assert config.debug and config.development


def test_public_url_is_normalised_to_an_origin():
    assert Config.from_env({**PROD, "MASTHEAD_PUBLIC_URL": "https://ID.example.com/"}).public_url == \
        "https://id.example.com"


def test_workers_with_shared_storage_are_fine():
    config = Config.from_env({**PROD, "MASTHEAD_WORKERS": "4", "MASTHEAD_RATELIMIT_STORAGE": "redis://r:6379"})
    assert config.workers == 4
