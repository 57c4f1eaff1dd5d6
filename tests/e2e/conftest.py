"""Browser fixtures: Playwright driving a real Chromium, failing on any page error it records."""

from __future__ import annotations

import pytest

from tests.browser import LAUNCH_ARGS, find_chromium


def pytest_collection_modifyitems(items):
    """Every test under tests/e2e is a browser test (``-m "not e2e"`` skips them)."""
    for item in items:
        if "/e2e/" in str(item.fspath).replace("\\", "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch the Chromium found by tests.browser with flags for a closed, root-run machine."""
    path = find_chromium()
    if path is None:
        pytest.fail("No Chromium found: run `make test` (it installs one) or set MASTHEAD_CHROMIUM.")
    return {**browser_type_launch_args, "executable_path": path, "args": LAUNCH_ARGS}


@pytest.fixture(scope="session")
def base_url():
    """No base URL (tests use absolute URLs). Replaces pytest-base-url's fixture, which pytest 9 warns about
    (a class-method session fixture) and ``filterwarnings = error`` turns into an error."""
    return None


class PageErrors:
    """Console errors, uncaught exceptions and unhandled rejections seen by a page."""

    def __init__(self, page):
        self.messages: list[str] = []
        page.on("console", lambda msg: msg.type == "error" and self.messages.append(f"console: {msg.text}"))
        page.on("pageerror", lambda exc: self.messages.append(f"pageerror: {exc}"))

    def assert_none(self):
        assert not self.messages, "page reported errors:\n" + "\n".join(self.messages)


@pytest.fixture
def page_errors(page):
    """Record the page's errors; call ``page_errors.assert_none()`` where the test expects none."""
    return PageErrors(page)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """On a failed browser test, save a screenshot and the recorded page errors next to the logs."""
    outcome = yield
    report = outcome.get_result()
    if report.when != "call" or not report.failed:
        return
    page = item.funcargs.get("page")
    tmp_path = item.funcargs.get("tmp_path")
    if page is None or tmp_path is None:
        return
    try:
        shot = tmp_path / "failure.png"
        page.screenshot(path=str(shot), full_page=True)
        report.sections.append(("browser", f"screenshot: {shot}\nurl: {page.url}"))
    except Exception as exc:  # the page may be closed already
        report.sections.append(("browser", f"no screenshot: {exc}"))
    errors = item.funcargs.get("page_errors")
    if errors is not None and errors.messages:
        report.sections.append(("page errors", "\n".join(errors.messages)))


def sign_in_with_form(context, id_url: str, email: str, password: str) -> None:
    """Sign a browser context in through the identity API's own form (the cookie lands on its origin).

    A page of its own does it: Playwright's request API cannot resolve the ``*.test`` names."""
    page = context.new_page()
    try:
        page.goto(f"{id_url}/sign-in")
        page.fill("#email", email)
        page.fill("#password", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        assert "/sign-in" not in page.url, page.content()
    finally:
        page.close()


# -- the bar (issue 3): a real identity API and a host-page server, shared by a test module -------------
from dataclasses import dataclass  # noqa: E402
from tests.conftest import identity_env, run_cli  # noqa: E402
from tests.servers import REPO, Server, free_port, start_server  # noqa: E402

BAR_PASSWORD = "correct horse battery staple 42"
BAR_USERS = {
    "ada@example.com": "Ada Lovelace",
    "grace@example.com": "Grace Hopper",
    "mallory@example.com": "<img src=x onerror=alert(1)> Mallory",
}


@dataclass
class BarSite:
    """An identity API at ``id.family.test`` and host pages at ``notes.family.test`` (app ``notes``) and
    ``wiki.family.test`` (app ``wiki``, with a hand-over path), plus ``forum`` on another site."""

    identity: Server
    env: dict
    pages: Server
    host: str
    wiki: str

    @property
    def id_url(self) -> str:
        return self.identity.url

    def url(self, name: str = "plain", origin: str | None = None, **params: str) -> str:
        """A host page URL; ``params`` fill the page's ``{{KEY}}`` placeholders."""
        from urllib.parse import urlencode

        query = f"?{urlencode(params)}" if params else ""
        return f"{origin or self.host}/{name}{query}"

    def sign_in(self, context, email: str = "ada@example.com") -> None:
        """Sign ``context`` in through the identity API's sign-in form."""
        sign_in_with_form(context, self.id_url, email, BAR_PASSWORD)

    def reset_handover(self, origin: str) -> None:
        """Forget the stand-in app session and its recorded calls for ``origin``."""
        import urllib.request

        request = urllib.request.Request(f"http://127.0.0.1:{self.pages.port}/__reset", method="POST",
                                         headers={"Host": origin.split("//", 1)[1]}, data=b"")
        urllib.request.urlopen(request, timeout=5).close()

    def handover_calls(self, origin: str) -> list[dict]:
        import json
        import urllib.request

        request = urllib.request.Request(f"http://127.0.0.1:{self.pages.port}/__calls",
                                         headers={"Host": origin.split("//", 1)[1]})
        with urllib.request.urlopen(request, timeout=5) as response:
            return json.loads(response.read())


def start_bar_site(stack, tmp_path) -> BarSite:
    """Start the identity API and the host-page server, register the apps and users."""
    import sys

    id_port, pages_port = free_port(), free_port()
    id_url = f"http://id.family.test:{id_port}"
    db = tmp_path / "identity" / "masthead.sqlite3"
    db.parent.mkdir(parents=True, exist_ok=True)
    env = identity_env(db, id_url, MASTHEAD_SIGNIN_LIMIT_ACCOUNT="1000 per minute",
                       MASTHEAD_SIGNIN_LIMIT_CLIENT="1000 per minute", MASTHEAD_TOKEN_LIMIT_CLIENT="1000 per minute",
                       MASTHEAD_REGISTRY_TTL="0")
    host, wiki = f"http://notes.family.test:{pages_port}", f"http://wiki.family.test:{pages_port}"
    run_cli(env, "apps", "add", "notes", "--name", "Notes", "--origin", host, "--url", f"{host}/plain",
            "--color", "#2563eb", "--icon", f"{id_url}/static/icons/notes.svg")
    run_cli(env, "apps", "add", "wiki", "--name", "Wiki", "--origin", wiki, "--url", f"{wiki}/plain",
            "--color", "#f5b400", "--icon", f"{id_url}/static/icons/wiki.svg", "--handover", "/.masthead/session")
    run_cli(env, "apps", "add", "forum", "--name", "Forum", "--origin", "http://forum.other.test:9",
            "--url", "http://forum.other.test:9/", "--color", "#16a34a")
    for email, name in BAR_USERS.items():
        run_cli(env, "users", "create", email, "--name", name, input=BAR_PASSWORD + "\n")
    log_dir = tmp_path / "logs"
    identity = start_server("identity", [sys.executable, "-m", "identity_api", "serve", "--host", "127.0.0.1",
                                         "--port", str(id_port)],
                            port=id_port, log_dir=log_dir, env=env, public_host="id.family.test")
    stack.callback(identity.stop)
    pages = start_server("pages", [sys.executable, str(REPO / "tests" / "e2e" / "pages" / "host_server.py"),
                                   str(pages_port)],
                         port=pages_port, log_dir=log_dir, env={"MASTHEAD_TEST_ID": id_url})
    stack.callback(pages.stop)
    return BarSite(identity=identity, env=env, pages=pages, host=host, wiki=wiki)


@pytest.fixture(scope="module")
def bar_site(tmp_path_factory):
    """One identity API + host-page server per test module (browser contexts keep tests apart)."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        yield start_bar_site(stack, tmp_path_factory.mktemp("bar"))


@pytest.fixture
def own_bar_site(tmp_path):
    """A private identity API + host-page server, for a test that stops or breaks them."""
    from contextlib import ExitStack

    with ExitStack() as stack:
        yield start_bar_site(stack, tmp_path)
