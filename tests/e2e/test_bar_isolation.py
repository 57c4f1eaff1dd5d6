"""The bar on hostile hosts: CSS that resets everything, a strict nonce CSP, SRI, DOM clobbering, clashing
globals, patched built-ins, right-to-left pages and a 320 px viewport (issue 3, "Isolation")."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

ACCOUNT = re.compile(r"^Account: ")


def bar(page):
    return page.locator("masthead-bar")


def assert_bar_geometry(page, width: int):
    """The bar is visible, 48 px tall, spans the viewport, and nothing scrolls sideways."""
    box = {k: round(v) for k, v in bar(page).bounding_box().items()}  # a transformed body adds fractions
    assert box == {"x": 0, "y": 0, "width": width, "height": 48}, box
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    inner = page.evaluate("""(() => {
        const nav = document.querySelector('masthead-bar').shadowRoot.querySelector('nav').getBoundingClientRect();
        return [nav.x, nav.y, nav.width, nav.height].map(Math.round);
    })()""")
    assert inner == [0, 0, width, 48]


def test_hostile_css_cannot_break_the_bar_and_its_menus_sit_above_everything(page, context, page_errors,
                                                                              bar_site):
    bar_site.sign_in(context)
    page.set_viewport_size({"width": 1024, "height": 600})
    page.goto(bar_site.url("hostile_css"))
    avatar = bar(page).get_by_role("button", name="Account: Ada Lovelace")
    expect(avatar).to_be_visible()
    expect(bar(page).get_by_role("link", name="Notes")).to_be_visible()
    assert_bar_geometry(page, 1024)
    styles = page.evaluate("""(() => {
        const root = document.querySelector('masthead-bar').shadowRoot, nav = root.querySelector('nav');
        const s = getComputedStyle(nav), a = getComputedStyle(root.querySelector('.av'));
        return {bg: s.backgroundColor, color: s.color, font: s.fontSize, avatar: a.display, w: a.width};
    })()""")
    assert styles == {"bg": "rgb(255, 255, 255)", "color": "rgb(31, 31, 31)", "font": "14px", "avatar": "grid",
                      "w": "40px"}
    avatar.click()
    item = bar(page).get_by_role("menuitem", name="Sign out")
    expect(item).to_be_visible()
    # The menu is in the top layer: above a fixed header with z-index 2147483647, under a transformed body.
    box = item.bounding_box()
    hit = page.evaluate(f"document.elementFromPoint({box['x'] + box['width'] / 2}, {box['y'] + box['height'] / 2})"
                        ".tagName")
    assert hit == "MASTHEAD-BAR"
    item.click()
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible()
    page_errors.assert_none()


def test_the_bars_css_does_not_leak_into_the_host(page, page_errors, bar_site):
    page.goto(bar_site.url())
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible()
    host = page.evaluate("""(() => {
        const link = getComputedStyle(document.getElementById('probe-link'));
        const button = getComputedStyle(document.getElementById('probe-button'));
        const p = getComputedStyle(document.getElementById('probe'));
        return [link.textDecorationLine, button.cursor, button.borderStyle, p.boxSizing,
                document.styleSheets.length, document.adoptedStyleSheets.length];
    })()""")
    assert host == ["underline", "default", "outset", "content-box", 1, 0]
    page_errors.assert_none()


def test_strict_nonce_csp_with_trusted_types_has_zero_violations(page, context, page_errors, bar_site):
    bar_site.sign_in(context)
    page.goto(bar_site.url("csp"))
    avatar = bar(page).get_by_role("button", name=ACCOUNT)
    expect(avatar).to_be_visible()
    avatar.click()  # popover placement sets style properties through the CSSOM, which CSP allows
    expect(bar(page).get_by_role("menuitem", name="Sign out")).to_be_visible()
    page.keyboard.press("Escape")
    bar(page).get_by_role("button", name="Apps").click()
    expect(bar(page).get_by_role("menuitem", name="Wiki")).to_be_visible()
    expect(bar(page).locator(".tile img")).to_have_count(2)  # icons on the identity origin (img-src allows it)
    assert page.evaluate("window.__violations") == []
    page_errors.assert_none()


def test_csp_header_is_really_enforced(page, bar_site):
    """The fixture's policy is live: an inline style attribute set by the page is refused."""
    page.goto(bar_site.url("csp"))
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible()
    page.evaluate("document.body.setAttribute('style', 'color: red')")
    page.wait_for_function("window.__violations.length > 0")
    assert page.evaluate("window.__violations[0].directive").startswith("style-src")


def test_versioned_url_works_with_subresource_integrity(page, page_errors, bar_site):
    import urllib.request

    netloc = bar_site.id_url.split("//", 1)[1]
    request = urllib.request.Request(f"http://127.0.0.1:{bar_site.identity.port}/masthead.js",
                                     headers={"Host": netloc})
    with urllib.request.urlopen(request, timeout=5) as response:
        body = response.read()
    import base64
    import hashlib

    digest = hashlib.sha256(body).hexdigest()[:16]
    integrity = "sha384-" + base64.b64encode(hashlib.sha384(body).digest()).decode()
    page.goto(bar_site.url("sri", SRC=f"{bar_site.id_url}/masthead.{digest}.js", INTEGRITY=integrity))
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible()
    page_errors.assert_none()
    # A wrong hash is refused by the browser: no bar (proves the check is real).
    page.goto(bar_site.url("sri", SRC=f"{bar_site.id_url}/masthead.{digest}.js",
                           INTEGRITY="sha384-" + "A" * 64))
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.Masthead") == "undefined"


def test_dom_clobbering_and_clashing_globals_do_not_affect_the_bar(page, context, page_errors, bar_site):
    bar_site.sign_in(context)
    page.goto(bar_site.url("clobber"))
    expect(bar(page).get_by_role("button", name="Account: Ada Lovelace")).to_be_visible()
    assert page.evaluate("typeof Masthead.getToken") == "function"
    assert page.evaluate("Masthead.ready().then((u) => u.email)") == "ada@example.com"
    assert page.evaluate("Masthead.getToken().then((t) => typeof t)") == "string"
    assert page.evaluate("window.__hostGlobals.user === user && user === 'host user' && apps === 42")
    bar(page).get_by_role("button", name=ACCOUNT).click()
    expect(bar(page).get_by_role("menuitem", name="Manage account")).to_be_visible()
    page.keyboard.press("Escape")
    expect(bar(page).get_by_role("button", name=ACCOUNT)).to_be_focused()
    page_errors.assert_none()


def test_a_host_that_patches_built_ins_and_wraps_fetch(page, context, page_errors, bar_site):
    bar_site.sign_in(context)
    page.goto(bar_site.url("hostile_js"))
    expect(bar(page).get_by_role("button", name="Account: Ada Lovelace")).to_be_visible()
    assert page.evaluate("Masthead.getToken().then((t) => t.length > 20)")
    fetched = page.evaluate("window.__fetches")
    assert any(url.endswith("/api/me") for url in fetched)  # it went through the host's wrapper
    bar(page).get_by_role("button", name="Apps").click()
    expect(bar(page).get_by_role("menu", name="Apps").get_by_role("menuitem")).to_have_count(3)
    page_errors.assert_none()


def test_a_host_with_its_own_masthead_global_keeps_it(page, page_errors, bar_site):
    page.goto(bar_site.url("own_global"))
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible()
    assert page.evaluate("JSON.stringify(window.Masthead)") == '{"mine":true}'
    page_errors.assert_none()


def test_right_to_left_page(page, context, page_errors, bar_site):
    bar_site.sign_in(context)
    page.set_viewport_size({"width": 800, "height": 500})
    page.goto(bar_site.url("rtl"))
    avatar = bar(page).get_by_role("button", name=ACCOUNT)
    expect(avatar).to_be_visible()
    assert_bar_geometry(page, 800)
    brand = bar(page).get_by_role("link", name="Notes").bounding_box()
    assert avatar.bounding_box()["x"] < 100 and brand["x"] > 600  # mirrored: brand right, account left
    avatar.click()
    panel = bar(page).locator(".pop:popover-open").bounding_box()
    assert panel["x"] >= 8 and panel["x"] + panel["width"] <= 800 - 8
    page_errors.assert_none()


@pytest.mark.parametrize("signed_in", [False, True])
def test_320px_viewport(page, context, page_errors, bar_site, signed_in):
    if signed_in:
        bar_site.sign_in(context)
    page.set_viewport_size({"width": 320, "height": 568})
    page.goto(bar_site.url())
    main = bar(page).get_by_role("button", name=ACCOUNT) if signed_in else bar(page).get_by_role("link",
                                                                                                 name="Sign in")
    expect(main).to_be_visible()
    assert_bar_geometry(page, 320)
    for control in (main, bar(page).get_by_role("button", name="Apps"), bar(page).get_by_role("link", name="Notes")):
        box = control.bounding_box()
        assert 0 <= box["x"] and box["x"] + box["width"] <= 320 and box["height"] >= 36
    bar(page).get_by_role("button", name="Apps").click()
    panel = bar(page).locator(".pop:popover-open").bounding_box()
    assert panel["x"] >= 8 and panel["x"] + panel["width"] <= 312
    assert page.evaluate("document.documentElement.scrollWidth") <= 320
    page_errors.assert_none()
