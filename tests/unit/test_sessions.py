"""Sessions, links and API tokens (issue 19.10): tokens expire and rotate, a student's link is renewed by the
school and the old one stops working, and "sign out everywhere" ends every session of an account."""

from __future__ import annotations

import json
import re

import pytest
from flask import Flask

from stagepool_shared.auth import DEFAULT_TOKEN_TTL_S, Principal, TokenStore, token_hash
from stagepool_shared.config import EnvReader, SignInSettings
from stagepool_shared.http import harden
from stagepool_shared.web.accounts import Accounts
from stagepool_shared.web.links import WebLinks
from stagepool_shared.web.pages import SESSION_COOKIE, install_web, page, render

from tests.fakes import Clock, FakeKeyValue

STAFF = Principal("u-bpv", "school_staff", "sch-a", "reg-1")
OTHER = Principal("u-other", "school_staff", "sch-a", "reg-1")
STUDENT = Principal("stu_1", "student", "stu_1", "reg-1")
DAY = 24 * 3600


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def tokens(clock) -> TokenStore:
    return TokenStore(FakeKeyValue(), clock=clock.seconds)


def test_a_token_works_until_its_expiry_and_not_after(tokens, clock):
    token = tokens.issue("u-c", "regional_coordinator", "reg-1", region_id="reg-1", ttl_s=30 * DAY)
    clock.advance(seconds=30 * DAY - 1)
    assert tokens.lookup(token) == Principal("u-c", "regional_coordinator", "reg-1", "reg-1")
    clock.advance(seconds=1)
    assert tokens.lookup(token) is None


def test_a_token_expires_after_90_days_by_default_and_redis_drops_it_then(tokens, clock):
    token = tokens.issue("u-c", "regional_coordinator", "reg-1")
    assert DEFAULT_TOKEN_TTL_S == 90 * DAY
    assert tokens.client.ttls["stagepool:auth:token:" + token_hash(token)] == 90 * DAY
    clock.advance(days=90)
    assert tokens.lookup(token) is None


def test_a_token_stored_without_an_expiry_is_refused(tokens):
    tokens.client.set("stagepool:auth:token:" + token_hash("sp_old"),
                      json.dumps({"user_id": "u", "role": "school_staff", "scope": "s", "region_id": ""}))
    assert tokens.lookup("sp_old") is None


def test_the_token_lifetime_is_a_setting():
    assert SignInSettings.read(EnvReader({})).token_ttl_s == 90 * DAY
    assert SignInSettings.read(EnvReader({"STAGEPOOL_TOKEN_TTL_DAYS": "7"})).token_ttl_s == 7 * DAY
    env = EnvReader({"STAGEPOOL_TOKEN_TTL_DAYS": "0"})
    SignInSettings.read(env)
    assert env.problems == ["STAGEPOOL_TOKEN_TTL_DAYS must be at least 1"]


def test_rotation_gives_a_new_token_with_a_new_expiry_and_ends_the_old_one(tokens, clock):
    old = tokens.issue("u-c", "regional_coordinator", "reg-1", region_id="reg-1", ttl_s=10 * DAY)
    clock.advance(days=9)
    new, expires_at = tokens.rotate(old, ttl_s=10 * DAY)
    assert new != old and tokens.lookup(old) is None
    assert tokens.lookup(new) == Principal("u-c", "regional_coordinator", "reg-1", "reg-1")
    assert expires_at.timestamp() == clock.seconds() + 10 * DAY
    assert tokens.rotate(old) is None


def test_an_expired_or_unknown_token_cannot_be_rotated(tokens, clock):
    old = tokens.issue("u-c", "regional_coordinator", "reg-1", ttl_s=DAY)
    clock.advance(days=1)
    assert tokens.rotate(old) is None and tokens.rotate("sp_unknown") is None and tokens.rotate("") is None


def test_a_renewed_link_signs_in_and_every_earlier_link_stops_working():
    accounts = Accounts(FakeKeyValue())
    first, second = accounts.create_link(STUDENT), accounts.create_link(STUDENT)
    assert accounts.principal_for_link(first) == STUDENT == accounts.principal_for_link(second)
    renewed = accounts.renew_link(STUDENT)
    assert accounts.principal_for_link(renewed) == STUDENT
    assert accounts.principal_for_link(first) is None and accounts.principal_for_link(second) is None


def test_a_link_made_before_renewal_existed_still_works_until_it_is_renewed():
    accounts = Accounts(FakeKeyValue())
    accounts.client.set("stagepool:auth:link:" + __import__("hashlib").sha256(b"legacy").hexdigest(),
                        json.dumps({"user_id": "stu_1", "role": "student", "scope": "stu_1", "region_id": "reg-1"}))
    assert accounts.principal_for_link("legacy") == STUDENT
    accounts.renew_link(STUDENT)
    assert accounts.principal_for_link("legacy") is None


def test_renewing_one_students_link_leaves_other_students_links_alone():
    accounts = Accounts(FakeKeyValue())
    other = Principal("stu_2", "student", "stu_2", "reg-1")
    kept = accounts.create_link(other)
    accounts.renew_link(STUDENT)
    assert accounts.principal_for_link(kept) == other


def test_ending_all_sessions_of_an_account_ends_each_of_them_and_no_one_elses():
    accounts = Accounts(FakeKeyValue())
    phone, laptop, colleague = (accounts.start_session(STAFF), accounts.start_session(STAFF),
                                accounts.start_session(OTHER))
    accounts.end_all_sessions(STAFF)
    assert accounts.session(phone.session_id) is None and accounts.session(laptop.session_id) is None
    assert accounts.session(colleague.session_id) == colleague
    fresh = accounts.start_session(STAFF)
    assert accounts.session(fresh.session_id) == fresh


def _app(accounts: Accounts) -> Flask:
    app = Flask(__name__)
    harden(app)
    install_web(app, lambda: accounts, WebLinks(intake="http://localhost", secure_cookies=False))

    @app.get("/pages/school")
    @page("school_staff")
    def home():
        return render("stagepool/error.html", code=200, title="home", message="home")

    return app


def test_sign_out_everywhere_on_one_device_signs_out_the_others_on_every_service():
    accounts = Accounts(FakeKeyValue())
    accounts.create_user("bpv", "correct horse battery", STAFF)
    intake, matcher = _app(accounts), _app(accounts)
    phone, laptop = intake.test_client(), matcher.test_client()
    for client in (phone, laptop):
        html = client.get("/login").get_data(as_text=True)
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        client.post("/login", data={"username": "bpv", "password": "correct horse battery", "csrf_token": csrf})
        assert client.get("/pages/school").status_code == 200
    page_html = phone.get("/pages/school").get_data(as_text=True)
    assert 'action="/logout/everywhere"' in page_html
    csrf = accounts.session(phone.get_cookie(SESSION_COOKIE).value).csrf_token
    answer = phone.post("/logout/everywhere", data={"csrf_token": csrf})
    assert answer.status_code == 302 and answer.headers["Location"] == "/login"
    assert phone.get("/pages/school").status_code == 302
    assert laptop.get("/pages/school").status_code == 302


def test_sign_out_everywhere_needs_the_sessions_csrf_token():
    accounts = Accounts(FakeKeyValue())
    app = _app(accounts)
    session = accounts.start_session(STAFF)
    client = app.test_client()
    client.set_cookie(SESSION_COOKIE, session.session_id)
    assert client.post("/logout/everywhere", data={"csrf_token": "forged"}).status_code == 400
    assert accounts.session(session.session_id) == session
