"""The ``masthead`` command: run the server, manage users and apps, generate keys.

Every command validates the configuration first. Expected failures (bad config, bad input, unknown user)
print one line on stderr and exit 2; no traceback reaches the operator.
"""

from __future__ import annotations

import logging
import secrets
import sys
import time

import click

from . import passwords, registry
from .bar_assets import embed_command
from .config import Config
from .errors import DuplicateEmail, MastheadError, NotFound
from .store import SQLiteStore
from .users import normalise_email, normalise_name, validate_avatar


def _config() -> Config:
    return Config.from_env()


def _store(config: Config) -> SQLiteStore:
    return SQLiteStore(config.database)


@click.group()
def cli() -> None:
    """Masthead identity API."""


# -- serve ---------------------------------------------------------------------------------------------
@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to bind.")
def serve(host: str, port: int) -> None:
    """Run the identity API under gunicorn (workers/threads from MASTHEAD_WORKERS/MASTHEAD_THREADS)."""
    from gunicorn.app.base import BaseApplication

    from .app import create_app

    config = _config()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    application = create_app(config)  # fails fast (exit 2) on a bad config before any worker starts

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", config.workers)
            self.cfg.set("threads", config.threads)
            self.cfg.set("worker_class", "gthread")
            self.cfg.set("graceful_timeout", 10)
            self.cfg.set("keepalive", 5)
            # One server per test or demo process: no shared ~/.gunicorn control socket to collide on.
            self.cfg.set("control_socket_disable", True)
            # No access log: URLs such as /confirm/<token> must not end up in log files.
            self.cfg.set("accesslog", None)

        def load(self):
            return application

    click.echo(f"Masthead identity API on {config.public_url} (bound to {host}:{port}, "
               f"{config.env}, database {config.database})", err=True)
    Server().run()


# -- users ---------------------------------------------------------------------------------------------
@cli.group()
def users() -> None:
    """Manage user accounts."""


def _read_password(email: str) -> str:
    """Prompt twice (hidden) on a terminal; otherwise read one line from stdin."""
    if sys.stdin.isatty():
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    passwords.check_policy(password, email=email)
    return password


@users.command("create")
@click.argument("email")
@click.option("--name", required=True, help="Display name.")
@click.option("--avatar", default=None, help="https:// avatar image URL.")
def users_create(email: str, name: str, avatar: str | None) -> None:
    """Create a confirmed account (password from a prompt, or stdin when it is not a terminal)."""
    config = _config()
    email = normalise_email(email)
    name = normalise_name(name)
    avatar = validate_avatar(avatar, config.origin)
    store = _store(config)
    if store.get_user_by_email(email):
        raise DuplicateEmail(f"an account with email {email} already exists")
    password = _read_password(email)
    user = store.create_user(email=email, name=name, password_hash=passwords.hash_password(password),
                             now=time.time(), confirmed=True, avatar_url=avatar)
    click.echo(f"created user {user.id} <{user.email}>")


@users.command("list")
def users_list() -> None:
    """List accounts."""
    store = _store(_config())
    for user in store.list_users():
        state = "disabled" if user.disabled_at else "active" if user.confirmed_at else "unconfirmed"
        click.echo(f"{user.id}\t{user.email}\t{user.name}\t{state}")


@users.command("disable")
@click.argument("email")
def users_disable(email: str) -> None:
    """Disable an account and end all its sessions (its app tokens stop introspecting as active)."""
    store = _store(_config())
    user = store.get_user_by_email(normalise_email(email))
    if user is None:
        raise NotFound(f"no account with email {email}")
    store.disable_user(user.id, time.time())
    click.echo(f"disabled {user.email}; all sessions ended")


# -- apps ----------------------------------------------------------------------------------------------
@cli.group()
def apps() -> None:
    """Manage the registered apps (takes effect in running servers within MASTHEAD_REGISTRY_TTL)."""


@apps.command("add")
@click.argument("app_id")
@click.option("--name", required=True, help="Name shown in the bar.")
@click.option("--origin", "origins", multiple=True, required=True,
              help="Exact origin scheme://host[:port]; repeat for several.")
@click.option("--url", required=True, help="Home page URL.")
@click.option("--icon", default=None, help="Icon URL (http/https).")
@click.option("--color", default=None, help="Accent colour #RRGGBB.")
@click.option("--secret", default=None, help="App secret (32+ characters); generated when omitted.")
@click.option("--handover", default=None, help="Hand-over path on the app, e.g. /.masthead/session.")
def apps_add(app_id, name, origins, url, icon, color, secret, handover) -> None:
    """Register an app; prints the secret when it was generated."""
    store = _store(_config())
    app = registry.build_app(app_id, name=name, origins=list(origins), url=url, icon=icon, color=color,
                             secret=secret, handover=handover)
    store.add_app(app)
    click.echo(f"registered {app.id} ({', '.join(app.origins)})")
    if secret is None:
        click.echo(f"secret: {app.secret}")
        click.echo("Give this secret to the app's backend only (MASTHEAD_APP_SECRET); it is not shown again.",
                   err=True)


@apps.command("list")
def apps_list() -> None:
    """List registered apps."""
    for app in _store(_config()).list_apps():
        click.echo(f"{app.id}\t{app.name}\t{' '.join(app.origins)}\t{app.url}")


@apps.command("remove")
@click.argument("app_id")
def apps_remove(app_id: str) -> None:
    """Unregister an app: its origins lose CORS access and its tokens stop verifying."""
    if not _store(_config()).remove_app(app_id):
        raise NotFound(f"no app with id {app_id!r}")
    click.echo(f"removed {app_id}")


# -- keys and demo -----------------------------------------------------------------------------------------
@cli.group()
def keys() -> None:
    """Secret key helpers."""


@keys.command("generate")
def keys_generate() -> None:
    """Print a new random secret key (append it LAST to MASTHEAD_SECRET_KEYS to rotate)."""
    click.echo(secrets.token_urlsafe(48))


@cli.command()
def demo() -> None:
    """Run the demo family (identity API, demo apps, the bar)."""
    try:
        from demo_sites import launcher
    except ImportError as exc:
        if exc.name not in ("demo_sites", "demo_sites.launcher"):
            raise
        raise MastheadError("the demo launcher (demo_sites/launcher.py) is not installed yet; run "
                            "`masthead serve` with MASTHEAD_ENV=development instead") from None
    launcher.main()


cli.add_command(embed_command)  # the bar's `masthead embed APP_ID`, defined beside the bar's assets


def main(argv: list[str] | None = None) -> None:
    """Console-script entry point."""
    try:
        code = cli.main(args=argv, prog_name="masthead", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(1)
    except click.ClickException as exc:
        exc.show()
        sys.exit(2)
    except MastheadError as exc:
        click.echo(f"masthead: error: {exc.message}", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)
