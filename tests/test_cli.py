"""The ``masthead`` command: real subprocesses for the operator's view, click's runner for the rest."""

from __future__ import annotations

import sys
import urllib.request

import pytest
from click.testing import CliRunner

from identity_api import cli
from identity_api.config import DEV_SECRET_KEY
from identity_api.store import SQLiteStore
from tests.conftest import TEST_SECRET_KEY, identity_env, run_cli


@pytest.fixture
def env(tmp_path, monkeypatch):
    values = identity_env(tmp_path / "db.sqlite3", "http://localhost:8000")
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def invoke(*args, input=None):
    return CliRunner().invoke(cli.cli, list(args), input=input)


def db(env) -> SQLiteStore:
    return SQLiteStore(env["MASTHEAD_DATABASE"])


def test_users_create_reads_password_from_stdin_subprocess(env):
    result = run_cli(env, "users", "create", "Ada@Example.com", "--name", "Ada Lovelace",
                     input="correct horse battery staple\n")
    assert "created user 1 <ada@example.com>" in result.stdout
    user = db(env).get_user_by_email("ada@example.com")
    assert user.confirmed_at is not None and user.password_hash.startswith("$argon2id$")
    listed = run_cli(env, "users", "list").stdout
    assert "ada@example.com\tAda Lovelace\tactive" in listed


def test_errors_exit_2_without_traceback_subprocess(env):
    result = run_cli(env, "users", "create", "ada@example.com", "--name", "Ada", input="password\n",
                     check=False)
    assert result.returncode == 2 and "too common" in result.stderr and "Traceback" not in result.stderr
    bad = run_cli({**env, "MASTHEAD_ENV": "production", "MASTHEAD_SECRET_KEYS": DEV_SECRET_KEY},
                  "serve", "--port", "1", check=False)
    assert bad.returncode == 2 and "development secret key" in bad.stderr and "Traceback" not in bad.stderr


def test_users_create_policy_and_duplicates(env):
    assert invoke("users", "create", "a@x.io", "--name", "A", input="a long passphrase\n").exit_code == 0
    dup = invoke("users", "create", "A@X.IO", "--name", "A", input="a long passphrase\n")
    assert dup.exit_code != 0 and isinstance(dup.exception, Exception)
    bad = invoke("users", "create", "not-an-email", "--name", "A", input="a long passphrase\n")
    assert bad.exit_code != 0
    avatar = invoke("users", "create", "b@x.io", "--name", "B", "--avatar", "javascript:alert(1)",
                    input="a long passphrase\n")
    assert avatar.exit_code != 0


def test_main_maps_errors_to_exit_2(env, capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["users", "disable", "nobody@example.com"])
    assert exit_info.value.code == 2
    assert "no account with email" in capsys.readouterr().err


def test_users_disable_ends_sessions(env):
    invoke("users", "create", "a@x.io", "--name", "A", input="a long passphrase\n")
    store = db(env)
    store.create_session(user_id=1, token_hash="t", public_id="p", now=1, user_agent="", ip="")
    result = invoke("users", "disable", "a@x.io")
    assert result.exit_code == 0
    assert store.get_user(1).disabled_at is not None
    assert store.session_by_public_id("p")[0].revoked_at is not None
    assert "disabled" in invoke("users", "list").output


def test_apps_add_list_remove(env):
    result = invoke("apps", "add", "notes", "--name", "Notes", "--origin", "http://localhost:8001",
                    "--origin", "https://notes.example.com:443", "--url", "http://localhost:8001/",
                    "--color", "#2563EB", "--icon", "http://localhost:8000/static/icons/notes.svg",
                    "--handover", "/.masthead/session")
    assert result.exit_code == 0, result.output
    secret = [line for line in result.output.splitlines() if line.startswith("secret: ")][0][8:]
    assert len(secret) >= 32
    app = db(env).list_apps()[0]
    assert app.secret == secret and app.origins == ("http://localhost:8001", "https://notes.example.com")
    assert app.color == "#2563eb" and app.handover == "/.masthead/session"
    assert "notes\tNotes" in invoke("apps", "list").output
    given = invoke("apps", "add", "forum", "--name", "Forum", "--origin", "http://localhost:8002",
                   "--url", "http://localhost:8002/", "--secret", "s" * 40)
    assert given.exit_code == 0 and "secret:" not in given.output
    assert invoke("apps", "remove", "notes").exit_code == 0
    assert [a.id for a in db(env).list_apps()] == ["forum"]
    assert invoke("apps", "remove", "notes").exit_code != 0


@pytest.mark.parametrize("args", [
    ["Notes", "--origin", "http://localhost:8001"],  # bad id
    ["notes", "--origin", "*"], ["notes", "--origin", "https://*.example.com"],
    ["notes", "--origin", "https://.*\\.example\\.com"], ["notes", "--origin", "null"],
    ["notes", "--origin", "http://localhost:8001/path"], ["notes", "--origin", "ftp://x.example"],
    ["notes", "--origin", "http://user@x.example"],
    ["notes", "--origin", "http://localhost:8001", "--color", "blue"],
    ["notes", "--origin", "http://localhost:8001", "--icon", "javascript:alert(1)"],
    ["notes", "--origin", "http://localhost:8001", "--secret", "short"],
    ["notes", "--origin", "http://localhost:8001", "--handover", "//evil.com"],
])
def test_apps_add_refuses_bad_values(env, args):
    result = invoke("apps", "add", *args[:1], "--name", "N", "--url", "http://localhost:8001/", *args[1:])
    assert result.exit_code != 0
    assert db(env).list_apps() == []


def test_keys_generate(env):
    first, second = invoke("keys", "generate").output.strip(), invoke("keys", "generate").output.strip()
    assert len(first) >= 32 and first != second


def test_demo_without_launcher_is_a_clear_message(env, monkeypatch):
    import demo_sites

    monkeypatch.setitem(sys.modules, "demo_sites.launcher", None)  # importing it raises ImportError
    monkeypatch.delattr(demo_sites, "launcher", raising=False)  # ...even after another test imported it
    result = invoke("demo")
    assert result.exit_code != 0
    assert "demo launcher" in str(result.exception)


def test_serve_subprocess_with_a_demo_account(start_identity):
    server = start_identity()
    run_cli(server.env, "users", "create", "demo@example.com", "--name", "Demo User",
            input="masthead demo password\n")
    with urllib.request.urlopen(server.url.replace("localhost", "127.0.0.1") + "/sign-in") as response:
        assert response.status == 200 and b"Sign in" in response.read()
    assert server.env["MASTHEAD_SECRET_KEYS"] == TEST_SECRET_KEY
