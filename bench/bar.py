"""Sections 4 and 5: the bar's weight and its speed in headless Chromium (see bench/browser.py for the
definitions of "painted", frames and CLS)."""

from __future__ import annotations

import time
from contextlib import contextmanager

from bench import bar_weight, sites
from bench.browser import control_cls, measure_site
from bench.context import USER_NAME, Context
from bench.report import Row, row
from bench.sites import DEMO_USER
from bench.stats import Spread


@contextmanager
def chromium():
    """Headless Chromium as the e2e suite launches it."""
    from playwright.sync_api import sync_playwright

    from tests.browser import LAUNCH_ARGS, find_chromium

    path = find_chromium()
    if path is None:
        raise RuntimeError("no Chromium found: run `make browser` or set MASTHEAD_CHROMIUM")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=path, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def _fixed(section: str, measurement: str, value: str, target: str = "", passed: bool | None = None) -> Row:
    return Row(section, measurement, value, "", "1", target, "" if passed is None else "PASS" if passed else "MISS")


def weight(ctx: Context, log=print) -> tuple[list[Row], dict]:
    """What the plain host page downloads for the bar, and its requests on first and repeat visits."""
    host = ctx.host
    with chromium() as browser:
        data = bar_weight.measure(browser, host.url + "/", cookies=ctx.browser_cookies(), user_name=USER_NAME)
    section = "bar weight"
    total = data["total"]
    paths = ", ".join(data["assets"]) or "none"
    rows = [_fixed(section, f"bytes downloaded for the bar ({paths})",
                   f"{total['raw']:,} raw / {total['gzip']:,} gzip / {total['brotli']:,} br")]
    first, repeat = data["visits"]["first"], data["visits"]["repeat"]
    log(f"  first visit: {first['requests']}")
    log(f"  repeat visit: {repeat['requests']}")
    first_ok = first["network_requests"] == 2 and sum(r["path"].startswith("/api/me") for r in first["requests"]) == 1
    scripts = [r for r in repeat["requests"] if not r["path"].startswith("/api/")]
    script_how = ", ".join(f"{r['path']} {r['cache'] if r['cache'] != 'network' else 'downloaded again'}"
                           for r in scripts) or "no request at all"
    repeat_ok = repeat["network_requests"] == 1
    data["repeat_script"] = script_how
    me = [r for r in first["requests"] if r["path"].startswith("/api/me")]
    if me and me[0].get("transfer") is not None:
        rows.append(_fixed(section, "/api/me response, bytes over the wire (headers included)", f"{me[0]['transfer']:,}"))
    rows += [
        _fixed(section, "requests on a first visit (script + /api/me)", str(first["network_requests"]), "2",
               first_ok),
        _fixed(section, f"requests on a repeat visit (script: {script_how})", str(repeat["network_requests"]),
               "1 (/api/me)", repeat_ok),
    ]
    return rows, data


def speed(ctx: Context, log=print) -> tuple[list[Row], dict]:
    """DOMContentLoaded → name painted, frames, CLS: the plain host page and every demo site."""
    plan = ctx.plan
    targets = [("plain host page", ctx.host.url + "/", ctx.browser_cookies(), USER_NAME)]
    pending, found = sites.start(ctx, log)
    targets += [(name, url, cookies, DEMO_USER[1]) for name, url, cookies in found]
    section = "bar speed"
    rows: list[Row] = []
    data: dict = {"sites": {}, "pending": pending, "loads": plan.browser_loads}
    # Keep the whole bench inside its budget even if a site is slow.
    deadline = time.monotonic() + 240
    with chromium() as browser:
        for name, url, cookies, user_name in targets:
            result = measure_site(browser, name, url, cookies=cookies, user_name=user_name,
                                  loads=plan.browser_loads, deadline=deadline)
            summary = result.summary()
            data["sites"][name] = summary
            log(f"  {name}: {len(result.first)} loads" + (f" ({result.error})" if result.error else ""))
            control = None
            if any(x.cls for x in result.first + result.repeat):  # is the shift the bar's or the page's own?
                control = control_cls(browser, url, cookies=cookies, user_name=user_name)
                summary["cls_without_bar"] = control
            rows += site_rows(section, name, result, control)
    for name, reason in pending.items():
        rows.append(Row(section, f"{name}: pending ({reason})", "–"))
    return rows, data


def site_rows(section: str, name: str, result, control: list[float] | None = None) -> list[Row]:
    """Rows for one site: first/repeat DCL→painted, repeat first-frame count, CLS."""
    if not result.first:
        return [Row(section, f"{name}: failed ({result.error})", "–")]
    rows = []
    for label, loads in (("first", result.first), ("repeat", result.repeat)):
        if not loads:
            continue
        rows.append(row(section, f"{name}, {label} visit: DCL → name painted",
                        Spread.of([x.painted_ms for x in loads]), "ms"))
    if result.repeat:
        in_first = sum(1 for x in result.repeat if x.frames_after_bar == 0)
        n = len(result.repeat)
        rows.append(Row(section, f"{name}, repeat visit: name in the bar's first frame", f"{in_first}/{n}", "",
                        str(n), "all", "PASS" if in_first == n else "MISS"))
    cls = [x.cls for x in result.first + result.repeat if x.cls is not None]
    if cls:
        worst = max(cls)
        moved = sorted({m.rsplit(" ", 1)[0] for x in result.first + result.repeat for m in x.moved})
        what = f"; moved: {', '.join(moved[:3])}" if moved else ""
        if control is None:
            rows.append(Row(section, f"{name}: cumulative layout shift (worst of {len(cls)} loads)", f"{worst:.4f}",
                            "", str(len(cls)), "0", "PASS" if worst == 0 else "MISS"))
        else:
            # The page shifts by itself: the bar's share is what the bar adds over the page without it.
            own = max(control) if control else 0.0
            share = max(0.0, worst - own)
            rows.append(Row(section, f"{name}: page CLS, worst of {len(cls)} loads{what}", f"{worst:.4f}", "",
                            str(len(cls))))
            rows.append(Row(section, f"{name}: same page with the bar's script blocked (worst of {len(control)})",
                            f"{own:.4f}", "", str(len(control))))
            rows.append(Row(section, f"{name}: layout shift added by the bar", f"{share:.4f}", "", "", "0",
                            "PASS" if share < 0.001 else "MISS"))
    if result.error:
        rows.append(Row(section, f"{name}: {result.error}", "–"))
    return rows
