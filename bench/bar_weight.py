"""The bar's weight: what a host page downloads for it, and how many requests on first and repeat visits.

Measured in Chromium on a plain host page (DevTools network events), so it counts whatever the bar really
loads. Sizes are of the bodies as served (raw) and as gzip (level 9) and brotli (quality 11) would send
them; ``transfer`` is what went over the wire on the first visit (headers included).
"""

from __future__ import annotations

import gzip
import urllib.request
from urllib.parse import urlsplit

import brotli

from bench.browser import measure_load, new_context


def sizes(body: bytes) -> dict:
    """Raw, gzip -9 and brotli q11 sizes of ``body`` in bytes."""
    return {"raw": len(body), "gzip": len(gzip.compress(body, 9, mtime=0)),
            "brotli": len(brotli.compress(body, quality=11))}


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _kind(request: dict) -> str:
    path = urlsplit(request["url"]).path
    return "api" if path.startswith("/api/") else "asset"


def _network(requests: list[dict], host_origin: str) -> list[dict]:
    """The bar's requests (not the host page's) that reached the server (a 304 counts: it is a round trip)."""
    return [r for r in requests if _origin(r["url"]) != host_origin and r.get("cache") not in ("memory/disk", "disk")]


def measure(browser, host_url: str, *, cookies: list[dict], user_name: str) -> dict:
    """First and repeat visit of ``host_url``: requests, cache behaviour, and the bytes of the bar's assets."""
    host_origin = _origin(host_url)
    context, reports = new_context(browser, cookies, user_name)
    try:
        first = measure_load(context, host_url, reports)
        repeat = measure_load(context, host_url, reports)
    finally:
        context.close()
    visits = {}
    for label, load in (("first", first), ("repeat", repeat)):
        bar = [r for r in load.requests if _origin(r["url"]) != host_origin]
        visits[label] = {
            "network_requests": len(_network(load.requests, host_origin)),
            "requests": [{"path": urlsplit(r["url"]).path, "status": r.get("status"),
                          "cache": r.get("cache") or "network", "transfer": r.get("transfer")} for r in bar],
        }
    assets = {}
    for request in first.requests:
        if _origin(request["url"]) == host_origin or _kind(request) == "api":
            continue
        with urllib.request.urlopen(request["url"], timeout=10) as response:
            body = response.read()
        assets[urlsplit(request["url"]).path] = dict(sizes(body), transfer=request.get("transfer"))
    total = {k: sum(a[k] for a in assets.values()) for k in ("raw", "gzip", "brotli")}
    return {"host_page": host_url, "assets": assets, "total": total, "visits": visits}
