"""The bar stays put and stays true: no layout shift, no wrong-state flash, re-checks on focus and
visibility, tabs in step through BroadcastChannel, and a clear state whatever the identity API does
(issue 3, "No layout shift", "Stays true", "Never hurts the host")."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

ACCOUNT = re.compile(r"^Account: ")

# Installed before any page script: layout shifts, unhandled rejections, and every state of the bar's
# shadow root from its first frame (a MutationObserver on the root plus a check on every animation frame).
WATCH = """
window.__cls = 0; window.__shifts = []; window.__rejections = []; window.__seen = new Set();
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) { __cls += e.value; __shifts.push(e.value); }
}).observe({type: 'layout-shift', buffered: true});
addEventListener('unhandledrejection', (e) => __rejections.push(String(e.reason)));
const record = (root) => {
  if (root.querySelector('.si')) __seen.add('sign-in');
  if (root.querySelector('.av')) __seen.add('avatar');
  if (root.querySelector('.sk')) __seen.add('skeleton');
};
const attach = Element.prototype.attachShadow;
Element.prototype.attachShadow = function (init) {
  const root = attach.call(this, init);
  if (this.localName === 'masthead-bar') {
    window.__root = root;
    new MutationObserver(() => record(root)).observe(root, {subtree: true, childList: true, characterData: true});
  }
  return root;
};
const frame = () => { if (window.__root) record(window.__root); requestAnimationFrame(frame); };
requestAnimationFrame(frame);
"""


def bar(page):
    return page.locator("masthead-bar")


def seen(page) -> set[str]:
    return set(page.evaluate("[...window.__seen]"))


@pytest.fixture
def watched(page):
    page.add_init_script(WATCH)
    return page


def test_no_layout_shift_on_first_and_repeat_visits(watched, context, page_errors, bar_site):
    page = watched
    page.goto(bar_site.url())
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible()
    page.wait_for_load_state("load")
    assert page.evaluate("__cls") == 0
    bar_site.sign_in(context)
    for _visit in ("first signed in", "repeat"):
        page.goto(bar_site.url())
        expect(bar(page).get_by_role("button", name=ACCOUNT)).to_be_visible()
        page.evaluate("Masthead.ready()")
        page.wait_for_load_state("load")
        assert page.evaluate("__cls") == 0, page.evaluate("__shifts")
    assert page.evaluate("__rejections") == []
    page_errors.assert_none()


def test_first_signed_in_visit_shows_a_skeleton_never_sign_in(watched, context, page_errors, bar_site):
    page = watched
    bar_site.sign_in(context)
    page.goto(bar_site.url())
    expect(bar(page).get_by_role("button", name="Account: Ada Lovelace")).to_be_visible()
    page.evaluate("Masthead.ready()")
    assert seen(page) == {"skeleton", "avatar"}
    page_errors.assert_none()


def test_repeat_visit_paints_the_user_from_the_hint_before_api_me_answers(watched, context, page_errors,
                                                                          bar_site):
    page = watched
    bar_site.sign_in(context)
    page.goto(bar_site.url())
    expect(bar(page).get_by_role("button", name="Account: Ada Lovelace")).to_be_visible()
    held = []
    page.route("**/api/me", lambda route: held.append(route))  # /api/me waits until the test lets it go
    page.goto(bar_site.url())
    expect(bar(page).get_by_role("button", name="Account: Ada Lovelace")).to_be_visible()
    assert len(held) == 1 and seen(page) == {"avatar"}  # painted from the hint, /api/me still pending
    held[0].continue_()
    assert page.evaluate("Masthead.ready().then((u) => u.email)") == "ada@example.com"
    assert seen(page) == {"avatar"}  # from the first frame on: never "Sign in", never even the skeleton
    page_errors.assert_none()


def test_a_hint_for_a_signed_out_user_is_corrected_and_cleared(watched, context, page_errors, bar_site):
    page = watched
    bar_site.sign_in(context)
    page.goto(bar_site.url())
    expect(bar(page).get_by_role("button", name=ACCOUNT)).to_be_visible()
    context.clear_cookies()  # the session is gone; the hint in localStorage is not
    page.goto(bar_site.url())
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible()
    assert page.evaluate("localStorage.getItem('masthead:hint')") is None
    page_errors.assert_none()


def _sign_out_elsewhere(context, site):
    """End the session from another app of the family (another origin: no BroadcastChannel)."""
    other = context.new_page()
    other.goto(site.url(origin=site.wiki))
    expect(other.locator("masthead-bar").get_by_role("button", name=ACCOUNT)).to_be_visible()
    other.evaluate("Masthead.signOut()")
    other.close()


@pytest.mark.parametrize("trigger", ["focus", "visibilitychange"])
def test_regaining_focus_or_visibility_rechecks_api_me(page, context, page_errors, bar_site, trigger):
    bar_site.sign_in(context)
    page.goto(bar_site.url())
    expect(bar(page).get_by_role("button", name=ACCOUNT)).to_be_visible()
    _sign_out_elsewhere(context, bar_site)  # another origin: no BroadcastChannel reaches this tab
    target = "window" if trigger == "focus" else "document"
    page.evaluate(f"{target}.dispatchEvent(new Event('{trigger}'))")
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible()
    assert page.evaluate("Masthead.user") is None
    page_errors.assert_none()


def test_tabs_of_one_site_share_changes_at_once(context, page_errors, bar_site):
    bar_site.sign_in(context)
    first, second = context.new_page(), context.new_page()
    for tab in (first, second):
        tab.goto(bar_site.url())
        expect(tab.locator("masthead-bar").get_by_role("button", name=ACCOUNT)).to_be_visible()
    checks = []
    second.on("request", lambda r: "/api/me" in r.url and checks.append(r.url))
    second.evaluate("window.__changes = []; Masthead.on('change', (u) => __changes.push(u)); 0")
    first.locator("masthead-bar").get_by_role("button", name=ACCOUNT).click()
    first.locator("masthead-bar").get_by_role("menuitem", name="Sign out").click()
    expect(second.locator("masthead-bar").get_by_role("link", name="Sign in")).to_be_visible(timeout=1000)
    assert second.evaluate("__changes") == [None]
    assert checks == []  # it learnt from the channel, not from a request
    for tab in (first, second):
        assert tab.evaluate("window.__rejections || []") == []


# -- the identity API misbehaving ---------------------------------------------------------------------
FAULTS = {
    "refused": lambda route: route.abort("connectionrefused"),
    "500": lambda route: route.fulfill(status=500, json={"error": "internal_error"}),
    "html": lambda route: route.fulfill(status=200, body="<!doctype html><title>Oops</title>",
                                        content_type="text/html"),
    "not json": lambda route: route.fulfill(status=200, body="{user: nope", content_type="application/json"),
    "wrong shape": lambda route: route.fulfill(status=200, json=["user"]),
    "hangs": lambda route: None,  # never answers: the bar gives up by itself
}


def _settles_within_3s(page, locator):
    start = time.monotonic()
    expect(locator).to_be_visible(timeout=3000)
    return time.monotonic() - start


@pytest.mark.parametrize("fault", list(FAULTS))
def test_identity_api_faults_settle_into_sign_in_within_3s(watched, page_errors, bar_site, fault):
    page = watched
    page.route("**/api/me", FAULTS[fault])
    page.goto(bar_site.url(), wait_until="commit")
    _settles_within_3s(page, bar(page).get_by_role("link", name="Sign in"))
    assert page.evaluate("Masthead.ready()") is None
    assert page.evaluate("__rejections") == [] and page.evaluate("__cls") == 0
    assert "sign-in" in seen(page)
    # The browser logs failed loads itself ("Failed to load resource"); the bar adds nothing.
    assert [m for m in page_errors.messages if "Failed to load resource" not in m] == []


@pytest.mark.parametrize("fault", ["500", "hangs"])
def test_a_known_user_stays_with_an_offline_mark_when_the_api_fails(watched, context, page_errors, bar_site,
                                                                     fault):
    page = watched
    bar_site.sign_in(context)
    page.goto(bar_site.url())
    expect(bar(page).get_by_role("button", name="Account: Ada Lovelace")).to_be_visible()
    page.route("**/api/me", FAULTS[fault])
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    offline = bar(page).get_by_role("button", name="Account: Ada Lovelace (offline)")
    _settles_within_3s(page, offline)
    assert "sign-in" not in seen(page)
    page.unroute("**/api/me")
    page.evaluate("window.dispatchEvent(new Event('focus'))")  # retried on the next focus
    expect(bar(page).get_by_role("button", name="Account: Ada Lovelace")).to_be_visible()
    assert page.evaluate("__rejections") == []
    assert [m for m in page_errors.messages if "Failed to load resource" not in m] == []


def test_identity_api_process_stopped(watched, context, page_errors, own_bar_site):
    page, site = watched, own_bar_site
    site.sign_in(context)
    page.goto(site.url())
    expect(bar(page).get_by_role("button", name="Account: Ada Lovelace")).to_be_visible()
    site.identity.stop()
    page.evaluate("window.dispatchEvent(new Event('focus'))")
    _settles_within_3s(page, bar(page).get_by_role("button", name="Account: Ada Lovelace (offline)"))
    error = page.evaluate("Masthead.getToken().then(() => 'ok', (e) => e.message)")
    assert error in ("Masthead.getToken: no answer",)
    # Sign out cannot reach the API: the promise the host asked for rejects, the bar stays usable.
    assert page.evaluate("Masthead.signOut().then(() => 'ok', (e) => e.message)") == "Masthead.signOut: failed"
    bar(page).get_by_role("button", name=ACCOUNT).click()
    expect(bar(page).get_by_role("menuitem", name="Sign out")).to_be_visible()
    assert page.evaluate("__rejections") == []
    assert [m for m in page_errors.messages if "Failed to load resource" not in m] == []
