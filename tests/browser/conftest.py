"""Playwright driving Debian's Chromium against pytest-django's live server."""

import os
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are
# still synchronous, so let Django allow them.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PASSWORD = "correct horse battery staple"  # tests.factories.UserFactory's password


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: apt-get install chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.js_errors = errors
    # Console errors include Content-Security-Policy violations (an inline script or style).
    console_errors = []
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "/favicon.ico" not in message.location.get("url", "")
            and console_errors.append(message.text)
        ),
    )
    page.console_errors = console_errors
    yield page
    context.close()


@pytest.fixture
def login(page, live_server):
    """Log `user` in through the login form; return the page."""

    def log_in(user, password=PASSWORD):
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("Username").fill(user.username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(f"{live_server.url}/")
        return page

    return log_in


WIDTHS = (1440, 800)


def shoot(page, name: str) -> None:
    """The page at both widths the guide asks us to look at, saved into $SCREENSHOT_DIR when
    it is set (`SCREENSHOT_DIR=/tmp/shots pytest tests/browser/...`); resized either way, so
    a test that shoots also checks the page survives the narrow width."""
    directory = os.environ.get("SCREENSHOT_DIR")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        if directory:
            Path(directory).mkdir(parents=True, exist_ok=True)
            # caret="initial": hiding the caret injects a <style>, which the page's
            # Content-Security-Policy refuses (and the test would see a console error).
            page.screenshot(
                path=str(Path(directory) / f"{name}-{width}.png"), full_page=True, caret="initial"
            )
