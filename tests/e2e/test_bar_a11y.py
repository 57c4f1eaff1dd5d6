"""Accessibility of the bar: the APG menu-button pattern by keyboard alone, visible focus, and axe-core with
zero violations signed in and out, menus open, light and dark, dark and light accents (issue 3)."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

ACCOUNT = re.compile(r"^Account: ")


def bar(page):
    return page.locator("masthead-bar")


def focused(page) -> str:
    """The accessible label (or text) of what has focus inside the bar, or the host's active element."""
    return page.evaluate("""(() => {
        const el = document.querySelector('masthead-bar').shadowRoot.activeElement;
        if (!el) return 'outside:' + document.activeElement.tagName;
        const name = el.querySelector('.an');  // an app item: its name (the letter tile is aria-hidden)
        return el.getAttribute('aria-label') || el.getAttribute('title') || (name || el).textContent.trim();
    })()""")


def test_keyboard_only_walk(page, context, page_errors, bar_site):
    bar_site.sign_in(context)
    page.goto(bar_site.url())
    expect(bar(page).get_by_role("button", name=ACCOUNT)).to_be_visible()
    page.keyboard.press("Tab")
    assert focused(page) == "Notes"
    page.keyboard.press("Tab")
    assert focused(page) == "Apps"
    ring = page.evaluate("""getComputedStyle(document.querySelector('masthead-bar').shadowRoot.activeElement)
                            .outlineStyle""")
    assert ring == "solid"  # a visible :focus-visible ring
    page.keyboard.press("Enter")
    apps = bar(page).get_by_role("button", name="Apps")
    expect(apps).to_have_attribute("aria-expanded", "true")
    assert focused(page) == "Notes"  # first item
    page.keyboard.press("ArrowDown")
    assert focused(page) == "Wiki"
    page.keyboard.press("End")
    assert focused(page) == "Forum"
    page.keyboard.press("ArrowDown")
    assert focused(page) == "Notes"  # wraps
    page.keyboard.press("ArrowUp")
    assert focused(page) == "Forum"
    page.keyboard.press("Home")
    assert focused(page) == "Notes"
    page.keyboard.press("Escape")
    expect(apps).to_have_attribute("aria-expanded", "false")
    expect(bar(page).get_by_role("menu", name="Apps")).to_be_hidden()
    assert focused(page) == "Apps"  # Escape returns focus to the button
    page.keyboard.press("ArrowUp")  # ArrowUp on the button opens on the last item
    assert focused(page) == "Forum"
    page.keyboard.press("Tab")  # Tab leaves and closes
    expect(apps).to_have_attribute("aria-expanded", "false")
    assert focused(page) == "Account: Ada Lovelace"
    page.keyboard.press(" ")
    assert focused(page) == "Manage account"
    page.keyboard.press("ArrowDown")
    assert focused(page) == "Sign out"
    page.keyboard.press("Escape")
    assert focused(page) == "Account: Ada Lovelace"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert focused(page) == "Sign out"
    page.keyboard.press("Enter")  # a real <button>: Enter activates it
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_focused()
    page_errors.assert_none()


def test_space_follows_a_menu_link(page, page_errors, bar_site):
    page.goto(bar_site.url())
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible()
    bar(page).get_by_role("button", name="Apps").focus()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    assert focused(page) == "Wiki"
    with page.expect_navigation():
        page.keyboard.press(" ")
    assert page.url == f"{bar_site.wiki}/plain"
    page_errors.assert_none()


def _axe(page):
    page.evaluate("Promise.all(document.querySelector('masthead-bar').shadowRoot.getAnimations()"
                  ".map((a) => a.finished))")  # a menu fading in is not its final contrast
    results = Axe().run(page, context="masthead-bar", options={"runOnly": ["wcag2a", "wcag2aa", "wcag21aa",
                                                                             "wcag22aa", "best-practice"]})
    violations = results.response["violations"]
    assert violations == [], "\n".join(f"{v['id']}: {v['help']} {[n['html'] for n in v['nodes']]}"
                                       for v in violations)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("origin", ["host", "wiki"])  # a dark accent (blue) and a light one (yellow)
def test_axe_finds_no_violations(page, context, page_errors, bar_site, scheme, origin):
    page.emulate_media(color_scheme=scheme)
    page.goto(bar_site.url(origin=getattr(bar_site, origin), APP="wiki" if origin == "wiki" else "notes"))
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible()
    _axe(page)
    bar(page).get_by_role("button", name="Apps").click()
    expect(bar(page).get_by_role("menu", name="Apps")).to_be_visible()
    expect(bar(page).locator(".tile img")).to_have_count(2)
    _axe(page)
    page.keyboard.press("Escape")
    bar_site.sign_in(context)
    page.reload()
    expect(bar(page).get_by_role("button", name=ACCOUNT)).to_be_visible()
    page.evaluate("Masthead.ready()")
    _axe(page)
    bar(page).get_by_role("button", name=ACCOUNT).click()
    expect(bar(page).get_by_role("menu", name="Account")).to_be_visible()
    _axe(page)
    page_errors.messages[:] = [m for m in page_errors.messages if "Failed to load resource" not in m]
    page_errors.assert_none()


def test_accent_text_colour_is_readable(page, bar_site):
    """The sign-in button's text is black on a light accent and white on a dark one (WCAG AA)."""
    colours = {}
    for origin, app in ((bar_site.host, "notes"), (bar_site.wiki, "wiki")):
        page.goto(bar_site.url(origin=origin, APP=app))
        link = bar(page).get_by_role("link", name="Sign in")
        expect(link).to_be_visible()
        colours[app] = link.evaluate("(el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]")
    assert colours == {"notes": ["rgb(255, 255, 255)", "rgb(37, 99, 235)"],
                       "wiki": ["rgb(0, 0, 0)", "rgb(245, 180, 0)"]}


def test_reduced_motion_turns_the_menu_animation_off(page, bar_site):
    page.emulate_media(reduced_motion="reduce")
    page.goto(bar_site.url())
    bar(page).get_by_role("button", name="Apps").click()
    name = bar(page).locator(".pop:popover-open").evaluate("(el) => getComputedStyle(el).animationName")
    assert name == "none"
