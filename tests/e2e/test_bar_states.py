"""The bar against a real identity API: what it shows signed out and in, its menus, sign-in and sign-out
round trips, safe rendering, and the public JavaScript API (issue 3)."""

from __future__ import annotations

import json
import re
import urllib.request
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

ACCOUNT = re.compile(r"^Account: ")


def bar(page):
    return page.locator("masthead-bar")


def open_signed_out(page, site, name="plain", **params):
    page.goto(site.url(name, **params))
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible()


def open_signed_in(page, site, name="plain", **params):
    page.goto(site.url(name, **params))
    expect(bar(page).get_by_role("button", name=ACCOUNT)).to_be_visible()


def identity_me(site, token: str) -> dict:
    """GET /api/me on the identity API with a Bearer token, from outside the browser."""
    netloc = urlsplit(site.id_url).netloc
    request = urllib.request.Request(f"http://127.0.0.1:{site.identity.port}/api/me",
                                     headers={"Authorization": f"Bearer {token}", "Host": netloc})
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.loads(response.read())


def test_anonymous_visit_shows_sign_in_and_no_console_error(page, page_errors, bar_site):
    open_signed_out(page, bar_site)
    assert page.evaluate("Masthead.ready()") is None
    assert page.evaluate("Masthead.user") is None
    expect(bar(page)).to_contain_text("Notes")  # the current app's name from the registry
    expect(bar(page).get_by_role("link", name="Notes")).to_have_attribute("href", f"{bar_site.host}/plain")
    href = bar(page).get_by_role("link", name="Sign in").get_attribute("href")
    assert href == f"{bar_site.id_url}/sign-in?next=" + urllib.request.quote(page.url, safe="")
    page_errors.assert_none()


def test_sign_in_comes_back_to_the_same_page(page, page_errors, bar_site):
    open_signed_out(page, bar_site, draft="42")
    start = page.url
    bar(page).get_by_role("link", name="Sign in").click()
    expect(page).to_have_url(re.compile(re.escape(f"{bar_site.id_url}/sign-in?next=")))
    page.fill("#email", "ada@example.com")
    page.fill("#password", "correct horse battery staple 42")
    page.click("button[type=submit]")
    expect(page).to_have_url(start)
    expect(bar(page).get_by_role("button", name="Account: Ada Lovelace")).to_be_visible()
    page_errors.assert_none()


def test_signed_in_shows_initials_and_the_account_menu(page, context, page_errors, bar_site):
    bar_site.sign_in(context)
    open_signed_in(page, bar_site)
    avatar = bar(page).get_by_role("button", name="Account: Ada Lovelace")
    expect(avatar).to_have_text("AL")
    expect(avatar).to_have_attribute("aria-haspopup", "menu")
    expect(avatar).to_have_attribute("aria-expanded", "false")
    assert page.evaluate("Masthead.ready()") == {"id": "1", "name": "Ada Lovelace", "email": "ada@example.com",
                                                 "initials": "AL", "avatar": None}
    avatar.click()
    expect(avatar).to_have_attribute("aria-expanded", "true")
    menu = bar(page).get_by_role("menu", name="Account")
    expect(menu).to_be_visible()
    assert avatar.get_attribute("aria-controls") == menu.get_attribute("id")
    panel = bar(page).locator(".pop:popover-open")
    expect(panel).to_contain_text("Ada Lovelace")
    expect(panel).to_contain_text("ada@example.com")
    items = menu.get_by_role("menuitem")
    expect(items).to_have_text(["Manage account", "Sign out"])
    expect(items.first).to_have_attribute("href", f"{bar_site.id_url}/account")
    page_errors.assert_none()


def test_switcher_lists_every_app_and_marks_the_current_one(page, page_errors, bar_site):
    open_signed_out(page, bar_site)
    button = bar(page).get_by_role("button", name="Apps")
    button.click()
    menu = bar(page).get_by_role("menu", name="Apps")
    expect(menu).to_be_visible()
    items = menu.get_by_role("menuitem")
    for i, name in enumerate(["Notes", "Wiki", "Forum"]):
        expect(items.nth(i)).to_have_accessible_name(name)
    expect(items).to_have_count(3)
    expect(items.nth(0)).to_have_attribute("aria-current", "true")
    expect(items.nth(1)).not_to_have_attribute("aria-current", "true")
    expect(items.nth(1)).to_have_attribute("href", f"{bar_site.wiki}/plain")
    expect(items.nth(2)).to_have_attribute("href", "http://forum.other.test:9/")
    expect(items.nth(0).locator("img")).to_have_attribute("src", f"{bar_site.id_url}/static/icons/notes.svg")
    page.mouse.click(5, 300)  # a click outside closes it
    expect(menu).to_be_hidden()
    expect(button).to_have_attribute("aria-expanded", "false")
    page_errors.assert_none()


def test_sign_out_from_the_menu_ends_the_session_and_clears_the_hint(page, context, page_errors, bar_site):
    bar_site.sign_in(context)
    open_signed_in(page, bar_site)
    hint = json.loads(page.evaluate("localStorage.getItem('masthead:hint')"))
    assert hint["u"]["name"] == "Ada Lovelace"
    assert "token" not in json.dumps(hint) and "ada@example.com" not in json.dumps(hint)  # non-secret only
    # (the trailing 0: evaluate() would call a returned function, here the unsubscribe function)
    page.evaluate("window.__changes = []; Masthead.on('change', (u) => __changes.push(u)); 0")
    bar(page).get_by_role("button", name=ACCOUNT).click()
    bar(page).get_by_role("menuitem", name="Sign out").click()
    sign_in = bar(page).get_by_role("link", name="Sign in")
    expect(sign_in).to_be_visible()
    expect(sign_in).to_be_focused()  # focus moves to what replaced the menu, not to <body>
    assert page.evaluate("localStorage.getItem('masthead:hint')") is None
    assert page.evaluate("__changes") == [None]
    me = page.evaluate(f"fetch('{bar_site.id_url}/api/me', {{credentials: 'include'}}).then(r => r.json())")
    assert me["user"] is None  # the session really ended on the identity API
    page.reload()
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible()
    page_errors.assert_none()


def test_get_token_is_accepted_by_the_identity_api_and_cached(page, context, page_errors, bar_site):
    requests = []
    page.on("request", lambda r: r.url.endswith("/api/tokens") and r.method == "POST" and requests.append(r))
    open_signed_out(page, bar_site)
    error = page.evaluate("Masthead.getToken().then(() => 'resolved', (e) => e instanceof Error && e.message)")
    assert error == "Masthead.getToken: not signed in"
    bar_site.sign_in(context)
    open_signed_in(page, bar_site)
    token = page.evaluate("Masthead.getToken()")
    assert identity_me(bar_site, token)["user"]["email"] == "ada@example.com"
    assert page.evaluate("Masthead.getToken()") == token
    assert len(requests) == 1
    assert requests[0].headers["content-type"] == "application/json"
    assert requests[0].post_data_json == {"audience": "notes"}
    page_errors.assert_none()


def test_markup_in_names_renders_as_text(page, context, page_errors, bar_site):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    bar_site.sign_in(context, "mallory@example.com")
    name = "<img src=x onerror=alert(1)> Mallory"
    open_signed_in(page, bar_site)
    avatar = bar(page).get_by_role("button", name=f"Account: {name}")
    expect(avatar).to_be_visible()
    avatar.click()
    expect(bar(page).locator(".un")).to_have_text(name)
    assert page.evaluate("document.querySelector('masthead-bar').shadowRoot.querySelectorAll('img').length") == 0
    assert dialogs == []
    page_errors.assert_none()


def _rewrite_me(page, site, change):
    """Serve /api/me from the real API, with ``change(body)`` applied (a compromised or buggy registry).

    The real request is made from Python: Playwright's own fetch cannot resolve the ``*.test`` names."""
    def handle(route):
        sent = route.request.all_headers()
        headers = {"Host": urlsplit(site.id_url).netloc,
                   **{k: v for k, v in sent.items() if k in ("cookie", "origin")}}
        request = urllib.request.Request(f"http://127.0.0.1:{site.identity.port}/api/me", headers=headers)
        with urllib.request.urlopen(request, timeout=5) as response:
            body = json.loads(response.read())
            kept = {k: v for k, v in response.headers.items() if k.lower().startswith("access-control")}
        change(body)
        route.fulfill(status=200, json=body, headers=kept)
    page.route("**/api/me", handle)


@pytest.mark.parametrize("avatar, shown", [
    ("javascript:window.__pwned=1", False),
    ("data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg'/>", False),
    ("http://avatars.example/a.png", False),
    ("//avatars.example/a.png", False),
    ("https://avatars.example/a.png", True),
    ("/static/icons/docs.svg", True),  # the identity origin
])
def test_avatar_urls_are_https_or_the_identity_origin(page, context, page_errors, bar_site, avatar, shown):
    page.route("https://avatars.example/**", lambda route: route.fulfill(
        body="<svg xmlns='http://www.w3.org/2000/svg' width='8' height='8'/>", content_type="image/svg+xml"))

    def change(body):
        body["user"]["avatar"] = avatar
        body["user"]["name"] = '<img src=x onerror="window.__pwned=1">'
    _rewrite_me(page, bar_site, change)
    bar_site.sign_in(context)
    open_signed_in(page, bar_site)
    image = bar(page).get_by_role("button", name=ACCOUNT).locator("img")
    if shown:
        expect(image).to_have_count(1)
        assert image.get_attribute("src").startswith(("https://avatars.example/", bar_site.id_url + "/static/"))
    else:
        expect(image).to_have_count(0)
        expect(bar(page).get_by_role("button", name=ACCOUNT)).to_have_text("AL")
    assert page.evaluate("Masthead.user.avatar") == (page.evaluate("Masthead.user.avatar") if shown else None)
    assert page.evaluate("window.__pwned") is None
    page_errors.assert_none()


def test_links_go_only_to_registered_apps_and_the_identity_api(page, context, page_errors, bar_site):
    def change(body):
        body["apps"] += [{"id": "evil", "name": "Evil", "url": "javascript:window.__pwned=1", "color": "red"},
                         {"id": "data", "name": "Data", "url": "data:text/html,<script>1</script>"},
                         {"id": "Bad Id", "name": "Bad", "url": "https://bad.example/"},
                         {"id": "css", "name": "Css", "url": "https://css.example/",
                          "color": "#fff;}:host{display:none", "icon": "javascript:1"}]
        body["links"] = {"sign_in": "https://evil.example/sign-in", "account": "javascript:window.__pwned=1"}
    _rewrite_me(page, bar_site, change)
    page.goto(bar_site.url())
    sign_in = bar(page).get_by_role("link", name="Sign in")
    expect(sign_in).to_have_attribute("href", re.compile("^" + re.escape(f"{bar_site.id_url}/sign-in?next=")))
    bar(page).get_by_role("button", name="Apps").click()
    items = bar(page).get_by_role("menu", name="Apps").get_by_role("menuitem")
    for i, name in enumerate(["Notes", "Wiki", "Forum", "Css"]):
        expect(items.nth(i)).to_have_accessible_name(name)
    expect(items).to_have_count(4)
    expect(items.nth(3)).to_have_attribute("href", "https://css.example/")
    expect(items.nth(3).locator("img")).to_have_count(0)
    expect(bar(page)).to_be_visible()
    bar_site.sign_in(context)
    page.reload()
    bar(page).get_by_role("button", name=ACCOUNT).click()
    expect(bar(page).get_by_role("menuitem", name="Manage account")).to_have_attribute(
        "href", f"{bar_site.id_url}/account")
    assert page.evaluate("window.__pwned") is None
    page_errors.assert_none()


VALIDATION = [
    ("Masthead.on('chnage', () => {})", 'Masthead.on: unknown event "chnage" (expected "change")'),
    ("Masthead.on('change')", "Masthead.on: the listener must be a function (got undefined)"),
    ("Masthead.on('change', 'f')", "Masthead.on: the listener must be a function (got string)"),
    ("Masthead.on('change', null)", "Masthead.on: the listener must be a function (got null)"),
    ("Masthead('nope')", 'Masthead: unknown method "nope"'),
    ("Masthead('toString')", 'Masthead: unknown method "toString"'),
]


def test_public_api_validates_arguments_at_once(page, page_errors, bar_site):
    open_signed_out(page, bar_site)
    for call, message in VALIDATION:
        result = page.evaluate(f"(() => {{ try {{ {call}; return 'no error'; }} "
                               f"catch (e) {{ return [e.constructor.name, e.message]; }} }})()")
        assert result == ["TypeError", message], call
    # on() returns an unsubscribe function; the function form works after load too.
    assert page.evaluate("""(() => {
        const seen = [], off = Masthead.on('change', (u) => seen.push(u));
        document.dispatchEvent(new CustomEvent('masthead:change', {detail: {user: null}}));
        off();
        document.dispatchEvent(new CustomEvent('masthead:change', {detail: {user: null}}));
        return [seen.length, typeof off, typeof Masthead('ready').then];
    })()""") == [1, "function", "function"]
    assert page.evaluate("Object.keys(Masthead).sort()") == ["getToken", "on", "ready", "refresh", "signIn",
                                                              "signOut"]
    page_errors.assert_none()


def test_queue_stub_calls_are_replayed(page, page_errors, bar_site):
    page.goto(bar_site.url("stub"))
    page.wait_for_function("window.__changes.length === 1")
    assert page.evaluate("__changes") == [None]
    assert page.evaluate("typeof Masthead.getToken") == "function"
    assert len(page_errors.messages) == 1
    assert page_errors.messages[0].startswith('console: TypeError: Masthead: unknown method "nope"')


def test_loading_the_script_twice_makes_one_bar_and_creates_its_own_host(page, page_errors, bar_site):
    page.goto(bar_site.url("no_placeholder"))
    expect(bar(page).get_by_role("link", name="Sign in")).to_be_visible()
    page.wait_for_load_state("load")
    assert page.locator("masthead-bar").count() == 1
    assert page.evaluate("document.body.firstElementChild.tagName") == "MASTHEAD-BAR"
    box = bar(page).bounding_box()
    assert box["y"] == 0 and box["height"] == 48
    page_errors.assert_none()


def test_missing_data_app_is_one_clear_console_error(page, page_errors, bar_site):
    page.goto(bar_site.url("missing_app"))
    page.wait_for_load_state("load")
    page.wait_for_function("performance.getEntriesByType('resource').some(e => e.name.endsWith('/masthead.js'))")
    page.wait_for_timeout(0)
    assert page.evaluate("typeof window.Masthead") == "undefined"
    assert page.evaluate("document.querySelector('masthead-bar').shadowRoot") is None
    assert page_errors.messages == ['console: Masthead: the script tag needs data-app="<app id>"']
