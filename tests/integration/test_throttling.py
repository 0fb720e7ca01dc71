"""Guessing is throttled on the real Redis (issue 19.2): wrong passwords per account and per address, unknown
student links per address; the state is shared, so a second instance of the app sees the same lockout."""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask

from stagepool_shared.auth import Principal
from stagepool_shared.http import harden
from stagepool_shared.redis import connect
from stagepool_shared.web.accounts import Accounts
from stagepool_shared.web.links import WebLinks
from stagepool_shared.web.pages import LOGIN_CSRF_COOKIE, install_web
from stagepool_shared.web.throttle import LOGIN_PER_ACCOUNT, THROTTLED

pytestmark = pytest.mark.integration

PASSWORD = "tulpen-fiets-gracht-42"
SCHOOL = Principal("usr-bpv-t", "school_staff", "sch-a", "reg-g")


def _instance(redis_url: str) -> Flask:
    """One instance of a service's pages: its own Redis connection, like another process would have."""
    accounts = Accounts(connect(redis_url))
    app = Flask(__name__)
    harden(app)
    install_web(app, lambda: accounts, WebLinks(intake="http://localhost", secure_cookies=False))
    return app


def _login(app: Flask, username: str, password: str, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    assert client.get_cookie(LOGIN_CSRF_COOKIE) is not None
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


@pytest.fixture
def user(redis_url) -> str:
    username = "bpv-" + uuid.uuid4().hex[:8]
    Accounts(connect(redis_url)).create_user(username, PASSWORD, SCHOOL)
    return username


def _address() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def test_after_many_wrong_passwords_even_the_right_one_is_refused_with_429(redis_url, user) -> None:
    first, second = _instance(redis_url), _instance(redis_url)
    address = _address()
    locked = THROTTLED.labels("login", "account", "locked")._value.get()
    answers = [_login(first, user, f"wrong-{n}", address).status_code for n in range(50)]
    assert answers[:LOGIN_PER_ACCOUNT.attempts] == [401] * LOGIN_PER_ACCOUNT.attempts
    assert set(answers[LOGIN_PER_ACCOUNT.attempts + 1:]) == {429}
    right = _login(second, user, PASSWORD, address)  # another instance, the same Redis
    assert right.status_code == 429
    assert 0 < int(right.headers["Retry-After"]) <= LOGIN_PER_ACCOUNT.lockout_s
    assert "Te veel mislukte pogingen" in right.get_data(as_text=True)
    assert THROTTLED.labels("login", "account", "locked")._value.get() > locked


def test_the_lockout_holds_from_another_address_too(redis_url, user) -> None:
    app = _instance(redis_url)
    for n in range(LOGIN_PER_ACCOUNT.attempts + 1):
        _login(app, user, f"wrong-{n}", _address())
    assert _login(app, user, PASSWORD, _address()).status_code == 429


def test_one_address_trying_many_accounts_is_locked_out(redis_url) -> None:
    app, address = _instance(redis_url), _address()
    answers = [_login(app, f"nobody-{uuid.uuid4().hex[:6]}", "wrong-password", address).status_code
               for _ in range(25)]
    assert answers[-1] == 429 and 401 in answers


def test_a_right_password_before_the_limit_signs_in_and_clears_the_count(redis_url, user) -> None:
    app, address = _instance(redis_url), _address()
    for n in range(LOGIN_PER_ACCOUNT.attempts - 1):
        assert _login(app, user, f"wrong-{n}", address).status_code == 401
    assert _login(app, user, PASSWORD, address).status_code == 302
    for n in range(LOGIN_PER_ACCOUNT.attempts):
        assert _login(app, user, f"again-{n}", address).status_code == 401


def test_guessing_student_links_is_locked_out_per_address(redis_url) -> None:
    app = _instance(redis_url)
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = _address()
    answers = [client.get(f"/s/{uuid.uuid4().hex}").status_code for _ in range(20)]
    assert answers[0] == 404 and answers[-1] == 429
    token = Accounts(connect(redis_url)).create_link(Principal("stu_t", "student", "stu_t", "reg-g"))
    assert client.get(f"/s/{token}").status_code == 429  # locked: even a right link waits
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = _address()
    assert other.get(f"/s/{token}").status_code == 302
