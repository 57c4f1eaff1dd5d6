"""``masthead demo``: set up and run the whole family — the identity API and five independent apps.

1. Initialise the databases (the identity API's at ``MASTHEAD_DATABASE``, the apps' under
   ``MASTHEAD_DEMO_DIR``; the forum's Django migrations).
2. Register the five apps through the ``masthead apps add`` CLI, with secrets kept in
   ``MASTHEAD_DEMO_DIR/demo-secrets.json`` (mode 0600) so re-running keeps data and secrets.
3. Create two demo users and print their credentials.
4. Run the Procfile's six processes with honcho, each with only its own settings; print the URLs once all
   are healthy; Ctrl-C stops everything.

Every default can be overridden from the environment (see ``Settings.from_env`` and README.md, "The demo family").
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROCFILE = HERE / "Procfile"
#: MASTHEAD_DISPATCH=1: Notes, Forum and Wiki in one process under paths (demo_sites/dispatch.py).
DISPATCH_PROCFILE = HERE / "Procfile.dispatch"
MOUNTED = ("notes", "forum", "wiki")


@dataclass(frozen=True)
class DemoApp:
    id: str
    name: str
    port: int
    color: str
    handover: str | None
    database: str | None  # the app's own database variable, if it has one


APPS = (
    DemoApp("notes", "Notes", 8001, "#b45309", "/.masthead/session", "NOTES_DATABASE"),
    DemoApp("forum", "Forum", 8002, "#047857", "/.masthead/session", "FORUM_DATABASE"),
    DemoApp("wiki", "Wiki", 8003, "#1d4ed8", "/.masthead/session", "WIKI_DATABASE"),
    # Tasks authenticates every API call with a Bearer token: no app session, no hand-over.
    DemoApp("tasks", "Tasks", 8004, "#6d28d9", None, "TASKS_DATABASE"),
    # Docs is static: the bar alone.
    DemoApp("docs", "Docs", 8005, "#be123c", None, None),
)
USERS = (
    ("ada@example.com", "Ada Lovelace", "analytical-engine-1843"),
    ("grace@example.com", "Grace Hopper", "compiler-cobol-1959"),
)
#: Variables an app process must not inherit (the identity API's keys and database, other apps' secrets).
PRIVATE = ("MASTHEAD_SECRET_KEYS", "MASTHEAD_DATABASE", "MASTHEAD_APP_SECRET", "MASTHEAD_OUTBOX")


@dataclass
class Settings:
    """Where everything runs; from ``MASTHEAD_*`` variables with localhost defaults."""

    host: str = "localhost"
    bind: str = "127.0.0.1"
    identity_port: int = 8000
    ports: dict[str, int] = field(default_factory=lambda: {a.id: a.port for a in APPS})
    demo_dir: Path = Path("instance")
    database: Path = Path("instance") / "masthead.sqlite3"
    dispatch: bool = False
    dispatch_port: int = 8010

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        demo_dir = Path(env.get("MASTHEAD_DEMO_DIR") or Path.cwd() / "instance")
        return cls(host=env.get("MASTHEAD_HOST", "localhost"), bind=env.get("MASTHEAD_BIND", "127.0.0.1"),
                   identity_port=int(env.get("MASTHEAD_PORT", "8000")),
                   ports={a.id: int(env.get(f"MASTHEAD_PORT_{a.id.upper()}", a.port)) for a in APPS},
                   demo_dir=demo_dir,
                   database=Path(env.get("MASTHEAD_DATABASE") or demo_dir / "masthead.sqlite3"),
                   dispatch=env.get("MASTHEAD_DISPATCH", "").lower() in ("1", "true", "yes"),
                   dispatch_port=int(env.get("MASTHEAD_PORT_DISPATCH", "8010")))

    @property
    def identity_url(self) -> str:
        return f"http://{self.host}:{self.identity_port}"

    def mounted(self, app_id: str) -> bool:
        """Is the app one of those served by demo_sites/dispatch.py in this mode?"""
        return self.dispatch and app_id in MOUNTED

    def origin(self, app_id: str) -> str:
        port = self.dispatch_port if self.mounted(app_id) else self.ports[app_id]
        return f"http://{self.host}:{port}"

    def app_url(self, app_id: str) -> str:
        """The app's base URL, without a trailing slash."""
        return self.origin(app_id) + (f"/{app_id}" if self.mounted(app_id) else "")

    def handover(self, app: DemoApp) -> str | None:
        return f"/{app.id}{app.handover}" if app.handover and self.mounted(app.id) else app.handover


def identity_env(settings: Settings, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of the identity API and its CLI."""
    env = dict(os.environ if base is None else base)
    env.setdefault("MASTHEAD_ENV", "development")
    env.update(MASTHEAD_DATABASE=str(settings.database), MASTHEAD_PUBLIC_URL=settings.identity_url)
    env.setdefault("MASTHEAD_OUTBOX", str(settings.demo_dir / "outbox"))
    env.pop("MASTHEAD_APP_SECRET", None)
    return env


def app_env(settings: Settings, app: DemoApp, secret: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment of one app process: its own id, secret, URLs and database, nothing of the others."""
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if k not in PRIVATE and not k.startswith("MASTHEAD_SECRET_")}
    env.update(MASTHEAD_APP_ID=app.id, MASTHEAD_APP_SECRET=secret, MASTHEAD_IDENTITY_URL=settings.identity_url,
               MASTHEAD_APP_URL=settings.origin(app.id),
               # All apps share one host name and cookies ignore ports: give each app session its own name.
               MASTHEAD_APP_COOKIE=f"masthead_app_session_{app.id}")
    if app.database:
        env[app.database] = str(settings.demo_dir / f"{app.id}.sqlite3")
    return env


def cli(env: dict[str, str], *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """Run ``masthead ARGS`` (the identity API's CLI) as a subprocess."""
    return subprocess.run([sys.executable, "-m", "identity_api", *args], env=env, input=stdin, text=True,
                          capture_output=True, timeout=120)


def _check(result: subprocess.CompletedProcess, what: str) -> None:
    if result.returncode != 0:
        raise SystemExit(f"masthead demo: {what} failed:\n{result.stdout}{result.stderr}")


def load_secrets(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str) and len(v) >= 32} if isinstance(data, dict) else {}


def save_secrets(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)


def ensure_apps(settings: Settings, env: dict[str, str]) -> dict[str, str]:
    """Register the five apps (idempotent); the secret of each."""
    secrets_path = settings.demo_dir / "demo-secrets.json"
    known = load_secrets(secrets_path)
    listed = cli(env, "apps", "list")
    _check(listed, "masthead apps list")
    registered = {}
    for line in listed.stdout.splitlines():
        parts = line.split("\t")
        if len(parts) >= 4:
            registered[parts[0]] = (parts[2].split(), parts[3])
    for app in APPS:
        origin, home = settings.origin(app.id), settings.app_url(app.id) + "/"
        if app.id in registered and app.id in known and registered[app.id] == ([origin], home):
            continue  # already registered with the secret we hold, the right origin and URL
        if app.id in registered:
            _check(cli(env, "apps", "remove", app.id), f"masthead apps remove {app.id}")
        secret = known.get(app.id) or secrets.token_urlsafe(32)
        args = ["apps", "add", app.id, "--name", app.name, "--origin", origin, "--url", home,
                "--icon", f"{settings.identity_url}/static/icons/{app.id}.svg", "--color", app.color,
                "--secret", secret]
        if settings.handover(app):
            args += ["--handover", settings.handover(app)]
        _check(cli(env, *args), f"masthead apps add {app.id}")
        known[app.id] = secret
        save_secrets(secrets_path, known)
    return {app.id: known[app.id] for app in APPS}


def ensure_users(env: dict[str, str]) -> None:
    """Create the demo users that do not exist yet."""
    listed = cli(env, "users", "list")
    _check(listed, "masthead users list")
    existing = {line.split("\t")[1] for line in listed.stdout.splitlines() if "\t" in line}
    for email, name, password in USERS:
        if email not in existing:
            _check(cli(env, "users", "create", email, "--name", name, stdin=password + "\n"),
                   f"masthead users create {email}")


def migrate_forum(settings: Settings, secret: str) -> None:
    """Apply the forum's Django migrations to its database."""
    env = app_env(settings, APPS[1], secret)
    env["DJANGO_SETTINGS_MODULE"] = "demo_sites.forum.forum_site.settings"
    result = subprocess.run([sys.executable, "-m", "demo_sites.forum.manage", "migrate", "--noinput"],
                            env=env, capture_output=True, text=True, timeout=120)
    _check(result, "forum migrations")


def procfile(dispatch: bool = False) -> dict[str, str]:
    """The Procfile's commands by process name."""
    from honcho.environ import parse_procfile

    return dict(parse_procfile((DISPATCH_PROCFILE if dispatch else PROCFILE).read_text()).processes)


def _banner(settings: Settings) -> str:
    lines = ["", "Masthead demo family is up:", f"  identity  {settings.identity_url}/"]
    lines += [f"  {a.id:<9} {settings.app_url(a.id)}/" for a in APPS]
    lines += ["", "Sign in as:"] + [f"  {email}  password: {password}" for email, _, password in USERS]
    lines += ["", "Press Ctrl-C to stop everything.", ""]
    return "\n".join(lines)


def _announce_when_healthy(settings: Settings, stop: threading.Event) -> None:
    ports = {settings.identity_port, *(int(settings.origin(a.id).rsplit(":", 1)[1]) for a in APPS)}
    deadline = time.monotonic() + 90
    pending = sorted(ports)
    while pending and not stop.is_set() and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{settings.bind}:{pending[0]}/healthz", timeout=2):
                pending.pop(0)
                continue
        except OSError:
            stop.wait(0.2)
    if not stop.is_set():
        print(_banner(settings) if not pending else f"masthead demo: ports not healthy yet: {pending}",
              flush=True)


def busy_ports(settings: Settings) -> list[int]:
    """The ports the family needs that something else already listens on."""
    import socket

    ports = {settings.identity_port, *(int(settings.origin(a.id).rsplit(":", 1)[1]) for a in APPS)}
    busy = []
    for port in sorted(ports):
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind((settings.bind, port))
            except OSError:
                busy.append(port)
    return busy


def prepare(settings: Settings) -> dict[str, dict[str, str]]:
    """Steps 1–3; the environment of each of the six processes."""
    settings.demo_dir.mkdir(parents=True, exist_ok=True)
    settings.database.parent.mkdir(parents=True, exist_ok=True)
    ident = identity_env(settings)
    app_secrets = ensure_apps(settings, ident)
    ensure_users(ident)
    migrate_forum(settings, app_secrets["forum"])
    common = {"PYTHON": sys.executable, "BIND": settings.bind, "PYTHONUNBUFFERED": "1"}
    envs = {"identity": {**ident, **common, "PORT": str(settings.identity_port)}}
    for app in APPS:
        envs[app.id] = {**app_env(settings, app, app_secrets[app.id]), **common,
                        "PORT": str(settings.ports[app.id])}
    if settings.dispatch:
        # One process for three apps: it necessarily holds all three secrets (see dispatch.py).
        mounted = [a for a in APPS if a.id in MOUNTED]
        env = {k: v for k, v in envs["notes"].items() if not k.startswith("MASTHEAD_APP_")}
        env.update({f"{a.id.upper()}_APP_SECRET": app_secrets[a.id] for a in mounted})
        env.update({a.database: envs[a.id][a.database] for a in mounted if a.database})
        env.update(MASTHEAD_APP_URL=settings.origin("notes"), PORT=str(settings.dispatch_port),
                   DJANGO_SETTINGS_MODULE="demo_sites.forum.forum_site.settings")
        envs["dispatch"] = env
    return envs


def main() -> None:
    """Entry point of ``masthead demo`` / ``make demo``."""
    from honcho.manager import Manager

    settings = Settings.from_env()
    busy = busy_ports(settings)
    if busy:
        raise SystemExit(f"masthead demo: port(s) {', '.join(map(str, busy))} already in use on {settings.bind}; "
                         "stop what uses them or choose others (MASTHEAD_PORT, MASTHEAD_PORT_NOTES, ...)")
    print(f"masthead demo: preparing databases in {settings.demo_dir} ...", flush=True)
    envs = prepare(settings)
    print("masthead demo: starting six processes with honcho (the URLs follow once all are healthy) ...",
          flush=True)
    manager = Manager()
    commands = procfile(settings.dispatch)
    for name, command in commands.items():
        manager.add_process(name, command, env=envs[name], cwd=str(HERE.parent))
    stop = threading.Event()
    threading.Thread(target=_announce_when_healthy, args=(settings, stop), daemon=True).start()
    try:
        manager.loop()
    finally:
        stop.set()
    sys.exit(manager.returncode)


if __name__ == "__main__":
    main()
