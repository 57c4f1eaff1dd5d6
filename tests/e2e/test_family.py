"""The family in real Chromium, in both topologies: anonymous visits, signing up and in once for all five
apps, sign-out reaching every app, no layout shift or wrong-state flash, markup in names.

Each module-scoped family is six real processes (``tests/e2e/family.py``); each test gets a fresh browser
context, so tests stay independent while sharing the servers.
"""

from __future__ import annotations

import re
from contextlib import ExitStack

import pytest
from playwright.sync_api import expect

from demo_sites.launcher import USERS
from tests.e2e.conftest import PageErrors, sign_in_with_form
from tests.e2e.family import APP_IDS, TOPOLOGIES, start_family

ACCOUNT = re.compile(r"^Account: ")
#: What each site shows an anonymous reader: its own content, intact under the bar.
CONTENT = {"notes": "Sign in to write notes", "forum": "Sign in to post", "wiki": "Sign in to edit",
           "tasks": "Sign in to see your tasks", "docs": "Masthead"}
#: Proof that a site's *server* (not just the bar) knows the user, per app with a backend session.
SERVER_SIGNED_IN = {"notes": "New note, {first}", "forum": "Post as {name}"}


def expect_server_knows(page, app_id: str, name: str) -> None:
    """The app's server-rendered page is the signed-in view (the hand-over reached its backend)."""
    if app_id == "wiki":  # the signed-in wiki drops its "Sign in to edit" notice
        expect(page.locator("main")).to_be_visible()
        expect(page.locator("main .notice a[data-sign-in]")).to_have_count(0)
    elif app_id in SERVER_SIGNED_IN:
        text = SERVER_SIGNED_IN[app_id].format(first=name.split()[0], name=name)
        expect(page.get_by_text(text).first).to_be_visible()

#: Counts layout shifts and every moment a "Sign in" control exists in the bar, from the first frame, across
#: the documents of one visit (a server-rendered app reloads once after the hand-over): totals are carried
#: over in sessionStorage on pagehide.
OBSERVE = """
(() => {
  const carried = JSON.parse(sessionStorage.getItem('e2e:observed') || '{"cls":0,"signIn":false}');
  window.__cls = carried.cls; window.__sawSignIn = carried.signIn;
  addEventListener('pagehide', () => sessionStorage.setItem('e2e:observed',
    JSON.stringify({cls: window.__cls, signIn: window.__sawSignIn})));
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (!e.hadRecentInput) window.__cls += e.value;
  }).observe({type: 'layout-shift', buffered: true});
  const look = () => {
    const host = document.querySelector('masthead-bar');
    const root = host && host.shadowRoot;
    if (root && /\\bSign in\\b/.test(root.textContent || '')) window.__sawSignIn = true;
  };
  new MutationObserver(look).observe(document, {subtree: true, childList: true, characterData: true});
  const frame = () => { look(); requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
})();
"""


@pytest.fixture(scope="module", params=TOPOLOGIES)
def family(request, tmp_path_factory):
    with ExitStack() as stack:
        yield start_family(tmp_path_factory.mktemp(f"family-{request.param}"), request.param, stack)


def bar(page):
    return page.locator("masthead-bar")


def expect_signed_in(page, name: str) -> None:
    expect(bar(page).get_by_role("button", name=f"Account: {name}")).to_be_visible(timeout=10000)


def expect_signed_out(page) -> None:
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible(timeout=10000)


def sign_in(context, family, email: str, password: str) -> None:
    """Sign the browser context in to the family through the identity API's own form."""
    sign_in_with_form(context, family.id_url, email, password)


@pytest.mark.parametrize("app_id", APP_IDS)
def test_anonymous_visit_shows_sign_in_and_the_page_intact(page, page_errors, family, app_id):
    page.goto(family.url(app_id), wait_until="commit")
    expect_signed_out(page)
    expect(page.get_by_text(CONTENT[app_id]).first).to_be_visible()
    # The bar sits above the page's own content, in the height it reserved.
    box = bar(page).bounding_box()
    assert box and box["y"] == 0 and box["height"] == 48
    page_errors.assert_none()


def test_sign_up_then_sign_in_once_for_all_five(page, context, page_errors, family):
    email = f"lin-{family.topology}@example.com"
    page.goto(family.url("wiki", "/wiki/welcome"), wait_until="commit")
    start = page.url
    expect_signed_out(page)
    bar(page).get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(f"{family.id_url}/sign-in?next=")))
    page.get_by_role("link", name="Create an account").click()
    page.fill("#name", "Lin Bai")
    page.fill("#email", email)
    page.fill("#password", "a long sign-up passphrase 7")
    page.click("button[type=submit]")
    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()

    # The confirmation mail, as the development outbox shows it; the link carries the way back.
    mail = page.context.new_page()
    mail.goto(f"{family.id_url}/dev/outbox")
    link = mail.locator(f"article:has-text('{email}') a[href*='/confirm/']").first
    href = link.get_attribute("href")
    mail.close()
    page.goto(href)
    page.get_by_role("button", name=re.compile("Confirm")).click()
    expect(page).to_have_url(start)
    expect_signed_in(page, "Lin Bai")
    expect_server_knows(page, "wiki", "Lin Bai")

    for app_id in ("notes", "forum", "tasks", "docs"):
        page.goto(family.url(app_id), wait_until="commit")
        expect_signed_in(page, "Lin Bai")
        expect_server_knows(page, app_id, "Lin Bai")
    page_errors.assert_none()


def test_sign_out_reaches_every_app_and_ends_the_session(context, family):
    email, name, password = USERS[1]
    sign_in(context, family, email, password)
    tabs = {}
    for app_id in ("notes", "forum", "docs"):
        tabs[app_id] = context.new_page()
        tabs[app_id].goto(family.url(app_id), wait_until="commit")
        expect_signed_in(tabs[app_id], name)
    expect(tabs["forum"].get_by_text(f"Post as {name}").first).to_be_visible()
    second_notes = context.new_page()
    second_notes.goto(family.url("notes"), wait_until="commit")
    expect_signed_in(second_notes, name)
    identity_cookie = next(c for c in context.cookies(family.id_url) if "masthead_session" in c["name"])

    notes = tabs["notes"]
    notes.bring_to_front()
    bar(notes).get_by_role("button", name=f"Account: {name}").click()
    bar(notes).get_by_role("menuitem", name="Sign out").click()
    expect_signed_out(notes)
    expect_signed_out(second_notes)  # same site, other tab: at once, through BroadcastChannel

    # Other apps learn it when their tab regains focus; their backends drop the user (hand-over cleared).
    for app_id in ("forum", "docs"):
        tab = tabs[app_id]
        tab.bring_to_front()
        tab.evaluate("window.dispatchEvent(new Event('focus'))")
        expect_signed_out(tab)
    tabs["forum"].reload()
    expect(tabs["forum"].get_by_text("Sign in to post").first).to_be_visible()
    expect_signed_out(tabs["forum"])

    # A copy of the old identity cookie is worth nothing now.
    replay = context.browser.new_context()
    try:
        replay.add_cookies([identity_cookie])
        probe = replay.new_page()
        probe.goto(f"{family.id_url}/api/me")
        assert '"user":null' in probe.content().replace(" ", "")
    finally:
        replay.close()


@pytest.mark.parametrize("app_id", APP_IDS)
def test_no_layout_shift_and_no_sign_in_flash_for_a_signed_in_user(context, family, app_id):
    email, name, password = USERS[0]
    sign_in(context, family, email, password)
    context.add_init_script(OBSERVE)
    for visit in ("first", "repeat"):
        page = context.new_page()
        page.goto(family.url(app_id), wait_until="commit")
        expect_signed_in(page, name)
        expect_server_knows(page, app_id, name)  # after the hand-over reload, if there is one
        page.wait_for_load_state("load")
        cls = page.evaluate("window.__cls")
        assert cls == 0, f"{visit} visit of {app_id}: cumulative layout shift {cls}"
        assert page.evaluate("window.__sawSignIn") is False, f"{visit} visit of {app_id} flashed Sign in"
        page.close()


def test_markup_in_a_name_is_text_in_the_bar_and_on_every_page(context, family):
    if family.topology != "localhost":
        pytest.skip("rendering does not depend on the topology")
    hostile = [
        ("pwned1@example.com", "<img src=x onerror=window.__pwned=1>"),
        ("pwned2@example.com", '"><svg onload=window.__pwned=1>'),
        ("pwned3@example.com", "</script><script>window.__pwned=1</script>"),
    ]
    for email, name in hostile:
        family.cli("users", "create", email, "--name", name, input="markup-user-passphrase-1\n")
    for email, name in hostile:
        context.clear_cookies()
        sign_in(context, family, email, "markup-user-passphrase-1")
        page = context.new_page()  # a fresh tab: the demo apps allow two hand-over reloads a minute per tab
        errors = PageErrors(page)
        for app_id in APP_IDS:
            page.goto(family.url(app_id), wait_until="commit")
            expect_signed_in(page, name)
            expect_server_knows(page, app_id, name)  # and any hand-over reload is over
            bar(page).get_by_role("button", name=f"Account: {name}").click()
            expect(bar(page).get_by_text(name, exact=True)).to_be_visible()
            assert page.evaluate("window.__pwned") is None
            assert page.locator("img[src=x], svg[onload]").count() == 0
        errors.assert_none()
        page.close()
