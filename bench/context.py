"""What the sections share: settings, a scratch directory, and servers started once on first use."""

from __future__ import annotations

import json
import time
from contextlib import ExitStack
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from bench import hostpage, identity, seed
from bench.identity import Identity
from bench.procs import ServerSettings

#: The signed-in user every browser and /api/me measurement uses (created with the operator's CLI).
USER_EMAIL = "ada@bench.test"
USER_NAME = "Ada Lovelace"
PASSWORD = "correct horse battery staple 42"
#: The Origin sent with every /api/me request, as a browser's bar would (a registered app origin).
APP_ID = "benchapp"
APP_ORIGIN = "http://localhost:8999"


@dataclass(frozen=True)
class Plan:
    """How much to measure: rounds, seconds per load run, users, browser loads.

    Five short rounds rather than three long ones: on a shared 2-core VM the noise comes in bursts of a
    few seconds, so more, shorter, interleaved samples give steadier medians for the same time.
    """

    rounds: int = 5
    duration: float = 3.0
    warmup: float = 1.0
    connections: int = 16
    wrk_threads: int = 1
    users: int = 1000
    growth_users: tuple[int, int] = (1000, 100_000)
    signin_seconds: float = 4.0
    signin_concurrency: int = 4
    hash_seconds: float = 2.0
    browser_loads: int = 20

    @classmethod
    def quick(cls) -> Plan:
        """A smoke run: one round of everything, short and small."""
        return cls(rounds=1, duration=2.0, warmup=0.5, growth_users=(1000, 10_000), signin_seconds=1.5,
                   hash_seconds=0.5, browser_loads=3)

    def as_dict(self) -> dict:
        """For the JSON file."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in self.__dict__.items()}


@dataclass
class Context:
    """Shared state of one bench run; servers stop when ``stack`` closes."""

    stack: ExitStack
    workdir: Path
    plan: Plan
    settings: ServerSettings = field(default_factory=ServerSettings)
    started: float = field(default_factory=time.monotonic)

    @property
    def logs(self) -> Path:
        """Where every server logs."""
        return self.workdir / "logs"

    @cached_property
    def password_hash(self) -> str:
        """One real hash of PASSWORD with the identity API's own parameters (shared by seeded users)."""
        from identity_api.passwords import hash_password

        return hash_password(PASSWORD)

    def seeded_identity(self, name: str, users: int, cookies: int = 0) -> tuple[Identity, list[str]]:
        """An identity API over ``users`` seeded users and sessions, plus Ada and the bench app (via CLI)."""
        db = self.workdir / name / "masthead.sqlite3"
        db.parent.mkdir(parents=True, exist_ok=True)
        signed = seed.seed_identity(db, users, self.password_hash, [identity.SECRET_KEY], cookies=cookies)
        env = identity.environment(db, "http://localhost:1", self.settings)
        identity.cli(env, "users", "create", USER_EMAIL, "--name", USER_NAME, input=PASSWORD + "\n")
        for app_id, origin in self.apps():
            identity.cli(env, *identity_app_args(app_id, origin))
        return identity.start(self.stack, name, db, self.settings, self.logs), signed

    def apps(self) -> list[tuple[str, str]]:
        """The apps every bench identity API registers: the load generator's and the host page's."""
        return [(APP_ID, APP_ORIGIN), (hostpage.APP_ID, f"http://localhost:{self.host_port}")]

    @cached_property
    def host_port(self) -> int:
        """The host page's port, fixed before apps are registered."""
        return hostpage.port()

    @cached_property
    def main(self) -> Identity:
        """The identity API of the /api/me and sign-in sections (``plan.users`` seeded users)."""
        server, _ = self.seeded_identity("identity", self.plan.users)
        return server

    @cached_property
    def cookie(self) -> str:
        """Ada's session cookie value, from a real sign-in over HTTP."""
        return identity.SignIn(self.main.url)(USER_EMAIL, PASSWORD)

    @cached_property
    def me_body(self) -> Path:
        """Ada's real ``/api/me`` body, written for the minimal contender to return byte for byte."""
        body = identity.get_me(self.main, {"Cookie": f"{identity.COOKIE}={self.cookie}", "Origin": APP_ORIGIN})
        if not body.get("user") or body["user"].get("name") != USER_NAME:
            raise RuntimeError(f"/api/me did not show {USER_NAME} after sign-in: {body!r}")
        path = self.workdir / "me_body.json"
        path.write_text(json.dumps(body, separators=(",", ":")), encoding="utf-8")
        return path

    @cached_property
    def host(self):
        """The plain host page, embedding the bar from :attr:`main`."""
        return hostpage.start(self.stack, self.workdir / "hostpage", self.host_port, self.main.url, self.logs)

    def browser_cookies(self, ident: Identity | None = None) -> list[dict]:
        """Ada's identity session cookie as Playwright's ``add_cookies`` takes it."""
        ident = ident or self.main
        return [{"name": identity.COOKIE, "value": self.cookie, "url": ident.url, "httpOnly": True,
                 "sameSite": "Lax"}]


def identity_app_args(app_id: str, origin: str) -> list[str]:
    """``masthead apps add`` arguments for an app with no backend (no hand-over)."""
    return ["apps", "add", app_id, "--name", app_id.title(), "--origin", origin, "--url", origin + "/"]
