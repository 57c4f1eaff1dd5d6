"""Section 1: ``/api/me`` under load, next to a minimal Flask route (the ceiling) and a Flask-Login peer.

Contenders, all under the same gunicorn settings (bench/procs.py; the identity API through its own
``serve``, which uses the same ones), all sent ``Origin`` of a registered app as a bar's fetch is:

- ``minimal Flask``: one ``jsonify`` route returning the identity API's own signed-in body, byte for byte;
- ``Flask-Login peer, signed in`` / ``anonymous``: bench/contenders/flask_login_peer.py over the same number
  of users, its cookie from its own ``POST /login``;
- ``masthead, cookie`` (a session cookie from a real HTTP sign-in), ``masthead, anonymous`` and
  ``masthead, Bearer`` (a token from ``POST /api/tokens``, minted afresh each round: they live 300 s).
"""

from __future__ import annotations

import http.client
import urllib.parse
from http.cookies import SimpleCookie

from bench import identity, seed
from bench.context import APP_ID, APP_ORIGIN, Context
from bench.load import LoadSpec
from bench.procs import start_gunicorn
from bench.report import Row
from bench.rounds import interleaved, load_rows, ratio_row, summary

SECTION = "/api/me"
PEER_SECRET = "peer-secret-key-for-the-bench-0123456789"


def start_peer(ctx: Context, users: int):
    """The Flask-Login peer over ``users`` seeded users, and a signed-in cookie header from its /login."""
    from werkzeug.security import generate_password_hash

    db = ctx.workdir / "peer" / "peer.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    seed.seed_peer(db, users, generate_password_hash("peer password 1"))
    server = start_gunicorn(ctx.stack, "peer", "bench.contenders.flask_login_peer:create_app()", ctx.settings,
                            ctx.logs, env={"BENCH_PEER_DATABASE": str(db), "BENCH_PEER_SECRET": PEER_SECRET})
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        form = urllib.parse.urlencode({"email": seed.email(1), "password": "peer password 1"})
        conn.request("POST", "/login", body=form, headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        response.read()
        jar = SimpleCookie()
        for key, value in response.getheaders():
            if key.lower() == "set-cookie":
                jar.load(value)
    finally:
        conn.close()
    if response.status != 200 or "session" not in jar:
        raise RuntimeError(f"peer /login answered {response.status} without a session cookie")
    return server, f"session={jar['session'].value}"


def run(ctx: Context, log=print) -> tuple[list[Row], dict]:
    """Measure every contender, interleaved; rows and JSON for the report."""
    plan = ctx.plan
    masthead = ctx.main
    cookie = f"{identity.COOKIE}={ctx.cookie}"
    minimal = start_gunicorn(ctx.stack, "minimal", "bench.contenders.minimal_flask:create_app()", ctx.settings,
                             ctx.logs, env={"BENCH_BODY_FILE": str(ctx.me_body)})
    peer, peer_cookie = start_peer(ctx, plan.users + 1)
    origin = {"Origin": APP_ORIGIN}

    def bearer() -> dict[str, str]:
        token = identity.mint_token(masthead, ctx.cookie, APP_ID, APP_ORIGIN)
        me = identity.get_me(masthead, {"Authorization": f"Bearer {token}", **origin})
        if not me.get("user"):
            raise RuntimeError("/api/me did not accept the Bearer token")
        return {"Authorization": f"Bearer {token}", **origin}

    def spec(base: str, headers: dict[str, str]):
        return lambda: LoadSpec(f"{base}/api/me", headers=[headers], connections=plan.connections,
                                threads=plan.wrk_threads, duration=plan.duration)

    contenders = {
        "minimal Flask": spec(minimal.url, origin),
        "peer, signed in": spec(peer.url, {"Cookie": peer_cookie, **origin}),
        "peer, anonymous": spec(peer.url, origin),
        "masthead, cookie": spec(masthead.local, {"Cookie": cookie, **origin}),
        "masthead, anonymous": spec(masthead.local, origin),
        "masthead, Bearer": lambda: LoadSpec(f"{masthead.local}/api/me", headers=[bearer()],
                                             connections=plan.connections, threads=plan.wrk_threads,
                                             duration=plan.duration),
    }
    results = interleaved(contenders, plan, log)
    rows: list[Row] = []
    for name, runs in results.items():
        rows += load_rows(SECTION, name, runs)
    ratios = {}
    for label, a, b, target in (
        ("masthead cookie / minimal", "masthead, cookie", "minimal Flask", 0.8),
        ("masthead anonymous / minimal", "masthead, anonymous", "minimal Flask", 0.8),
        ("masthead Bearer / minimal", "masthead, Bearer", "minimal Flask", 0.8),
        ("masthead cookie / peer signed in", "masthead, cookie", "peer, signed in", 1.0),
        ("masthead anonymous / peer anonymous", "masthead, anonymous", "peer, anonymous", 1.0),
        ("masthead Bearer / peer signed in", "masthead, Bearer", "peer, signed in", 1.0),
    ):
        line, data = ratio_row(SECTION, f"{label} (req/s)", results[a], results[b], target)
        rows.append(line)
        ratios[label] = data
    body_size = ctx.me_body.stat().st_size
    data = {"contenders": {name: summary(runs) for name, runs in results.items()}, "ratios": ratios,
            "body_bytes": body_size, "users": plan.users + 1,
            "notes": "ratios are per round (side by side), then median/min/max over rounds"}
    return rows, data
