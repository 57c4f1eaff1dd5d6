"""Take the README's screenshots of a running demo family: ``python -m demo_sites.screenshots``.

Start the family first (``make demo``). Signs in as Ada through the identity API's page, does a little real
work in each app (so the pictures show attributed content), and saves ``docs/screenshots/demo-<app>.png``.
Environment: ``MASTHEAD_HOST``/``MASTHEAD_PORT*`` as for the launcher, ``MASTHEAD_CHROMIUM`` for the browser.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from demo_sites.launcher import USERS, Settings

OUT = Path(os.environ.get("MASTHEAD_SCREENSHOTS_DIR") or Path(__file__).resolve().parent.parent / "docs" / "screenshots")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]


def main() -> None:
    from playwright.sync_api import expect, sync_playwright

    settings = Settings.from_env()
    email, _, password = USERS[0]
    OUT.mkdir(parents=True, exist_ok=True)
    url = settings.app_url
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("MASTHEAD_CHROMIUM", "/usr/bin/chromium"),
                                    args=ARGS)
        page = browser.new_context(viewport={"width": 1280, "height": 760}, color_scheme="light").new_page()
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(f"{page.url}: {m.text}"))
        page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))

        # Sign in once, from Notes, through the identity API's page.
        page.goto(url("notes") + "/")
        page.goto(f"{settings.identity_url}/sign-in?next={url('notes')}/")
        page.fill("input[name=email]", email)
        page.fill("input[name=password]", password)
        page.click("button[type=submit]")
        expect(page.get_by_text("New note, Ada")).to_be_visible(timeout=15000)
        if page.locator(".note").count() == 0:
            for body in ("Buy more punched cards for the loom.", "Note G: the algorithm for Bernoulli numbers.",
                         "Ask Charles about the difference engine funding."):
                page.fill("#body", body)
                page.click("form.compose button")
        page.mouse.move(0, 0)
        page.screenshot(path=str(OUT / "demo-notes.png"))

        page.goto(url("forum") + "/")
        expect(page.get_by_text("Post as Ada Lovelace")).to_be_visible(timeout=15000)
        if page.locator(".thread-list li").count() == 0:
            for title, body in (("Welcome to the family forum", "Introduce yourself here!"),
                                ("Which framework should the next app use?", "Flask, Django, Bottle, FastAPI... "
                                 "all of them share one bar.")):
                page.goto(url("forum") + "/")
                page.fill("#title", title)
                page.fill("#body", body)
                page.click("aside form button")
                page.fill("#body", "Ada here: first reply, attributed to me by the forum's own database.")
                page.click(".reply-box button")
        # Grace, in her own browser, replies on the forum and edits the wiki: attribution to two people.
        grace = browser.new_context(viewport={"width": 1280, "height": 760}).new_page()
        grace.goto(f"{settings.identity_url}/sign-in?next={url('forum')}/")
        grace.fill("input[name=email]", USERS[1][0])
        grace.fill("input[name=password]", USERS[1][2])
        grace.click("button[type=submit]")
        expect(grace.get_by_text("Post as Grace Hopper")).to_be_visible(timeout=15000)
        grace.click("text=Which framework should the next app use?")
        if grace.locator(".post.reply .author", has_text="Grace Hopper").count() == 0:
            grace.fill("#body", "Grace here: whichever one its team knows best. The bar doesn't mind.")
            grace.click(".reply-box button")
        grace.goto(url("wiki") + "/wiki/welcome/edit")
        expect(grace.locator("#body")).to_be_visible(timeout=15000)
        if "Grace" not in grace.input_value("#body"):
            grace.fill("#body", grace.input_value("#body")
                       + "\n\nGrace added: every edit is signed by its author.")
            grace.fill("#summary", "Explain the history")
            grace.click("form.editor button")

        page.goto(url("forum") + "/")
        page.click("text=Which framework should the next app use?")
        page.screenshot(path=str(OUT / "demo-forum.png"))

        page.goto(url("wiki") + "/wiki/welcome")
        expect(page.locator("a.tab", has_text="Edit")).to_be_visible(timeout=15000)
        if "Ada Lovelace" not in page.content():
            page.click("a.tab:has-text('Edit')")
            page.fill("#body", page.input_value("#body") + "\n\nAda added: the family now has five apps, "
                      "each in its own framework.")
            page.fill("#summary", "Mention the five apps")
            page.click("form.editor button")
        page.goto(url("wiki") + "/wiki/welcome/history")
        page.screenshot(path=str(OUT / "demo-wiki.png"))

        page.goto(url("tasks") + "/")
        expect(page.locator("#signed-in")).to_be_visible(timeout=15000)
        expect(page.locator("#status")).to_have_text("", timeout=15000)
        if page.locator("#list li").count() == 0:
            for title in ("Register the five apps", "Write the hand-over endpoint", "Take the screenshots"):
                page.fill("#title", title)
                page.press("#title", "Enter")
                expect(page.locator("#list li", has_text=title)).to_be_visible()
            page.locator("#list li", has_text="Register the five apps").locator("input").check()
            expect(page.locator("#list li.done")).to_have_count(1)
        page.screenshot(path=str(OUT / "demo-tasks.png"))

        page.goto(url("docs") + "/")
        page.wait_for_function("() => document.querySelector('masthead-bar')?.shadowRoot")
        page.screenshot(path=str(OUT / "demo-docs.png"))
        browser.close()
    if errors:
        print("page errors:\n" + "\n".join(errors), file=sys.stderr)
    print(f"saved {', '.join(sorted(p.name for p in OUT.glob('demo-*.png')))} in {OUT}")


if __name__ == "__main__":
    main()
