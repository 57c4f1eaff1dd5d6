"""Find a Chromium for Playwright, or install one.

Order: ``MASTHEAD_CHROMIUM``, Playwright's own downloaded browser, then ``chromium`` /
``chromium-browser`` / ``google-chrome`` on PATH. ``python -m tests.browser --ensure`` installs one when
none is found (Debian's package when root, else ``playwright install chromium``) or exits with a message.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

PATH_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")

#: Flags that matter on locked-down machines: root, no GPU, no outside network.
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-gpu",
    "--disable-quic",
    "--host-resolver-rules=MAP *.test 127.0.0.1",
]


def _playwright_browser() -> str | None:
    """Path of Playwright's own Chromium when it has been downloaded."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    try:
        with sync_playwright() as p:
            path = p.chromium.executable_path
    except Exception:
        return None
    return path if path and Path(path).is_file() else None


def find_chromium() -> str | None:
    """The Chromium executable to use, or None."""
    explicit = os.environ.get("MASTHEAD_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).is_file() else None
    own = _playwright_browser()
    if own:
        return own
    for name in PATH_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def ensure_chromium() -> str:
    """Find a Chromium, installing one if needed; exit with a clear message if impossible."""
    found = find_chromium()
    if found:
        return found
    if os.environ.get("MASTHEAD_CHROMIUM"):
        sys.exit(f"MASTHEAD_CHROMIUM={os.environ['MASTHEAD_CHROMIUM']} is not a file.")
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("No Chromium found: installing Debian's chromium package...", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], check=False, env=env)
    else:
        print("No Chromium found: running 'playwright install chromium'...", flush=True)
        subprocess.run([sys.executable, "-m", "playwright", "install", "chromium"], check=False)
    found = find_chromium()
    if not found:
        sys.exit(
            "No Chromium could be found or installed. Install Chromium or Chrome, or set "
            "MASTHEAD_CHROMIUM=/path/to/chrome, then run make test again."
        )
    return found


if __name__ == "__main__":
    path = ensure_chromium() if "--ensure" in sys.argv else find_chromium()
    print(f"browser: {path}")
