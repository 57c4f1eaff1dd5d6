"""The bar in headless Chromium: how soon the user's name is painted, layout shift, requests made.

An init script (run before any page script) wraps ``Element.prototype.attachShadow`` so it sees the bar's
shadow root even when closed, and polls once per animation frame from the start of the page.

Definitions (the report repeats them):

- **painted**: the first ``requestAnimationFrame`` callback at which an element in the bar's shadow root
  that names the user (its own text, ``aria-label`` or ``title`` contains the user's name: for this bar,
  the account button showing the initials, labelled "Account: <name>") is rendered: it passes
  ``checkVisibility()`` and has a non-empty box. Style and layout for that frame are computed right after, so the name is on screen in
  that very frame. The figure is ``painted - DOMContentLoaded`` in ms (``performance.now()`` clock);
  negative when the name was painted before DOMContentLoaded fired.
- **frames after the bar appeared**: how many frames the bar (its shadow host) was rendered before the
  name was; 0 means the name was in the first frame that showed the bar at all.
- **CLS**: the sum of ``layout-shift`` entries without recent input (buffered PerformanceObserver),
  read 100 ms after the name was painted.
- The page reports through a binding at once when the name is painted: a server-rendered demo page that
  reloads itself after the bar's hand-over (protocol.md) is measured on its first document.
- **first visit**: new browser context (empty HTTP cache and storage) holding the identity session
  cookie. **repeat visit**: a new tab in the same context (same HTTP cache, cookies, storage).
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field

from bench.stats import Spread

INIT_SCRIPT = """
(() => {
  const NAME = __NAME__;
  const s = window.__benchBar = {dcl: null, painted: null, inserted: null, barFrame: null, frame: 0,
                                 nameFrame: null, cls: 0, shifts: 0, moved: [], roots: []};
  // What moved in a layout shift, as "tag#id.class" (the report names it so a shift can be attributed).
  const describe = (n) => !n ? '?' : n.nodeType !== 1 ? '#' + n.nodeName.toLowerCase() :
    n.tagName.toLowerCase() + (n.id ? '#' + n.id : '') + (n.classList.length ? '.' + [...n.classList].join('.') : '');
  // Does this element name the user: its own text, aria-label or title contains NAME?
  const names = (el) => {
    for (const n of el.childNodes) if (n.nodeType === 3 && n.data.includes(NAME)) return true;
    return ['aria-label', 'title'].some((a) => (el.getAttribute(a) || '').includes(NAME));
  };
  const shown = (el) => {
    if (!el || !el.isConnected) return false;
    if (el.checkVisibility && !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const find = (visible) => s.roots.some((root) => {
    for (const el of root.querySelectorAll('*')) if (names(el) && (!visible || shown(el))) return true;
    return false;
  });
  const attach = Element.prototype.attachShadow;
  Element.prototype.attachShadow = function (init) {
    const root = attach.call(this, init);
    s.roots.push(root);
    new MutationObserver(() => {
      if (s.inserted === null && find(false)) s.inserted = performance.now();
    }).observe(root, {childList: true, subtree: true, characterData: true, attributes: true});
    return root;
  };
  document.addEventListener('DOMContentLoaded', () => {
    s.dcl = performance.now();
    if (s.painted !== null) report('dcl');  // painted before DOMContentLoaded: the figure is negative
  });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        if (e.hadRecentInput) continue;
        s.cls += e.value; s.shifts += 1;
        for (const src of e.sources || []) s.moved.push(describe(src.node) + ' ' + e.value.toFixed(4));
      }
    }).observe({type: 'layout-shift', buffered: true});
  } catch (e) { s.cls = null; }
  const report = (kind) => {
    if (typeof window.__benchReport !== 'function') return;
    window.__benchReport({kind, doc: performance.timeOrigin, dcl: s.dcl, painted: s.painted, inserted: s.inserted, barFrame: s.barFrame,
                          nameFrame: s.nameFrame, cls: s.cls, shifts: s.shifts, moved: s.moved.slice(0, 10)});
  };
  const tick = () => {
    s.frame += 1;
    if (s.barFrame === null && s.roots.some((r) => shown(r.host))) s.barFrame = s.frame;
    if (s.painted === null && find(true)) {
      s.painted = performance.now(); s.nameFrame = s.frame;
      // Report at once and again 100 ms later (CLS after the paint); a page that reloads itself after the
      // bar's hand-over has then already reported its first document.
      report('paint');
      setTimeout(() => report('settled'), 100);
    }
    if (s.painted === null || s.frame < s.nameFrame + 2) requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
})();
"""

@dataclass
class Load:
    """One page load's measurements."""

    painted_ms: float | None
    inserted_ms: float | None
    frames_after_bar: int | None
    cls: float | None
    requests: list[dict] = field(default_factory=list)
    reloaded: bool = False
    moved: list[str] = field(default_factory=list)


def init_script(user_name: str) -> str:
    """The instrumentation for pages whose bar should show ``user_name``."""
    return INIT_SCRIPT.replace("__NAME__", json.dumps(user_name))


class NetworkLog:
    """Every request a page makes, from the DevTools protocol: URL, whether it hit the network or cache."""

    def __init__(self, context, page):
        self.entries: dict[str, dict] = {}
        self.cdp = context.new_cdp_session(page)
        self.cdp.on("Network.requestWillBeSent", self._sent)
        self.cdp.on("Network.requestServedFromCache", self._cached)
        self.cdp.on("Network.responseReceived", self._response)
        self.cdp.on("Network.loadingFinished", self._finished)
        self.cdp.send("Network.enable")

    def _sent(self, event):
        if event["request"]["method"] == "OPTIONS":
            return
        entry = self.entries.setdefault(event["requestId"], {})
        entry.update(url=event["request"]["url"], method=event["request"]["method"],
                     type=event.get("type"), cache=entry.get("cache"))

    def _cached(self, event):
        self.entries.setdefault(event["requestId"], {})["cache"] = "memory/disk"

    def _response(self, event):
        entry = self.entries.setdefault(event["requestId"], {})
        response = event["response"]
        entry["status"] = response.get("status")
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            entry["cache"] = "disk"
        if response.get("status") == 304:
            entry["cache"] = "304"

    def _finished(self, event):
        self.entries.setdefault(event["requestId"], {})["transfer"] = event.get("encodedDataLength")

    def requests(self) -> list[dict]:
        """Requests in order, each ``{url, method, type, status, cache, transfer}``."""
        return [e for e in self.entries.values() if "url" in e]


def measure_load(context, url: str, reports: dict, *, timeout: float = 15.0) -> Load:
    """Open ``url`` in a new tab of ``context`` (set up by :func:`new_context`) and measure the bar on it."""
    page = context.new_page()
    try:
        box = reports.setdefault(page, [])
        log = NetworkLog(context, page)
        page.goto(url, wait_until="domcontentloaded", timeout=timeout * 1000)
        deadline = time.monotonic() + timeout
        painted_at = None
        while time.monotonic() < deadline:
            first_doc = [r for r in box if r["doc"] == box[0]["doc"]] if box else []
            if any(r["kind"] == "settled" for r in first_doc) and any(r["dcl"] is not None for r in first_doc):
                break
            if box:
                painted_at = painted_at or time.monotonic()
                if time.monotonic() - painted_at > 1.0:  # the page went away before it settled
                    break
            page.wait_for_timeout(20)
        requests = log.requests()
    finally:
        page.close()
    if not box:
        raise TimeoutError(f"the user's name was not painted on {url} within {timeout:g} s")
    state = dict(box[0])
    first_doc = [r for r in box if r["doc"] == state["doc"]]
    state["dcl"] = next((r["dcl"] for r in first_doc if r["dcl"] is not None), None)
    settled = [r for r in first_doc if r["kind"] == "settled"]
    if settled:
        state["cls"] = settled[0]["cls"]
        state["moved"] = settled[0]["moved"]
    if state["dcl"] is None:
        raise TimeoutError(f"DOMContentLoaded never fired on {url}")
    painted = state["painted"] - state["dcl"]
    inserted = state["inserted"] - state["dcl"] if state["inserted"] is not None else None
    frames = state["nameFrame"] - state["barFrame"] if state["barFrame"] is not None else None
    return Load(painted, inserted, frames, state["cls"], requests, moved=state["moved"], reloaded=len({r["doc"] for r in box}) > 1)


def new_context(browser, cookies: list[dict], user_name: str) -> tuple[object, dict]:
    """A fresh context (empty cache and storage) with ``cookies``, the instrumentation and its report binding."""
    context = browser.new_context()
    reports: dict = {}
    context.add_cookies(cookies)
    context.expose_binding("__benchReport", lambda source, data: reports.setdefault(source["page"], []).append(data))
    context.add_init_script(init_script(user_name))
    return context, reports


@dataclass
class SiteResult:
    """A site's loads, first and repeat visits."""

    site: str
    url: str
    first: list[Load] = field(default_factory=list)
    repeat: list[Load] = field(default_factory=list)
    error: str | None = None

    def summary(self) -> dict:
        """Medians with spread for the report and JSON."""
        out: dict = {"site": self.site, "url": self.url, "loads": len(self.first)}
        if self.error:
            out["error"] = self.error
        for label, loads in (("first", self.first), ("repeat", self.repeat)):
            if not loads:
                continue
            painted = Spread.of([x.painted_ms for x in loads])
            inserted = Spread.of([x.inserted_ms for x in loads if x.inserted_ms is not None])
            frames = [x.frames_after_bar for x in loads]
            cls = [x.cls for x in loads if x.cls is not None]
            out[label] = {
                "painted_ms": painted.as_dict(1) if painted else None,
                "name_in_dom_ms": inserted.as_dict(1) if inserted else None,
                "loads_name_in_first_bar_frame": sum(1 for f in frames if f == 0),
                "max_frames_after_bar": max((f for f in frames if f is not None), default=None),
                "cls_max": round(max(cls), 4) if cls else None,
                "cls_median": round(sorted(cls)[len(cls) // 2], 4) if cls else None,
                "shifted_elements": sorted({m.rsplit(" ", 1)[0] for x in loads for m in x.moved}),
                "reloaded_after_handover": sum(1 for x in loads if x.reloaded),
            }
        return out


def measure_site(browser, site: str, url: str, *, cookies: list[dict], user_name: str, loads: int,
                 deadline: float | None = None) -> SiteResult:
    """``loads`` pairs of (first, repeat) visits to ``url``, each pair in a fresh context."""
    result = SiteResult(site, url)
    for _ in range(loads):
        if deadline is not None and time.monotonic() > deadline:
            result.error = f"stopped early at {len(result.first)} loads (time budget)"
            break
        context, reports = new_context(browser, cookies, user_name)
        try:
            result.first.append(measure_load(context, url, reports))
            result.repeat.append(measure_load(context, url, reports))
        except Exception as exc:  # noqa: BLE001 - a broken site is a row in the report, not the end
            result.error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
            break
        finally:
            context.close()
    return result


def control_cls(browser, url: str, *, cookies: list[dict], user_name: str, loads: int = 3) -> list[float]:
    """CLS of ``url`` with the bar's script blocked (the page's own shifts), read 500 ms after ``load``."""
    values = []
    for _ in range(loads):
        context, _ = new_context(browser, cookies, user_name)
        try:
            context.route(re.compile(r"/masthead(\.[0-9a-f]+)?\.js(\?.*)?$"), lambda route: route.abort())
            page = context.new_page()
            page.goto(url, wait_until="load", timeout=15000)
            page.wait_for_timeout(500)
            values.append(page.evaluate("() => window.__benchBar.cls"))
        finally:
            context.close()
    return values
