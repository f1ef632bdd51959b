"""Browser-test fixtures: Debian's Chromium driven by Playwright, headless and offline.

No browser is downloaded: Playwright launches /usr/bin/chromium (`apt-get install chromium`,
done by .ci/run). Screenshots go to a temporary directory, or to the directory named by
HIPKNEE_SCREENSHOTS (e.g. docs/screenshots) when you want to refresh the README's images.
"""

import os
from pathlib import Path

import pytest
from django.db import connections
from playwright.sync_api import expect, sync_playwright

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture
def browser(monkeypatch):
    # Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
    # still plain synchronous code, so Django's async-safety guard is switched off here.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    # Generous waits: a loaded CI machine can take seconds to render the article's form.
    expect.set_options(timeout=20_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            # While Playwright's loop runs, Django keeps this thread's connections in a
            # separate context; close them here or PostgreSQL cannot drop the test database.
            connections.close_all()


@pytest.fixture
def screenshot_dir(tmp_path) -> Path:
    target = os.environ.get("HIPKNEE_SCREENSHOTS")
    path = Path(target) if target else tmp_path / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
