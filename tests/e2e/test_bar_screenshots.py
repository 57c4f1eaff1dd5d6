"""Screenshots of the bar on a plain host page, taken from the running code with headless Chromium.

Each run takes them (so a rendering crash fails here) into the test's tmp dir; with
``MASTHEAD_UPDATE_SCREENSHOTS=1`` they replace ``docs/screenshots/bar-*.png`` for the README.
"""

from __future__ import annotations

import os
import re

import pytest
from playwright.sync_api import expect

from tests.servers import REPO

ACCOUNT = re.compile(r"^Account: ")
SHOTS = [
    # name, viewport width, colour scheme, signed in, what to open
    ("signed-out", 960, "light", False, None),
    ("signed-in", 960, "light", True, None),
    ("menu-open", 960, "light", True, "account"),
    ("switcher-open", 960, "light", True, "apps"),
    ("dark", 960, "dark", True, "account"),
    ("narrow-320", 320, "light", True, "apps"),
]


@pytest.mark.parametrize("name, width, scheme, signed_in, open_", SHOTS, ids=[s[0] for s in SHOTS])
def test_screenshot(browser, bar_site, tmp_path, name, width, scheme, signed_in, open_):
    context = browser.new_context(viewport={"width": width, "height": 330 if width > 400 else 420},
                                  color_scheme=scheme, device_scale_factor=2, reduced_motion="reduce")
    try:
        page = context.new_page()
        if signed_in:
            bar_site.sign_in(context, "grace@example.com")
        page.goto(bar_site.url())
        bar = page.locator("masthead-bar")
        expect(bar.get_by_role("button", name=ACCOUNT) if signed_in else bar.get_by_role("link", name="Sign in")
               ).to_be_visible()
        if open_ == "account":
            bar.get_by_role("button", name=ACCOUNT).click()
            expect(bar.get_by_role("menu", name="Account")).to_be_visible()
        elif open_ == "apps":
            bar.get_by_role("button", name="Apps").click()
            expect(bar.locator(".tile img")).to_have_count(2)
            page.wait_for_function("[...document.querySelector('masthead-bar').shadowRoot.querySelectorAll('img')]"
                                   ".every((i) => i.complete)")
        page.mouse.move(0, 329)
        out = tmp_path / f"bar-{name}.png"
        page.screenshot(path=str(out), animations="disabled")
        assert out.stat().st_size > 1000
        if os.environ.get("MASTHEAD_UPDATE_SCREENSHOTS"):
            target = REPO / "docs" / "screenshots" / out.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(out.read_bytes())
    finally:
        context.close()
