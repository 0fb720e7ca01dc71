"""Default secrets are refused outside the dev stack, and the session cookie is Secure there (issue 19.5, 19.6)."""

from __future__ import annotations

import pytest
from flask import Flask

from intake.config import Settings as IntakeSettings
from notifier.config import Settings as NotifierSettings
from stagepool_shared.auth import Principal
from stagepool_shared.errors import ConfigError
from stagepool_shared.http import harden
from stagepool_shared.web.accounts import Accounts
from stagepool_shared.web.links import WebLinks
from stagepool_shared.web.pages import SESSION_COOKIE, install_web
from tests.fakes import FakeKeyValue

BASE = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "REDIS_URL": "redis://127.0.0.1:1"}
STRONG = "Zr4kX9pQ2mLw7vTb5nHc"
NOTIFIER = {**BASE, "INTAKE_URL": "http://intake", "NOTIFIER_SERVICE_TOKEN": STRONG, "NOTIFIER_WEBHOOK_SECRET": STRONG}


@pytest.mark.parametrize("secret", ["change-me-in-production", "CHANGE-ME-IN-PRODUCTION", "short-secret", ""])
def test_intake_refuses_a_missing_short_or_known_default_pseudonym_secret(secret: str) -> None:
    with pytest.raises(ConfigError, match="INTAKE_PSEUDONYM_SECRET"):
        IntakeSettings.from_env({**BASE, "INTAKE_PSEUDONYM_SECRET": secret})


@pytest.mark.parametrize("name", ["NOTIFIER_SERVICE_TOKEN", "NOTIFIER_WEBHOOK_SECRET"])
@pytest.mark.parametrize("secret", ["change-me-in-production", "hook-secret", ""])
def test_the_notifier_refuses_a_missing_short_or_known_default_secret(name: str, secret: str) -> None:
    with pytest.raises(ConfigError, match=name):
        NotifierSettings.from_env({**NOTIFIER, name: secret})


def test_the_dev_stack_tolerates_short_secrets_but_not_missing_ones() -> None:
    dev = {**NOTIFIER, "STAGEPOOL_ENV": "dev", "NOTIFIER_WEBHOOK_SECRET": "s"}
    assert NotifierSettings.from_env(dev).webhook_secret == "s"
    with pytest.raises(ConfigError, match="NOTIFIER_SERVICE_TOKEN is required"):
        NotifierSettings.from_env({**dev, "NOTIFIER_SERVICE_TOKEN": ""})


def test_a_strong_secret_is_accepted() -> None:
    assert IntakeSettings.from_env({**BASE, "INTAKE_PSEUDONYM_SECRET": STRONG}).pseudonym_secret == STRONG.encode()


def _login_cookies(environ: dict[str, str]) -> list[str]:
    app = Flask("cookies")
    harden(app)
    client = FakeKeyValue()
    accounts = Accounts(client)  # type: ignore[arg-type]
    accounts.create_user("bpv1", "correct horse battery", Principal("u-1", "school_staff", "sch-a", "reg-1"))
    install_web(app, lambda: accounts, _links(environ))
    http = app.test_client()
    page = http.get("/login")
    token = http.get_cookie("sp_login_csrf").value  # type: ignore[union-attr]
    answer = http.post("/login", data={"username": "bpv1", "password": "correct horse battery", "csrf_token": token})
    assert answer.status_code == 302
    return page.headers.getlist("Set-Cookie") + answer.headers.getlist("Set-Cookie")


def _links(environ: dict[str, str]) -> WebLinks:
    from stagepool_shared.config import EnvReader

    return WebLinks.read(EnvReader(environ))


def test_the_session_cookie_is_secure_outside_the_dev_stack() -> None:
    cookies = _login_cookies({})
    session = [c for c in cookies if c.startswith(SESSION_COOKIE + "=") and "Max-Age=28800" in c]
    assert session and all("Secure" in c for c in session), cookies
    assert all("Secure" in c for c in cookies if c.startswith("sp_login_csrf=") and "Max-Age=0" not in c)


def test_the_dev_stack_and_the_setting_turn_the_secure_flag_off() -> None:
    for environ in ({"STAGEPOOL_ENV": "dev"}, {"STAGEPOOL_SECURE_COOKIES": "false"}):
        session = [c for c in _login_cookies(environ) if c.startswith(SESSION_COOKIE + "=")]
        assert session and not any("Secure" in c for c in session), session
