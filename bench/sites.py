"""The demo family for the bar-speed section, started as separate processes the way ``masthead demo`` does.

demo_sites/launcher.py prepares everything (databases, the five apps registered through the CLI, the demo
users) and names each process's command in its Procfile; the bench uses the same two steps, on free ports
and in its scratch directory, and starts each command itself so it can wait for each health URL.
"""

from __future__ import annotations

import time

from bench import identity
from bench.context import Context
from tests.servers import free_port, start_server

DEMO_USER = ("ada@example.com", "Ada Lovelace")


def start(ctx: Context, log=print) -> tuple[dict[str, str], list[tuple[str, str, list[dict]]]]:
    """Start the demo family; return ``(pending {name: reason}, [(site, url, cookies)])``."""
    try:
        from demo_sites import launcher
    except ImportError:
        return {"demo sites": "demo_sites/launcher.py is not there yet"}, []
    started = time.monotonic()
    demo_dir = ctx.workdir / "demo"
    settings = launcher.Settings(host="localhost", bind="127.0.0.1", identity_port=free_port(),
                                 ports={app.id: free_port() for app in launcher.APPS}, demo_dir=demo_dir,
                                 database=demo_dir / "masthead.sqlite3")
    envs = launcher.prepare(settings)
    commands = launcher.procfile()
    pending: dict[str, str] = {}
    ports = {"identity": settings.identity_port, **settings.ports}
    for name, command in commands.items():
        try:
            server = start_server(f"demo-{name}", ["bash", "-c", command], port=ports[name], log_dir=ctx.logs,
                                  env=envs[name], public_host="localhost", timeout=60)
        except Exception as exc:  # a broken demo app is a pending row, not the end of the bench
            if name == "identity":
                raise
            pending[name] = f"did not start: {str(exc).splitlines()[0][:100]}"
            continue
        ctx.stack.callback(server.stop)
    email, _ = DEMO_USER
    password = next(p for e, _, p in launcher.USERS if e == email)
    cookie = identity.SignIn(settings.identity_url)(email, password)
    cookies = [{"name": identity.COOKIE, "value": cookie, "url": settings.identity_url, "httpOnly": True,
                "sameSite": "Lax"}]
    log(f"  demo family up in {time.monotonic() - started:.1f} s")
    found = [(app.id, settings.app_url(app.id) + "/", cookies) for app in launcher.APPS if app.id not in pending]
    return pending, found
