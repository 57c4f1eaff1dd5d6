"""Fixtures for the demo apps' tests: one real identity API process for the whole session.

The five apps are registered with known test secrets; Ada and Grace exist. ``family.token(email, app)``
signs in over HTTP (once per user) and mints a real app token through ``POST /api/tokens``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import pytest

from tests.conftest import identity_env, run_cli
from tests.identity_client_support import create_user, real_token, register_app, sign_in
from tests.servers import free_port, start_server

APPS = ("notes", "forum", "wiki", "tasks", "docs")
SECRETS = {app: f"{app}-test-secret-0123456789abcdefghijklmnop" for app in APPS}
ORIGINS = {app: f"http://{app}.test" for app in APPS}
USERS = {"ada@example.com": "Ada Lovelace", "grace@example.com": "Grace Hopper"}


@dataclass
class Family:
    """A running identity API with the demo apps registered."""

    url: str
    env: dict
    sessions: dict = field(default_factory=dict)

    def session(self, email: str):
        if email not in self.sessions:
            self.sessions[email] = sign_in(self.url, email)
        return self.sessions[email]

    def token(self, email: str, app: str) -> str:
        """A real app token for ``email`` and ``app``."""
        return real_token(self.session(email), app, ORIGINS[app])

    def user_id(self, email: str) -> str:
        return self.session(email).get("/api/me").json()["user"]["id"]


@pytest.fixture(scope="session")
def family(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("family-identity")
    port = free_port()
    env = identity_env(tmp / "masthead.sqlite3", f"http://localhost:{port}")
    server = start_server("identity", [sys.executable, "-m", "identity_api", "serve", "--host", "127.0.0.1",
                                       "--port", str(port)], port=port, log_dir=tmp / "logs", env=env,
                          public_host="localhost")
    try:
        for app in APPS:
            register_app(run_cli, env, app, ORIGINS[app], SECRETS[app])
        for email, name in USERS.items():
            create_user(run_cli, env, email, name)
        family = Family(url=server.url, env=env)
        yield family
        for client in family.sessions.values():
            client.close()
    finally:
        server.stop()
