"""Section 3: what a sign-in costs. Password hashes per second with the identity API's own parameters
(its ``passwords`` module, in this process, one thread), and sign-ins per second end to end over HTTP.

End to end, each sign-in is what a browser does: ``GET /sign-in`` (form + CSRF cookie), then ``POST``
email and password; concurrent clients, each signing in a different seeded user (all seeded users share one
real argon2 hash of the bench password, so every verification costs what a real one does). The sign-in
throttle is set out of reach through ``MASTHEAD_SIGNIN_LIMIT_*`` for the bench.
"""

from __future__ import annotations

import itertools
import re
import threading
import time

from bench import identity, seed
from bench.context import PASSWORD, Context
from bench.report import Row, row
from bench.stats import Spread, percentile

SECTION = "sign-in"


def argon2_parameters(password_hash: str) -> dict:
    """``{"variant", "m_kib", "t", "p"}`` read from an argon2 hash string."""
    match = re.match(r"\$(argon2\w+)\$v=\d+\$m=(\d+),t=(\d+),p=(\d+)\$", password_hash)
    if not match:
        return {"hash": password_hash.split("$")[1] if "$" in password_hash else "unknown"}
    return {"variant": match.group(1), "m_kib": int(match.group(2)), "t": int(match.group(3)),
            "p": int(match.group(4))}


def rate(operation, seconds: float) -> float:
    """How many times per second ``operation()`` runs, over about ``seconds``."""
    count = 0
    start = time.perf_counter()
    while True:
        operation()
        count += 1
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count / elapsed


def end_to_end(base: str, seconds: float, concurrency: int, users: itertools.count) -> dict:
    """``concurrency`` clients signing in distinct users for ``seconds``: sign-ins/s, POST latencies, failures."""
    lock = threading.Lock()
    latencies: list[float] = []
    failures = [0]
    deadline = time.perf_counter() + seconds

    def client():
        sign_in = identity.SignIn(base)
        while time.perf_counter() < deadline:
            with lock:
                number = next(users)
            try:
                fields, cookies = sign_in.prepare()
                start = time.perf_counter()
                ok = sign_in.post(seed.email(number), PASSWORD, fields, cookies)
                elapsed = time.perf_counter() - start
            except OSError:
                ok, elapsed = None, 0.0
            with lock:
                if ok:
                    latencies.append(elapsed)
                else:
                    failures[0] += 1

    start = time.perf_counter()
    threads = [threading.Thread(target=client, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    return {"signins_per_s": len(ordered) / elapsed, "ok": len(ordered), "failed": failures[0],
            "post_p50_ms": percentile(ordered, 0.5) * 1000 if ordered else None,
            "post_p99_ms": percentile(ordered, 0.99) * 1000 if ordered else None}


def run(ctx: Context, log=print) -> tuple[list[Row], dict]:
    """Hash rate and end-to-end sign-in rate over ``plan.rounds`` rounds."""
    from identity_api import passwords

    plan = ctx.plan
    params = argon2_parameters(ctx.password_hash)
    hashes, verifies, e2e = [], [], []
    users = itertools.count(1)  # seeded users 1..plan.users; each signs in once per bench at most
    base = ctx.main.url
    identity.SignIn(base)(seed.email(plan.users), PASSWORD)  # warm-up (and a check that seeded users work)
    for r in range(plan.rounds):
        hashes.append(rate(lambda: passwords.hash_password(PASSWORD), plan.hash_seconds))
        verifies.append(rate(lambda: passwords.verify(ctx.password_hash, PASSWORD), plan.hash_seconds))
        e2e.append(end_to_end(base, plan.signin_seconds, plan.signin_concurrency, users))
        log(f"  round {r + 1}/{plan.rounds}  hash {hashes[-1]:.1f}/s  verify {verifies[-1]:.1f}/s  "
            f"sign-ins {e2e[-1]['signins_per_s']:.1f}/s  (failed {e2e[-1]['failed']})")
    if next(users) > plan.users:
        raise RuntimeError("ran out of distinct seeded users: raise Plan.users or lower the sign-in time")
    described = ", ".join(f"{k}={v}" for k, v in params.items())
    failed = sum(x["failed"] for x in e2e)
    signins = Spread.of([x["signins_per_s"] for x in e2e])
    post_p50 = Spread.of([x["post_p50_ms"] for x in e2e])
    rows = [
        row(SECTION, f"argon2 hashes/s, one thread ({described})", Spread.of(hashes), "/s"),
        row(SECTION, "argon2 verifications/s, one thread", Spread.of(verifies), "/s"),
        row(SECTION, f"sign-ins/s end to end, {plan.signin_concurrency} clients"
                     + (f" ({failed} failed)" if failed else ""), signins, "/s"),
        row(SECTION, "sign-in POST p50 latency", post_p50, "ms"),
    ]
    data = {"argon2": params, "hashes_per_s": Spread.of(hashes).as_dict(2),
            "verifications_per_s": Spread.of(verifies).as_dict(2),
            "signins_per_s": signins.as_dict(2) if signins else None,
            "post_p50_ms": post_p50.as_dict(1) if post_p50 else None,
            "concurrency": plan.signin_concurrency, "rounds": e2e}
    return rows, data
