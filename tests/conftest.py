"""Fixtures shared by every test: real identity API processes on loopback, the CLI against them."""

from __future__ import annotations

import secrets
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

import pytest

from tests.servers import REPO, free_port, start_server

#: A fixed, non-development key for tests (32+ characters). Tests that rotate keys pass their own.
TEST_SECRET_KEY = "test-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"


def identity_env(db_path: Path, public_url: str, **extra: str) -> dict[str, str]:
    """Environment for an identity API process with its own database."""
    env = {
        "MASTHEAD_ENV": "development",
        "MASTHEAD_DATABASE": str(db_path),
        "MASTHEAD_SECRET_KEYS": TEST_SECRET_KEY,
        "MASTHEAD_PUBLIC_URL": public_url,
        "MASTHEAD_OUTBOX": str(db_path.parent / "outbox"),
    }
    env.update(extra)
    return env


def run_cli(env: dict[str, str], *args: str, input: str | None = None,
            check: bool = True) -> subprocess.CompletedProcess:
    """Run ``masthead ARGS`` as a real subprocess with ``env`` (the operator's view)."""
    import os

    full_env = dict(os.environ, **env)
    result = subprocess.run([sys.executable, "-m", "identity_api", *args], input=input, text=True,
                            capture_output=True, env=full_env, cwd=REPO, timeout=60)
    if check and result.returncode != 0:
        raise AssertionError(f"masthead {' '.join(args)} failed ({result.returncode}):\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture
def start_identity(tmp_path):
    """Factory: start a real identity API process; every process stops when the test ends.

    ``start_identity(host="localhost", port=None, **env)`` returns a :class:`tests.servers.Server` whose
    ``env`` can be passed to :func:`run_cli` to operate on the same database.
    """
    with ExitStack() as stack:
        def start(host: str = "localhost", port: int | None = None, db_path: Path | None = None,
                  **extra_env: str):
            port = port or free_port()
            db = db_path or tmp_path / f"identity-{secrets.token_hex(3)}" / "masthead.sqlite3"
            db.parent.mkdir(parents=True, exist_ok=True)
            env = identity_env(db, f"http://{host}:{port}", **extra_env)
            server = start_server("identity", [sys.executable, "-m", "identity_api", "serve",
                                               "--host", "127.0.0.1", "--port", str(port)],
                                  port=port, log_dir=tmp_path / "logs", env=env, public_host=host)
            stack.callback(server.stop)
            return server

        yield start


@pytest.fixture
def id_app(tmp_path):
    """A development identity API app (Flask test mode) on its own database under ``tmp_path``."""
    from tests.identity_support import make_app

    return make_app(tmp_path)


@pytest.fixture
def id_client(id_app):
    """A test client of :func:`id_app`."""
    return id_app.test_client()


@pytest.fixture(autouse=True)
def _fast_argon2(monkeypatch):
    """In-process tests hash with cheap argon2id parameters (0.1 s per hash otherwise adds minutes).

    Real server processes and ``test_passwords``' parameter check use the production defaults.
    """
    try:
        from argon2 import PasswordHasher

        from identity_api import passwords
    except ImportError:
        return
    monkeypatch.setattr(passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def pytest_collection_modifyitems(config, items):
    """Run the browser tests last.

    pytest-playwright's sync API keeps an asyncio event loop running in the main thread until the session
    ends; tests after it that call ``asyncio.run()`` (the ASGI tests) or touch Django's ORM (which refuses
    to run inside an event loop) would fail for reasons that have nothing to do with them.
    """
    items.sort(key=lambda item: "/e2e/" in item.path.as_posix())
