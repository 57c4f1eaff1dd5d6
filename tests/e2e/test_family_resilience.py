"""The family's backends and failure modes in real Chromium: work attributed to the right user and hidden
from others, Bearer tokens at the Tasks API, the identity API down / slow / broken, key rotation.

Topology does not change these behaviours, so they run on ``localhost`` ports only (as ``make demo``).
"""

from __future__ import annotations

import time
from contextlib import ExitStack

import pytest
from itsdangerous import URLSafeTimedSerializer
from playwright.sync_api import expect

from demo_sites.launcher import USERS
from tests.conftest import TEST_SECRET_KEY
from tests.e2e.family import APP_IDS, secret_for, start_family
from tests.e2e.test_family import bar, expect_signed_in, expect_signed_out, sign_in

#: Text every site shows whatever the identity API does (its own, server- or file-rendered content).
CONTENT = {"notes": "Little pages only you can read", "forum": "Threads and replies", "wiki": "The Family",
           "tasks": "A FastAPI JSON API", "docs": "One account bar for a family of independent apps"}

ADA, GRACE = USERS


@pytest.fixture(scope="module")
def family(tmp_path_factory):
    with ExitStack() as stack:
        yield start_family(tmp_path_factory.mktemp("family-resilience"), "localhost", stack)


def test_work_is_attributed_and_private(browser, family):
    ada, grace = browser.new_context(), browser.new_context()
    try:
        sign_in(ada, family, ADA[0], ADA[2])
        page = ada.new_page()
        page.goto(family.url("notes"), wait_until="commit")
        expect(page.get_by_text("New note, Ada")).to_be_visible()
        page.fill("#body", "Ada's private note")
        page.click("form.compose button")
        expect(page.locator(".note", has_text="Ada's private note")).to_be_visible()
        ada_note_id = page.evaluate("""() => document.querySelector('.note form').action.match(/notes\\/(\\d+)/)[1]""")

        page.goto(family.url("forum"), wait_until="commit")
        page.fill("#title", "Attribution thread")
        page.fill("#body", "Opened by Ada.")
        page.click("aside form button")
        expect(page.locator(".post.opening .author")).to_have_text("Ada Lovelace")
        thread_url = page.url

        sign_in(grace, family, GRACE[0], GRACE[2])
        other = grace.new_page()
        other.goto(family.url("notes"), wait_until="commit")
        expect(other.get_by_text("New note, Grace")).to_be_visible()
        expect(other.locator(".note", has_text="Ada's private note")).to_have_count(0)
        # Grace's own, valid form token cannot delete Ada's note: 404, and the note survives.
        token = other.locator("form.compose input[name=csrf_token]").get_attribute("value")
        response = grace.request.post(family.url("notes", f"/notes/{ada_note_id}/delete"),
                                      form={"csrf_token": token}, max_redirects=0)
        assert response.status == 404
        assert "Ada's private note" not in grace.request.get(family.url("notes", "/api/notes")).text()

        # Grace replies in Ada's thread: each post carries its own author.
        other.goto(thread_url)
        other.fill("#body", "Replied by Grace.")
        other.locator("form.reply button, main form button").last.click()
        expect(other.locator(".post .author")).to_have_text(["Ada Lovelace", "Grace Hopper"])

        # A wiki edit lands in the history under the editor's name.
        other.goto(family.url("wiki", "/wiki/attribution/edit"), wait_until="commit")
        other.fill("#body", "Written by Grace.")
        other.click("form.editor button")
        # Saved (leaving before the redirect lands would abort the POST).
        expect(other.locator(".byline strong")).to_have_text("Grace Hopper")
        other.goto(family.url("wiki", "/wiki/attribution/history"), wait_until="commit")
        expect(other.locator(".rev-author")).to_have_text(["Grace Hopper"])
        page.goto(family.url("notes"), wait_until="commit")
        expect(page.locator(".note", has_text="Ada's private note")).to_be_visible()
    finally:
        ada.close()
        grace.close()


def test_tasks_api_takes_its_own_bearer_tokens_only(context, page, page_errors, family):
    sign_in(context, family, ADA[0], ADA[2])
    page.goto(family.url("notes"), wait_until="commit")
    expect_signed_in(page, ADA[1])
    expect(page.get_by_text("New note, Ada")).to_be_visible()  # the hand-over reload is over
    notes_token = page.evaluate("Masthead.getToken()")  # real, fresh, but for another app

    page.goto(family.url("tasks"), wait_until="commit")
    expect(page.locator("#signed-in")).to_be_visible()
    page.fill("#title", "Bearer task")
    page.press("#title", "Enter")
    expect(page.locator("#list li", has_text="Bearer task")).to_be_visible()

    tasks = URLSafeTimedSerializer(secret_for("tasks"), salt="masthead.app-token")
    claims = {"sub": "1", "sid": "x", "aud": "tasks", "jti": "j", "name": "Ada Lovelace", "email": ADA[0]}

    class Past(URLSafeTimedSerializer):
        default_signer = type("PastSigner", (tasks.signer,), {"get_timestamp": lambda self: int(time.time()) - 600})

    expired = Past(secret_for("tasks"), salt="masthead.app-token").dumps(claims)
    statuses = page.evaluate("""async ([foreign, expired]) => {
        const good = await Masthead.getToken();
        const call = (token) => fetch('/api/tasks', {headers: {Authorization: 'Bearer ' + token}})
            .then(async (r) => [r.status, (await r.json()).error || null]);
        const flip = good.slice(0, -3) + (good.slice(-3, -2) === 'A' ? 'B' : 'A') + good.slice(-2);
        return {good: await call(good), foreign: await call(foreign), expired: await call(expired),
                tampered: await call(flip)};
    }""", [notes_token, expired])
    assert statuses["good"][0] == 200
    for case in ("foreign", "expired", "tampered"):
        assert statuses[case][0] == 401, (case, statuses)
        assert statuses[case][1], f"{case}: a 401 carries a JSON error code"
    # Chromium logs each refused call of this test's own as a failed resource load; nothing else may appear.
    assert sum("401" in m for m in page_errors.messages) == 3
    page_errors.messages[:] = [m for m in page_errors.messages if "401" not in m]
    page_errors.assert_none()


@pytest.mark.parametrize("fault", ["slow", "500", "html"])
def test_identity_api_faults_leave_every_page_working(context, page, page_errors, family, fault):
    sign_in(context, family, ADA[0], ADA[2])
    unhandled = []
    page.on("console", lambda m: "Unhandled" in m.text and unhandled.append(m.text))

    def broken(route):
        if fault == "slow":
            time.sleep(4)  # longer than the bar's 3 s budget; the bar must have given up by now
            route.abort()
        elif fault == "500":
            route.fulfill(status=500, content_type="application/json", body='{"error":"boom"}')
        else:
            route.fulfill(status=200, content_type="text/html", body="<html><body>Gateway login</body></html>")

    page.route(f"{family.id_url}/api/**", broken)
    for app_id in APP_IDS:
        started = time.monotonic()
        page.goto(family.url(app_id), wait_until="commit")
        expect(page.get_by_text(CONTENT[app_id]).first).to_be_visible()
        # A clear state within 3 s: "Sign in", or the hinted user marked offline; never a skeleton forever.
        settled = bar(page).get_by_role("link", name="Sign in").or_(
            bar(page).get_by_role("button", name="Account: Ada Lovelace"))
        expect(settled).to_be_visible(timeout=3500)
        page.wait_for_function("() => !document.querySelector('masthead-bar').shadowRoot.querySelector('.sk')",
                               timeout=max(100, int((3.5 - (time.monotonic() - started)) * 1000)))
    page.unroute(f"{family.id_url}/api/**")
    page_errors.messages[:] = [m for m in page_errors.messages if "Failed to load resource" not in m]
    page_errors.assert_none()
    assert not unhandled


def test_identity_api_stopped_then_back(context, page, page_errors, family):
    """With the identity API down even the bar's script cannot load: every page still works, and the
    placeholder's own fallback link (shown by the page's CSS after 3 s) is the clear state."""
    family.identity.stop()
    try:
        for app_id in APP_IDS:
            started = time.monotonic()
            page.goto(family.url(app_id), wait_until="commit")
            expect(page.get_by_text(CONTENT[app_id]).first).to_be_visible()
            expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible(timeout=4000)
            assert time.monotonic() - started < 4.5
            assert bar(page).bounding_box()["height"] == 48
    finally:
        family.start_identity()
    sign_in(context, family, ADA[0], ADA[2])
    page.reload()  # the identity API is back: the same page gets its bar again
    expect_signed_in(page, ADA[1])
    # Failed loads of the bar script while the API was down are network noise, not page errors.
    page_errors.messages[:] = [m for m in page_errors.messages if "ERR_CONNECTION_REFUSED" not in m
                               and "Failed to load resource" not in m]
    page_errors.assert_none()


def test_key_rotation_keeps_sessions_until_the_old_key_is_removed(context, page, family):
    sign_in(context, family, GRACE[0], GRACE[2])
    page.goto(family.url("docs"), wait_until="commit")
    expect_signed_in(page, GRACE[1])
    new_key = "rotated-key-9876543210zyxwvutsrqponmlkjihgfedcba"
    try:
        family.restart_identity(MASTHEAD_SECRET_KEYS=f"{TEST_SECRET_KEY},{new_key}")
        page.reload()
        expect_signed_in(page, GRACE[1])  # the old key is still listed: the session lives on

        family.restart_identity(MASTHEAD_SECRET_KEYS=new_key)
        page.reload()
        expect_signed_out(page)  # the key that signed the cookie is gone: the session ends

        sign_in(context, family, GRACE[0], GRACE[2])  # new sessions work with the new key alone
        page.reload()
        expect_signed_in(page, GRACE[1])
    finally:
        family.restart_identity()
