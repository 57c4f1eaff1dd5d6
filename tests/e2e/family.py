"""The whole family as real processes, in either deployment topology, for browser tests.

The identity API and the five demo apps are started from the Procfile's own commands with the launcher's
per-process environments (so the tests run what ``make demo`` runs), each on a free loopback port, each
with a fresh database under the test's temp dir.

Topologies (``../shared/browser-testing.md``):
- ``localhost``: every process on ``localhost:PORT``, as ``make demo`` runs them (same site, one host).
- ``subdomains``: ``id.family.test``, ``notes.family.test`` ... mapped to 127.0.0.1 by Chromium's
  ``--host-resolver-rules``: different origins of one site, as subdomains of a company domain would be.
"""

from __future__ import annotations

import subprocess
import sys
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from demo_sites.launcher import APPS, USERS, Settings, app_env, identity_env, procfile
from tests.conftest import TEST_SECRET_KEY, run_cli
from tests.servers import Server, free_port, start_server

TOPOLOGIES = ("localhost", "subdomains")
APP_IDS = tuple(app.id for app in APPS)


@dataclass
class FamilySettings(Settings):
    """The launcher's settings with one host name per process (the subdomain topology)."""

    hosts: dict[str, str] = field(default_factory=dict)

    @property
    def identity_url(self) -> str:
        return f"http://{self.hosts.get('identity', self.host)}:{self.identity_port}"

    def origin(self, app_id: str) -> str:
        return f"http://{self.hosts.get(app_id, self.host)}:{self.ports[app_id]}"


def secret_for(app_id: str) -> str:
    """A fixed per-app test secret (each app process receives only its own)."""
    return f"{app_id}-e2e-secret-0123456789abcdefghijklmnop"


@dataclass
class Family:
    """Six running processes and how to reach and operate them."""

    topology: str
    settings: FamilySettings
    tmp: Path
    stack: ExitStack
    identity: Server
    sites: dict[str, Server]
    identity_overrides: dict[str, str] = field(default_factory=dict)

    @property
    def id_url(self) -> str:
        return self.settings.identity_url

    def url(self, app_id: str, path: str = "/") -> str:
        return self.settings.app_url(app_id) + path

    def identity_env(self, **overrides: str) -> dict[str, str]:
        """Environment of the identity API and its CLI (``run_cli(family.identity_env(), ...)``)."""
        base = {"MASTHEAD_ENV": "development", "MASTHEAD_SECRET_KEYS": TEST_SECRET_KEY, **overrides}
        return {**identity_env(self.settings, base), "PYTHON": sys.executable, "BIND": "127.0.0.1",
                "PORT": str(self.settings.identity_port)}

    def cli(self, *args: str, input: str | None = None):
        """Run ``masthead ARGS`` against this family's identity database."""
        return run_cli(self.identity_env(**self.identity_overrides), *args, input=input)

    def start_identity(self, **overrides: str) -> Server:
        """(Re)start the identity API on its port with ``overrides`` in its environment."""
        env = self.identity_env(**overrides)
        host = self.settings.hosts.get("identity", self.settings.host)
        server = start_server("identity", ["sh", "-c", procfile()["identity"]], port=self.settings.identity_port,
                              log_dir=self.tmp / "logs", env=env, public_host=host)
        self.stack.callback(server.stop)
        self.identity, self.identity_overrides = server, overrides
        return server

    def restart_identity(self, **overrides: str) -> Server:
        """Stop the identity API and start it again (same port and database) with ``overrides``."""
        self.identity.stop()
        return self.start_identity(**overrides)


def start_family(tmp: Path, topology: str, stack: ExitStack) -> Family:
    """Start the identity API and the five apps; everything stops when ``stack`` closes."""
    if topology not in TOPOLOGIES:
        raise ValueError(f"unknown topology {topology!r}")
    hosts = {}
    if topology == "subdomains":
        hosts = {"identity": "id.family.test", **{app_id: f"{app_id}.family.test" for app_id in APP_IDS}}
    settings = FamilySettings(identity_port=free_port(), ports={a: free_port() for a in APP_IDS},
                              demo_dir=tmp, database=tmp / "masthead.sqlite3", hosts=hosts)
    family = Family(topology, settings, tmp, stack, identity=None, sites={})  # type: ignore[arg-type]
    family.start_identity()
    for app in APPS:
        args = ["apps", "add", app.id, "--name", app.name, "--origin", settings.app_url(app.id),
                "--url", settings.app_url(app.id) + "/", "--color", app.color, "--secret", secret_for(app.id),
                "--icon", f"{settings.identity_url}/static/icons/{app.id}.svg"]
        family.cli(*args, *(["--handover", app.handover] if app.handover else []))
    for email, name, password in USERS:
        family.cli("users", "create", email, "--name", name, input=password + "\n")
    commands = procfile()
    for app in APPS:
        env = {**app_env(settings, app, secret_for(app.id), {"PATH": "/usr/bin:/bin"}),
               "PYTHON": sys.executable, "BIND": "127.0.0.1", "PORT": str(settings.ports[app.id])}
        if app.id == "forum":
            subprocess.run([sys.executable, "-m", "demo_sites.forum.manage", "migrate", "--noinput"],
                           env=env, check=True, capture_output=True, timeout=120)
        server = start_server(app.id, ["sh", "-c", commands[app.id]], port=settings.ports[app.id],
                              log_dir=tmp / "logs", env=env, public_host=hosts.get(app.id, "localhost"))
        stack.callback(server.stop)
        family.sites[app.id] = server
    return family
