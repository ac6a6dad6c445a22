"""Browser tests: Debian's Chromium driven by Playwright's Python API against Django's live server."""

import os
from pathlib import Path

import pytest

from sangathan.testing import require, sent_code

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

# Playwright's sync API runs an event loop in this thread; the live server's database access is in
# other threads, and the test's own ORM calls are plain synchronous code.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    require(f"Chromium ({CHROMIUM})", present=Path(CHROMIUM).exists(), make_test="installs Debian's chromium")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 360, "height": 780}, device_scale_factor=1, locale="hi-IN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="hi-IN")
    page = context.new_page()
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def enter_sent_code(page, mobile: str) -> str:
    """The second step of a page that sent a code to ``mobile`` (+91…): read the code from the console
    outbox, as the person reads it in the SMS, type it in and send. Returns the code."""
    page.wait_for_selector("input[name=code]")
    code = sent_code(mobile)
    page.fill("input[name=code]", code)
    page.locator("input[name=code]").press("Enter")
    return code
