"""Password policy and argon2id hashing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from identity_api import passwords
from identity_api.errors import PasswordPolicyError


@pytest.mark.parametrize("password", [
    "eight ch", "x" * 64 + "long", "p" * 1024, "correct horse battery staple", "Mötley Crüe rocks",
    "пароль-очень-надёжный", "密码很安全的一句话", "🔐🔑🗝️🔒🔓🚪🏠🌍", "tab\tand space ok",
])
def test_accepted(password):
    passwords.check_policy(password)


@pytest.mark.parametrize("password, message", [
    ("", "at least 8"), ("seven77", "at least 8"), ("p" * 1025, "at most 1024"),
    ("password", "too common"), ("Password1", "too common"), ("12345678", "too common"),
    ("qwertyuiop", "too common"), ("ILOVEYOU1", "too common"), ("letmein123", "too common"),
    ("ada@example.com", "email"),
])
def test_refused(password, message):
    with pytest.raises(PasswordPolicyError, match=message):
        passwords.check_policy(password, email="ada@example.com")


def test_common_list_has_thousands_of_entries():
    assert len(passwords.common_passwords()) > 5000


def test_no_truncation_long_passwords_differ_in_their_last_character():
    base = "y" * 200
    hashed = passwords.hash_password(base + "a")
    assert passwords.verify(hashed, base + "a")
    assert not passwords.verify(hashed, base + "b")
    assert not passwords.verify(hashed, base)


def test_unicode_is_normalised_nfkc():
    composed, decomposed = "caf\u00e9 au lait", "cafe\u0301 au lait"
    hashed = passwords.hash_password(composed)
    assert passwords.verify(hashed, decomposed)
    fullwidth = "\uff50\uff41\uff53\uff53 phrase here"  # fullwidth "pass"
    assert passwords.verify(passwords.hash_password("pass phrase here"), fullwidth)


def test_production_hash_is_argon2id_with_library_defaults(monkeypatch):
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher())
    hashed = passwords.hash_password("correct horse battery staple")
    assert hashed.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert not passwords.needs_rehash(hashed)


def test_needs_rehash_for_weaker_parameters(monkeypatch):
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("correct horse battery")
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher())
    assert passwords.needs_rehash(weak)
    assert passwords.needs_rehash("not-a-hash")


def test_verify_with_no_hash_is_false_but_still_hashes(monkeypatch):
    assert passwords.verify(None, "anything at all") is False
    assert passwords.verify("garbage-hash", "anything") is False
