"""Sign-in with the school's account (issue 19): its settings, shared by every service, and the order in
which the mapping's rules are tried. The flow itself runs against a real provider: tests/integration/test_oidc.py.
"""

from __future__ import annotations

import pytest

from intake.config import Settings as IntakeSettings
from stagepool_shared.config import EnvReader, SignInSettings
from stagepool_shared.errors import ConfigError
from stagepool_shared.web.federation import Rule, candidate_keys
from stagepool_shared.web.links import WebLinks

from tests.unit.intake.conftest import ENV

OIDC = {"STAGEPOOL_OIDC_ISSUER": "https://connect.surfconext.nl", "STAGEPOOL_OIDC_CLIENT_ID": "stagepool",
        "STAGEPOOL_OIDC_CLIENT_SECRET": "a-long-client-secret-0123456789"}


def test_oidc_is_off_until_an_issuer_is_set():
    assert not SignInSettings.read(EnvReader({})).oidc_enabled


def test_every_service_reads_the_provider_from_the_shared_settings():
    links = IntakeSettings.from_env({**ENV, **OIDC}).links
    assert links.sign_in.oidc_enabled and links.sign_in.oidc_issuer == "https://connect.surfconext.nl"
    assert links.oidc_redirect_url == "http://127.0.0.1:8001/login/oidc/callback"
    redirect = {"STAGEPOOL_OIDC_REDIRECT_URL": "https://stagepool.nl/login/oidc/callback"}
    custom = WebLinks.read(EnvReader({**OIDC, **redirect}))
    assert custom.oidc_redirect_url == "https://stagepool.nl/login/oidc/callback"


@pytest.mark.parametrize("change, problem", [
    ({"STAGEPOOL_OIDC_CLIENT_ID": ""}, "STAGEPOOL_OIDC_CLIENT_ID is required"),
    ({"STAGEPOOL_OIDC_CLIENT_SECRET": ""}, "STAGEPOOL_OIDC_CLIENT_SECRET is required"),
    ({"STAGEPOOL_OIDC_CLIENT_SECRET": "short"}, "STAGEPOOL_OIDC_CLIENT_SECRET must be at least 16 characters"),
    ({"STAGEPOOL_OIDC_ISSUER": "http://idp.example.org"}, "STAGEPOOL_OIDC_ISSUER must be an https URL"),
])
def test_a_service_refuses_to_start_with_an_incomplete_provider(change, problem):
    with pytest.raises(ConfigError, match=problem):
        IntakeSettings.from_env({**ENV, **OIDC, **change})


def test_the_dev_stack_may_use_a_provider_on_loopback_over_http():
    env = EnvReader({**OIDC, "STAGEPOOL_OIDC_ISSUER": "http://127.0.0.1:9000", "STAGEPOOL_ENV": "dev"})
    assert SignInSettings.read(env).oidc_issuer == "http://127.0.0.1:9000" and env.problems == []


def test_rules_are_tried_subject_first_then_claims_then_the_email_domain():
    claims = {"sub": "p-1", "email": "a@ROC-noord.nl", "schac_home_organization": "roc-noord.nl",
              "eduperson_affiliation": ["employee", "staff"], "nonce": "n"}
    keys = candidate_keys(claims)
    assert keys[0] == Rule("subject", "p-1", "school_staff", "s").match_key()
    assert keys[-1] == Rule("email_domain", "roc-noord.nl", "school_staff", "s").match_key()
    for claim, value in (("schac_home_organization", "roc-noord.nl"), ("eduperson_affiliation", "staff")):
        assert Rule("claim", value, "school_staff", "s", claim=claim).match_key() in keys[1:-1]
    assert Rule("claim", "n", "school_staff", "s", claim="nonce").match_key() not in keys


def test_an_email_the_provider_has_not_verified_gives_no_domain_match():
    keys = candidate_keys({"sub": "p-1", "email": "a@roc-noord.nl", "email_verified": False})
    assert Rule("email_domain", "roc-noord.nl", "school_staff", "s").match_key() not in keys
