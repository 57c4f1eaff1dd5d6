"""Hand-over (docs/protocol.md): the bar keeps an app backend's first-party session in step with the
identity session, against a stand-in hand-over endpoint served by the host-page server."""

from __future__ import annotations

import re

from playwright.sync_api import expect

ACCOUNT = re.compile(r"^Account: ")


def bar(page):
    return page.locator("masthead-bar")


def methods(site, origin):
    return [call["method"] for call in site.handover_calls(origin)]


def wait_methods(site, origin, expected, timeout=5.0):
    """Poll the stand-in endpoint's record until it equals ``expected`` (no fixed sleeps)."""
    import time

    deadline = time.monotonic() + timeout
    while (seen := methods(site, origin)) != expected and time.monotonic() < deadline:
        time.sleep(0.02)
    assert seen == expected


def test_registry_handover_posts_a_token_then_deletes_on_sign_out(page, context, page_errors, bar_site):
    site, origin = bar_site, bar_site.wiki
    site.reset_handover(origin)
    site.sign_in(context)
    page.goto(site.url("handover", origin=origin, APP="wiki", HANDOVER=""))  # the registry's path
    expect(bar(page).get_by_role("button", name=ACCOUNT)).to_be_visible()
    page.wait_for_function("window.__handovers.length === 1")
    assert page.evaluate("__handovers[0].email") == "ada@example.com"
    calls = site.handover_calls(origin)
    assert [c["method"] for c in calls] == ["GET", "POST"]
    assert calls[1]["origin"] == origin and calls[1]["content_type"] == "application/json"
    assert calls[1]["token_user"] == "1"  # the identity API accepted the token it was given

    page.reload()  # the app session now knows the user: one GET, nothing else
    expect(bar(page).get_by_role("button", name=ACCOUNT)).to_be_visible()
    wait_methods(site, origin, ["GET", "POST", "GET"])

    page.evaluate("""window.__order = [];
        document.addEventListener('masthead:handover', (e) => __order.push(['handover', e.detail.user]));
        document.addEventListener('masthead:change', (e) => __order.push(['change', e.detail.user])); 0""")
    page.evaluate("Masthead.signOut()")
    assert methods(site, origin) == ["GET", "POST", "GET", "DELETE"]
    assert page.evaluate("__order") == [["handover", None], ["change", None]]
    page_errors.assert_none()


def test_data_handover_overrides_the_registry(page, context, page_errors, bar_site):
    site, origin = bar_site, bar_site.host  # notes has no hand-over path in the registry
    site.reset_handover(origin)
    page.goto(site.url())
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible()
    assert methods(site, origin) == []
    site.sign_in(context)
    page.goto(site.url("handover", HANDOVER="/.masthead/session"))
    page.wait_for_function("window.__handovers.length === 1")
    assert methods(site, origin) == ["GET", "POST"]
    page_errors.assert_none()


def test_data_session_user_skips_the_lookup(page, context, page_errors, bar_site):
    site, origin = bar_site, bar_site.wiki
    site.reset_handover(origin)
    page.goto(site.url("session_user", origin=origin, APP="wiki", SESSION_USER=""))
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible()
    page.evaluate("Masthead.ready()")
    assert methods(site, origin) == []  # anonymous here and there: not a single request

    site.sign_in(context)
    page.goto(site.url("session_user", origin=origin, APP="wiki", SESSION_USER=""))
    page.wait_for_function("window.__handovers.length === 1")
    assert methods(site, origin) == ["POST"]  # the page said "anonymous": no GET needed

    page.goto(site.url("session_user", origin=origin, APP="wiki", SESSION_USER="1"))
    expect(bar(page).get_by_role("button", name=ACCOUNT)).to_be_visible()
    page.evaluate("Masthead.ready()")
    assert methods(site, origin) == ["POST"]  # already in step
    page_errors.assert_none()


def test_unsafe_handover_paths_are_ignored(page, context, page_errors, bar_site):
    site, origin = bar_site, bar_site.host
    site.reset_handover(origin)
    site.sign_in(context)
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    for path in ("//evil.example/x", "https://evil.example/x", "/\\evil.example", "javascript:alert(1)"):
        page.goto(site.url("handover", HANDOVER=path))
        expect(bar(page).get_by_role("button", name=ACCOUNT)).to_be_visible()
        page.evaluate("Masthead.ready()")
    from urllib.parse import urlsplit

    assert not [url for url in requests if "evil" in (urlsplit(url).hostname or "") or url.startswith("javascript")]
    assert methods(site, origin) == []
    page_errors.assert_none()
