"""The demo family end to end (issue 4's "done when"): the identity API and the five apps as real
processes on their own localhost ports, started from the Procfile's commands with the launcher's
per-process environments; one real Chromium signs in once and is signed in on all five, and each app's
server-side work is attributed to the signed-in user. Signing out in one app signs every app out.
"""

from __future__ import annotations

import re
import subprocess
import sys
from contextlib import ExitStack

import pytest
from playwright.sync_api import expect

from demo_sites.launcher import APPS, USERS, Settings, app_env, identity_env, procfile
from tests.conftest import TEST_SECRET_KEY, run_cli
from tests.servers import free_port, start_server

ACCOUNT = re.compile(r"^Account: ")


@pytest.fixture(scope="module")
def family(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("demo-family")
    ports = {a.id: free_port() for a in APPS}
    settings = Settings(identity_port=free_port(), ports=ports, demo_dir=tmp, database=tmp / "masthead.sqlite3")
    base = {"MASTHEAD_ENV": "development", "MASTHEAD_SECRET_KEYS": TEST_SECRET_KEY}
    ident = {**identity_env(settings, base), "PYTHON": sys.executable, "BIND": "127.0.0.1",
             "PORT": str(settings.identity_port)}
    commands = procfile()
    with ExitStack() as stack:
        identity = start_server("identity", ["sh", "-c", commands["identity"]], port=settings.identity_port,
                                log_dir=tmp / "logs", env=ident, public_host="localhost")
        stack.callback(identity.stop)
        secrets = {}
        for app in APPS:
            secrets[app.id] = f"{app.id}-e2e-secret-0123456789abcdefghijklmnop"
            args = ["apps", "add", app.id, "--name", app.name, "--origin", settings.app_url(app.id),
                    "--url", settings.app_url(app.id) + "/", "--color", app.color, "--secret", secrets[app.id]]
            run_cli(ident, *args, *(["--handover", app.handover] if app.handover else []))
        for email, name, password in USERS:
            run_cli(ident, "users", "create", email, "--name", name, input=password + "\n")
        for app in APPS:
            env = {**app_env(settings, app, secrets[app.id], {}), "PYTHON": sys.executable, "BIND": "127.0.0.1",
                   "PORT": str(ports[app.id])}
            if app.id == "forum":
                subprocess.run([sys.executable, "-m", "demo_sites.forum.manage", "migrate", "--noinput"],
                               env={**env, "PATH": "/usr/bin:/bin"}, check=True, capture_output=True)
            server = start_server(app.id, ["sh", "-c", commands[app.id]], port=ports[app.id],
                                  log_dir=tmp / "logs", env=env, public_host="localhost")
            stack.callback(server.stop)
        yield settings


def signed_in_bar(page):
    expect(page.locator("masthead-bar").get_by_role("button", name=ACCOUNT)).to_be_visible(timeout=15000)


def test_sign_in_once_signed_in_everywhere_with_attributed_work(page, family):
    url = family.app_url
    email, name, password = USERS[0]
    page.goto(url("notes") + "/", wait_until="commit")
    expect(page.locator("masthead-bar").get_by_role("link", name="Sign in")).to_be_visible(timeout=15000)
    page.locator("masthead-bar").get_by_role("link", name="Sign in").click()
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")

    # Notes: back on the app, handed over, reloaded into the signed-in view; a note is Ada's alone.
    expect(page.get_by_text("New note, Ada")).to_be_visible(timeout=15000)
    signed_in_bar(page)
    page.fill("#body", "e2e: a note by Ada")
    page.click("form.compose button")
    expect(page.locator(".note", has_text="e2e: a note by Ada")).to_be_visible()

    # Forum (Django): signed in without signing in again; the thread is attributed to Ada.
    page.goto(url("forum") + "/", wait_until="commit")
    expect(page.get_by_role("button", name="Post as Ada Lovelace")).to_be_visible(timeout=15000)
    page.fill("#title", "e2e thread")
    page.fill("#body", "Posted through the bar's hand-over.")
    page.click("aside form button")
    expect(page.locator(".post.opening .author")).to_have_text("Ada Lovelace")

    # Wiki (Bottle): the edit lands in the history under Ada's name.
    page.goto(url("wiki") + "/wiki/e2e/edit", wait_until="commit")
    expect(page.locator("form.editor")).to_be_visible(timeout=15000)
    page.fill("#body", "Written in the end-to-end test.")
    page.click("form.editor button")
    expect(page.locator(".byline strong")).to_have_text("Ada Lovelace")  # saved: the POST has landed
    page.goto(url("wiki") + "/wiki/e2e/history", wait_until="commit")
    expect(page.locator(".rev-author")).to_have_text(["Ada Lovelace"])

    # Tasks (FastAPI): the page's script calls the API with Bearer tokens from Masthead.getToken().
    page.goto(url("tasks") + "/", wait_until="commit")
    expect(page.locator("#signed-in")).to_be_visible(timeout=15000)
    page.fill("#title", "e2e task")
    page.press("#title", "Enter")
    expect(page.locator("#list li", has_text="e2e task")).to_be_visible()

    # Docs (static): the bar alone knows Ada.
    page.goto(url("docs") + "/", wait_until="commit")
    signed_in_bar(page)
    assert page.evaluate("() => Masthead.user && Masthead.user.name") == name

    # Sign out from one app: every app's pages become anonymous (the bar clears each hand-over).
    page.goto(url("wiki") + "/", wait_until="commit")
    signed_in_bar(page)
    page.evaluate("() => Masthead.signOut()")
    # The wiki's own page reloads itself into the anonymous view once the bar has cleared its session.
    expect(page.get_by_text("Sign in to edit").first).to_be_visible(timeout=15000)
    for app, anonymous_text in (("notes", "Sign in to write notes"), ("forum", "Sign in to post")):
        page.goto(url(app) + "/", wait_until="commit")
        expect(page.get_by_text(anonymous_text).first).to_be_visible(timeout=15000)
    page.goto(url("tasks") + "/", wait_until="commit")
    expect(page.locator("#signed-out")).to_be_visible(timeout=15000)


def test_each_app_holds_only_its_own_secret(family):
    envs = {app.id: app_env(family, app, f"secret-{app.id}", {"MASTHEAD_SECRET_KEYS": "k"}) for app in APPS}
    for app_id, env in envs.items():
        others = [f"secret-{a.id}" for a in APPS if a.id != app_id]
        assert not any(secret in env.values() for secret in others)
        assert "MASTHEAD_SECRET_KEYS" not in env
