"""The docs and the admin render in a real browser under their Content-Security-Policy.

Debian's Chromium (/usr/bin/chromium), driven by Playwright against the live test server:
Swagger UI, ReDoc and the admin login must draw their content with no CSP violation and no
script error in the console.
"""

from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser(live_server):
    """Chromium, started after the live server and closed before the database is flushed
    (Playwright's event loop must not be running when Django tears the database down)."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield chromium
        chromium.close()


def visit(browser, site: str, path: str, ready_selector: str, screenshot: Path) -> list[str]:
    """Open `url`, wait for `ready_selector` and screenshot it; what went wrong: CSP violations,
    script errors, and error responses from this site (but the favicon it does not have).

    Failed loads from elsewhere (ReDoc's logo on its vendor's CDN) are not counted: this
    machine has no internet access, and the policy allows that one image.
    """
    page = browser.new_page()
    problems: list[str] = []

    def on_console(message):
        failed_load = message.text.startswith("Failed to load resource")
        if (message.type == "error" and not failed_load) or "Content Security Policy" in (
            message.text
        ):
            problems.append(message.text)

    def on_response(response):
        ours = response.url.startswith(site) and not response.url.endswith("/favicon.ico")
        if ours and response.status >= 400:
            problems.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    page.goto(site + path)
    page.wait_for_selector(ready_selector, timeout=20_000)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(screenshot), full_page=False)
    page.close()
    return problems


def test_swagger_ui_renders_under_the_policy(browser, live_server, tmp_path):
    problems = visit(
        browser, live_server.url, "/api/docs/", ".swagger-ui .info .title",
        tmp_path / "docs.png",
    )

    assert problems == []


def test_redoc_renders_under_the_policy(browser, live_server, tmp_path):
    problems = visit(
        browser, live_server.url, "/api/redoc/", "h1:has-text('HipKnee API')",
        tmp_path / "redoc.png",
    )

    assert problems == []


def test_the_admin_login_renders_under_the_policy(browser, live_server, tmp_path):
    problems = visit(
        browser, live_server.url, "/admin/login/", "#login-form", tmp_path / "admin.png"
    )

    assert problems == []
