"""What the browser tests share besides fixtures: viewport sizes, the demo password and signing in.

A module of its own (not conftest), so test modules can import it by a name no other folder uses.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery staple"


def login(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the shared /login form of the service at `base_url`; lands on the role's home."""
    page.goto(base_url + "/login")
    page.get_by_label(re.compile("Gebruikersnaam|Username")).fill(username)
    page.get_by_label(re.compile("Wachtwoord|Password")).fill(password)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) [type=submit]").click()
