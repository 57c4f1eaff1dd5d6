"""Section 2: does ``/api/me`` stay flat as the database grows? 1 thousand vs 100 thousand users and sessions.

Two identity APIs, seeded at the same moment (so their sessions come due for the idle-time "touch" write
together), loaded side by side. Each request carries one of 1,000 different session cookies spread over
the whole table (rotated round-robin), so the lookups are not one hot row.
"""

from __future__ import annotations

from bench import identity
from bench.context import APP_ORIGIN, Context
from bench.load import LoadSpec
from bench.report import Row, row
from bench.rounds import interleaved, load_rows, ratio_row, summary
from bench.stats import Spread, ratios

SECTION = "growth"
COOKIES = 1000


def run(ctx: Context, log=print) -> tuple[list[Row], dict]:
    """Seed, start, load both sizes interleaved; rows and JSON for the report."""
    plan = ctx.plan
    small, large = plan.growth_users
    servers = {}
    for size in (small, large):
        server, cookies = ctx.seeded_identity(f"growth-{size}", size, cookies=min(COOKIES, size))
        servers[size] = (server, cookies)
        log(f"  seeded and started {size:,} users and sessions")

    def spec(size: int):
        server, cookies = servers[size]
        headers = [{"Cookie": f"{identity.COOKIE}={c}", "Origin": APP_ORIGIN} for c in cookies]
        return lambda: LoadSpec(f"{server.local}/api/me", headers=headers, connections=plan.connections,
                                threads=plan.wrk_threads, duration=plan.duration)

    for size, (server, cookies) in servers.items():  # every rotated cookie must really be signed in
        for value in (cookies[0], cookies[-1]):
            body = identity.get_me(server, {"Cookie": f"{identity.COOKIE}={value}"})
            if not body.get("user"):
                raise RuntimeError(f"a seeded session of the {size:,}-user database is not signed in")

    names = {small: f"{small:,} users", large: f"{large:,} users"}
    results = interleaved({names[size]: spec(size) for size in (small, large)}, plan, log)
    rows: list[Row] = []
    for name, runs in results.items():
        rows += load_rows(SECTION, name, runs)
    line, throughput = ratio_row(SECTION, f"{names[large]} / {names[small]} (req/s)", results[names[large]],
                                 results[names[small]], 0.9)
    rows.append(line)
    p50 = Spread.of(ratios([r.p50_ms for r in results[names[large]]], [r.p50_ms for r in results[names[small]]]))

    rows.append(row(SECTION, f"{names[large]} / {names[small]} (p50 latency)", p50, "×", digits=2))
    data = {"sizes": {names[s]: summary(results[names[s]]) for s in (small, large)},
            "throughput_ratio": throughput, "p50_ratio": p50.as_dict(3) if p50 else None,
            "rotated_cookies": COOKIES}
    return rows, data
