"""Sign-in with the school's account (issue 19) against a real OpenID Connect provider on 127.0.0.1
(stagepool_shared.testing.oidc: Authlib's server parts, discovery, RS256 ID tokens, JWKS), on the real Redis.

Our side runs in Flask's test client; every call it makes to the provider (discovery, token, JWKS) is real
HTTP. The browser's visit to the provider's authorization endpoint is made with `provider.authorize(url)`.
"""

from __future__ import annotations

import logging
import re
import uuid
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from flask import Flask

from stagepool_shared.config import SignInSettings
from stagepool_shared.http import harden
from stagepool_shared.redis import connect
from stagepool_shared.testing.oidc import CLIENT_ID, CLIENT_SECRET, TestProvider
from stagepool_shared.web.accounts import Accounts
from stagepool_shared.web.federation import FederationMap, Rule, user_id_for
from stagepool_shared.web.links import WebLinks
from stagepool_shared.web.oidc import LOGINS, STATE_COOKIE, nonce_key
from stagepool_shared.web.pages import SESSION_COOKIE, install_web, page, render, web_session
from stagepool_shared.web.throttle import OIDC_START_PER_ADDRESS

pytestmark = pytest.mark.integration

HOME = "/pages/whoami"


class Site:
    """One service's pages with the sign-in installed, the provider, and the region's mapping."""

    def __init__(self, redis_url: str, provider: TestProvider, templates: str):
        self.provider = provider
        self.redis = connect(redis_url)
        self.accounts = Accounts(self.redis)
        self.mapping = FederationMap(self.redis)
        self.region = "reg-" + uuid.uuid4().hex[:8]
        sign_in = SignInSettings(oidc_issuer=provider.issuer, oidc_client_id=CLIENT_ID,
                                 oidc_client_secret=CLIENT_SECRET,
                                 oidc_redirect_url="http://localhost/login/oidc/callback")
        self.app = Flask(__name__, template_folder=templates)
        harden(self.app)
        install_web(self.app, lambda: self.accounts, WebLinks(intake="http://localhost", secure_cookies=False,
                                                              sign_in=sign_in))

        @self.app.get(HOME)
        @page()
        def whoami():
            return render("whoami.html", who=web_session().principal)

    def start(self, client, next_url: str = HOME) -> str:
        """The browser asks to sign in with its institution: where our side sends it (the provider)."""
        answer = client.get("/login/oidc?next=" + next_url)
        assert answer.status_code == 302, answer.get_data(as_text=True)
        assert answer.headers["Location"].startswith(self.provider.issuer + "/authorize?")
        return answer.headers["Location"]

    def sign_in(self, client):
        """The whole flow: to the provider, back with a code, our checks; the callback's answer."""
        back = self.provider.authorize(self.start(client))
        assert back.startswith("http://localhost/login/oidc/callback?"), back
        return client.get(back)


@pytest.fixture
def site(redis_url, redis_client, oidc_provider, tmp_path) -> Site:
    """The site on a flushed Redis (a match belongs to one rule platform-wide, so no rule of an earlier test
    may stay)."""
    (tmp_path / "whoami.html").write_text(
        '{% extends "stagepool/base.html" %}{% block main %}<p id="who">{{ who.user_id }} {{ who.role }} '
        '{{ who.scope }} {{ who.region_id }}</p>{% endblock %}')
    return Site(redis_url, oidc_provider, str(tmp_path))


def _signed_in_as(client) -> str:
    answer = client.get(HOME)
    assert answer.status_code == 200, answer.status_code
    return re.search(r'<p id="who">([^<]*)</p>', answer.get_data(as_text=True)).group(1)


def _no_session(client, answer) -> None:
    assert not any(c.startswith(SESSION_COOKIE + "=") for c in answer.headers.getlist("Set-Cookie"))
    assert client.get(HOME).status_code == 302


def test_the_login_page_offers_the_institution_sign_in(site):
    html = site.app.test_client().get("/login").get_data(as_text=True)
    assert "Inloggen met je instellingsaccount (SURFconext / Entree)" in html
    assert 'href="http://localhost/login/oidc' in html
    english = site.app.test_client().get("/login?lang=en").get_data(as_text=True)
    assert "Sign in with your institution account (SURFconext / Entree)" in english


def test_a_mapped_person_signs_in_with_the_role_and_scope_of_the_mapping(site):
    site.mapping.put(site.region, "bpv-noord", Rule("subject", "user-42", "school_staff", "sch-noord"))
    site.provider.sign_in_as("user-42", email="j.devries@roc-noord.nl", email_verified=True)
    client = site.app.test_client()
    ok = LOGINS.labels("ok")._value.get()
    answer = site.sign_in(client)
    assert answer.status_code == 302 and answer.headers["Location"] == HOME
    who = _signed_in_as(client)
    assert who == f"{user_id_for(site.provider.issuer, 'user-42')} school_staff sch-noord {site.region}"
    assert "devries" not in who and LOGINS.labels("ok")._value.get() == ok + 1


def test_the_most_specific_rule_wins_and_a_claim_or_domain_maps_a_whole_institution(site):
    site.mapping.put(site.region, "roc-domain", Rule("email_domain", "roc-noord.nl", "support_staff", "sch-noord"))
    site.mapping.put(site.region, "org-claim", Rule("claim", "zorg-noord.nl", "organisation_staff", "org-zorg",
                                                    claim="schac_home_organization"))
    site.mapping.put(site.region, "one-coordinator", Rule("subject", "coord-1", "regional_coordinator", site.region))
    for sub, claims, expected in (
            ("staff-7", {"email": "a@roc-noord.nl"}, "support_staff sch-noord"),
            ("nurse-3", {"email": "b@roc-noord.nl", "schac_home_organization": "zorg-noord.nl"},
             "organisation_staff org-zorg"),
            ("coord-1", {"email": "c@roc-noord.nl"}, f"regional_coordinator {site.region}")):
        site.provider.sign_in_as(sub, **claims)
        client = site.app.test_client()
        assert site.sign_in(client).status_code == 302
        assert expected in _signed_in_as(client)


def test_an_unverified_email_domain_maps_nobody(site):
    site.mapping.put(site.region, "roc-domain", Rule("email_domain", "roc-noord.nl", "school_staff", "sch-noord"))
    site.provider.sign_in_as("user-9", email="x@roc-noord.nl", email_verified=False)
    client = site.app.test_client()
    answer = site.sign_in(client)
    assert answer.status_code == 403
    _no_session(client, answer)


def test_an_unmapped_subject_gets_a_clear_page_and_no_session(site):
    site.provider.sign_in_as("stranger-1", email="someone@elsewhere.nl")
    client = site.app.test_client()
    unmapped = LOGINS.labels("unmapped")._value.get()
    answer = site.sign_in(client)
    assert answer.status_code == 403
    assert "nog niet gekoppeld aan een rol" in answer.get_data(as_text=True)
    _no_session(client, answer)
    assert LOGINS.labels("unmapped")._value.get() == unmapped + 1


@pytest.mark.parametrize("fault, reason", [
    ({"audience": "another-client"}, "aud"),
    ({"issuer": "https://idp.elsewhere.example"}, "iss"),
    ({"expires_in": -600}, "exp"),
    ({"foreign_key": True}, "Signature"),
])
def test_an_id_token_failing_a_check_is_refused(site, caplog, fault, reason):
    site.mapping.put(site.region, "bpv", Rule("subject", "user-1", "school_staff", "sch-noord"))
    site.provider.sign_in_as("user-1")
    for name, value in fault.items():
        setattr(site.provider.faults, name, value)
    client = site.app.test_client()
    with caplog.at_level(logging.WARNING, logger="stagepool_shared.web.oidc_pages"):
        answer = site.sign_in(client)
    assert answer.status_code == 401
    assert "kon niet worden gecontroleerd" in answer.get_data(as_text=True)
    _no_session(client, answer)
    assert any("sign-in refused" in r.getMessage() and reason in r.getMessage() for r in caplog.records)


def test_a_replayed_callback_is_refused(site):
    site.mapping.put(site.region, "bpv", Rule("subject", "user-1", "school_staff", "sch-noord"))
    site.provider.sign_in_as("user-1")
    client = site.app.test_client()
    request = site.start(client)
    back = site.provider.authorize(request)
    assert client.get(back).status_code == 302
    replayed = site.app.test_client()
    replayed.set_cookie(STATE_COOKIE, parse_qs(urlparse(back).query)["state"][0])
    answer = replayed.get(back)
    assert answer.status_code == 401
    _no_session(replayed, answer)
    site.provider.faults.reused_nonce_ok = True  # even with a fresh code for the same state and nonce
    fresh = site.provider.authorize(request)
    assert fresh != back
    answer = replayed.get(fresh)
    assert answer.status_code == 401
    _no_session(replayed, answer)


def test_a_nonce_used_before_is_refused_even_in_its_own_flow(site, caplog):
    site.mapping.put(site.region, "bpv", Rule("subject", "user-1", "school_staff", "sch-noord"))
    site.provider.sign_in_as("user-1")
    client = site.app.test_client()
    request = site.start(client)
    site.redis.set(nonce_key(parse_qs(urlparse(request).query)["nonce"][0]), "1")  # it came through before
    with caplog.at_level(logging.WARNING, logger="stagepool_shared.web.oidc_pages"):
        answer = client.get(site.provider.authorize(request))
    assert answer.status_code == 401
    _no_session(client, answer)
    assert any("nonce used before" in r.getMessage() for r in caplog.records)


def test_a_replayed_nonce_is_refused(site, caplog):
    site.mapping.put(site.region, "bpv", Rule("subject", "user-1", "school_staff", "sch-noord"))
    site.provider.sign_in_as("user-1")
    first = site.app.test_client()
    first_request = site.start(first)
    used_nonce = parse_qs(urlparse(first_request).query)["nonce"][0]
    assert first.get(site.provider.authorize(first_request)).status_code == 302
    site.provider.faults.nonce = used_nonce  # the provider (or whoever holds that token) sends it again
    second = site.app.test_client()
    with caplog.at_level(logging.WARNING, logger="stagepool_shared.web.oidc_pages"):
        answer = site.sign_in(second)
    assert answer.status_code == 401
    _no_session(second, answer)
    assert any("nonce" in r.getMessage() for r in caplog.records)


def test_a_callback_in_another_browser_than_the_one_that_started_is_refused(site):
    site.mapping.put(site.region, "bpv", Rule("subject", "user-1", "school_staff", "sch-noord"))
    site.provider.sign_in_as("user-1")
    back = site.provider.authorize(site.start(site.app.test_client()))  # the attacker's own sign-in
    victim = site.app.test_client()
    answer = victim.get(back)
    assert answer.status_code == 401
    _no_session(victim, answer)
    site.start(victim)  # a victim who started a sign-in of their own has a state cookie, but not this state
    answer = victim.get(back)
    assert answer.status_code == 401
    _no_session(victim, answer)


def test_logout_ends_the_session_and_the_providers_session(site):
    site.mapping.put(site.region, "bpv", Rule("subject", "user-1", "school_staff", "sch-noord"))
    site.provider.sign_in_as("user-1")
    client = site.app.test_client()
    assert site.sign_in(client).status_code == 302
    session_id = client.get_cookie(SESSION_COOKIE).value
    csrf = site.accounts.session(session_id).csrf_token
    answer = client.post("/logout", data={"csrf_token": csrf})
    assert answer.status_code == 302
    target = urlparse(answer.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == site.provider.issuer + "/logout"
    params = parse_qs(target.query)
    assert params["client_id"] == [CLIENT_ID] and params["id_token_hint"][0].count(".") == 2
    assert params["post_logout_redirect_uri"] == ["http://localhost/login"]
    assert site.accounts.session(session_id) is None
    assert client.get(HOME).status_code == 302
    # the browser follows the redirect to the provider, which ends its own session and sends it back
    assert requests.get(answer.headers["Location"], allow_redirects=False, timeout=10).status_code == 302
    assert site.provider.logouts and site.provider.logouts[-1]["id_token_hint"] == params["id_token_hint"][0]


def test_starting_sign_ins_from_one_address_is_limited(site):
    client = site.app.test_client()
    for _ in range(OIDC_START_PER_ADDRESS.attempts):
        assert client.get("/login/oidc").status_code == 302
    answer = client.get("/login/oidc")
    assert answer.status_code == 429 and int(answer.headers["Retry-After"]) > 0
    other = site.app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert other.get("/login/oidc").status_code == 302


def test_without_an_issuer_the_institution_sign_in_is_off(redis_url):
    app = Flask(__name__)
    install_web(app, lambda: Accounts(connect(redis_url)), WebLinks(intake="http://localhost", secure_cookies=False))
    client = app.test_client()
    assert "instellingsaccount" not in client.get("/login").get_data(as_text=True)
    assert client.get("/login/oidc").status_code == 404
    assert client.get("/login/oidc/callback?code=x&state=y").status_code == 404
