"""The identity API as the bench runs it: its own ``serve`` command, its CLI, and real HTTP sign-in.

Everything goes through the operator's and the browser's interfaces (``python -m identity_api ...``,
``GET/POST /sign-in``, ``POST /api/tokens``); only seeding writes rows directly (see bench/seed.py).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import subprocess
import sys
import urllib.parse
from contextlib import ExitStack
from dataclasses import dataclass
from http.cookies import SimpleCookie
from pathlib import Path

from bench.procs import ServerSettings
from tests.servers import REPO, Server, free_port, start_server

#: A fixed bench key (32+ characters); the bench's databases are throwaway.
SECRET_KEY = "bench-secret-key-0123456789abcdefghijklmnopqrstuvwxyz"
COOKIE = "masthead_session"
GENEROUS = "1000000 per minute"


def environment(db: Path, public_url: str, settings: ServerSettings, **extra: str) -> dict[str, str]:
    """Environment for an identity API process in production mode: its database, a bench key, the
    shared workers × threads, and the throttles set out of reach (the bench signs in hundreds of users)."""
    env = {
        "MASTHEAD_ENV": "production",
        "MASTHEAD_DATABASE": str(db),
        "MASTHEAD_SECRET_KEYS": SECRET_KEY,
        "MASTHEAD_PUBLIC_URL": public_url,
        "MASTHEAD_OUTBOX": str(db.parent / "outbox"),
        "MASTHEAD_WORKERS": str(settings.workers),
        "MASTHEAD_THREADS": str(settings.threads),
        "MASTHEAD_SIGNIN_LIMIT_ACCOUNT": GENEROUS,
        "MASTHEAD_SIGNIN_LIMIT_CLIENT": GENEROUS,
        "MASTHEAD_SIGNUP_LIMIT_CLIENT": GENEROUS,
        "MASTHEAD_TOKEN_LIMIT_CLIENT": GENEROUS,
    }
    env.update(extra)
    return env


def cli(env: dict[str, str], *args: str, input: str | None = None) -> str:
    """Run ``masthead ARGS`` (``python -m identity_api``) against ``env``'s database; return stdout."""
    result = subprocess.run([sys.executable, "-m", "identity_api", *args], input=input, text=True, check=False,
                            capture_output=True, env=dict(os.environ, **env), cwd=REPO, timeout=120)
    if result.returncode != 0:
        raise RuntimeError(f"masthead {' '.join(args)} failed ({result.returncode}):\n"
                           f"{result.stdout}\n{result.stderr}")
    return result.stdout


@dataclass
class Identity:
    """A running identity API and how to operate it."""

    server: Server
    env: dict[str, str]
    db: Path

    @property
    def url(self) -> str:
        """Its public URL (``http://localhost:PORT``)."""
        return self.env["MASTHEAD_PUBLIC_URL"]

    @property
    def local(self) -> str:
        """Where the bench's load generator reaches it."""
        return f"http://127.0.0.1:{self.server.port}"


def start(stack: ExitStack, name: str, db: Path, settings: ServerSettings, log_dir: Path,
          **extra_env: str) -> Identity:
    """Start ``python -m identity_api serve`` on a free port; it stops when ``stack`` closes."""
    port = free_port()
    env = environment(db, f"http://localhost:{port}", settings, **extra_env)
    server = start_server(name, [sys.executable, "-m", "identity_api", "serve", "--host", "127.0.0.1",
                                 "--port", str(port)], port=port, log_dir=log_dir, env=env,
                          public_host="localhost", timeout=60)
    stack.callback(server.stop)
    return Identity(server, env, db)


def _request(base: str, method: str, path: str, *, headers: dict | None = None,
             body: bytes | None = None) -> tuple[int, dict[str, list[str]], bytes]:
    parts = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection("127.0.0.1", parts.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={"Host": parts.netloc, **(headers or {})})
        response = conn.getresponse()
        data = response.read()
        collected: dict[str, list[str]] = {}
        for key, value in response.getheaders():
            collected.setdefault(key.lower(), []).append(value)
        return response.status, collected, data
    finally:
        conn.close()


def _cookies(headers: dict[str, list[str]]) -> dict[str, str]:
    jar = SimpleCookie()
    for value in headers.get("set-cookie", []):
        jar.load(value)
    return {k: m.value for k, m in jar.items()}


class SignIn:
    """A sign-in over HTTP like a browser's: ``GET /sign-in`` for the CSRF token, then ``POST`` the form."""

    def __init__(self, base: str):
        self.base = base

    def prepare(self) -> tuple[dict[str, str], dict[str, str]]:
        """The form's hidden fields and the cookies the form page set."""
        status, headers, body = _request(self.base, "GET", "/sign-in")
        if status != 200:
            raise RuntimeError(f"GET /sign-in answered {status}")
        html = body.decode("utf-8", "replace")
        fields = {}
        for match in re.finditer(r"<input[^>]*>", html):
            tag = match.group(0)
            if 'type="hidden"' not in tag:
                continue
            name = re.search(r'name="([^"]+)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name:
                fields[name.group(1)] = value.group(1) if value else ""
        return fields, _cookies(headers)

    def post(self, email: str, password: str, fields: dict[str, str], cookies: dict[str, str]) -> str | None:
        """POST the form; the new session cookie's value, or None when refused."""
        form = urllib.parse.urlencode({**fields, "email": email, "password": password}).encode()
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        status, headers, _ = _request(self.base, "POST", "/sign-in", body=form, headers={
            "Content-Type": "application/x-www-form-urlencoded", "Origin": self.base,
            **({"Cookie": cookie} if cookie else {})})
        if status not in (200, 302, 303):
            return None
        return _cookies(headers).get(COOKIE)

    def __call__(self, email: str, password: str) -> str:
        """Sign in and return the session cookie's value (raise when refused)."""
        fields, cookies = self.prepare()
        value = self.post(email, password, fields, cookies)
        if not value:
            raise RuntimeError(f"sign-in as {email} was refused")
        return value


def mint_token(identity: Identity, cookie: str, app_id: str, origin: str) -> str:
    """An app token from ``POST /api/tokens`` with the app's Origin, as the bar gets one."""
    status, _, body = _request(identity.url, "POST", "/api/tokens", body=json.dumps({"audience": app_id}).encode(),
                               headers={"Content-Type": "application/json", "Origin": origin,
                                        "Cookie": f"{COOKIE}={cookie}"})
    if status != 200:
        raise RuntimeError(f"POST /api/tokens answered {status}: {body[:200]!r}")
    return json.loads(body)["token"]


def get_me(identity: Identity, headers: dict[str, str]) -> dict:
    """``GET /api/me`` with ``headers``: the parsed body (the bench checks who it says is signed in)."""
    status, _, body = _request(identity.url, "GET", "/api/me", headers=headers)
    if status != 200:
        raise RuntimeError(f"GET /api/me answered {status}")
    return json.loads(body)
