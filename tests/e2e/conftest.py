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
