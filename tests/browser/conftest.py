"""Browser tests: the real platform (Kafka, Redis, the four services as processes) driven by headless Chromium.

What every browser test module gets from here:

- `platform` (module scope, from demo/pytest_plugin.py): a `demo.platform.Platform` with its own Kafka and
  Redis, started once per module, with a real local SMTP server (`smtp`) receiving the notifier's e-mail;
- `people` (module scope): `People(platform)` to create page accounts, student links and API tokens;
- `browser` (session scope): Debian's Chromium (/usr/bin/chromium) through Playwright, never a downloaded build;
- `page_for(viewport)` (per test): a fresh browser context (no cookies) and page, `DESKTOP` or `PHONE` sized;
- `shot(page, step)` (per test): a screenshot to tests/screenshots/<test>-<step>.png;
- `login(page, base_url, username, password)`: sign in through the shared /login form.

Imports pytest, playwright, requests, stagepool_shared and the repository's demo/ helpers; never a service.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Callable, Iterator

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from demo.mailbox import SmtpServer
from demo.platform import Platform
from stagepool_shared.auth import Principal, TokenStore
from stagepool_shared.redis import connect
from stagepool_shared.web.accounts import Accounts

from browser_kit import DESKTOP, PASSWORD, PHONE, login  # noqa: F401 (the tests use them through here too)

SCREENSHOTS = Path(__file__).resolve().parents[1] / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


# --------------------------------------------------------------------------- the platform


@pytest.fixture(scope="module")
def smtp(smtp_server: SmtpServer) -> SmtpServer:
    """The module's real SMTP server (aiosmtpd); `platform` (demo/pytest_plugin.py) delivers to it."""
    return smtp_server


class People:
    """Creates the people of a journey directly in the platform's identity store."""

    def __init__(self, platform: Platform):
        self.platform = platform
        self.redis = connect(platform.redis.url)
        self.accounts = Accounts(self.redis)
        self.tokens = TokenStore(self.redis)

    def user(self, username: str, role: str, scope: str, region_id: str = "reg-test",
             password: str = PASSWORD) -> Principal:
        """A page account; signs in with `username` and `password`."""
        principal = Principal(user_id=f"usr-{username}", role=role, scope=scope, region_id=region_id)
        self.accounts.create_user(username, password, principal)
        return principal

    def token(self, user_id: str, role: str, scope: str, region_id: str = "reg-test") -> str:
        """An API bearer token for the services' /api routes."""
        return self.tokens.issue(user_id, role, scope, region_id)

    def headers(self, user_id: str, role: str, scope: str, region_id: str = "reg-test") -> dict[str, str]:
        return {"Authorization": "Bearer " + self.token(user_id, role, scope, region_id)}

    def link(self, principal: Principal, service: str = "notifier") -> str:
        """A personal sign-in link (as sent to students) on `service`."""
        return self.platform.services[service].url + "/s/" + self.accounts.create_link(principal)


@pytest.fixture(scope="module")
def people(platform: Platform) -> People:
    return People(platform)


# --------------------------------------------------------------------------- the browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's headless Chromium, launched once per test session."""
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page_for(browser: Browser) -> Iterator[Callable[..., Page]]:
    """`page_for(DESKTOP)` or `page_for(PHONE, locale="en-GB")`: a new page in its own cookie jar."""
    contexts: list[BrowserContext] = []

    def make(viewport: dict[str, int] | None = None, locale: str = "nl-NL") -> Page:
        context = browser.new_context(viewport=viewport or DESKTOP, locale=locale)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def screenshot(page: Page, name: str) -> Path:
    """Write a full-page screenshot to tests/screenshots/<name>.png and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / (re.sub(r"[^A-Za-z0-9_.-]+", "-", name) + ".png")
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def shot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    """`shot(page, "step")` writes tests/screenshots/<test name>-<step>.png."""
    test_name = request.node.name.removeprefix("test_")
    return lambda page, step: screenshot(page, f"{test_name}-{step}")


