"""schemathesis against each service's served OpenAPI document, on real Kafka and Redis over real HTTP.

One test per service (intake, matcher, notifier, reporting), each service built once by its bootstrap. The
document fuzzed is the one the running service serves. Positive and negative cases, bounded per operation
(stagepool_shared.testing.fuzz.MAX_EXAMPLES). Every operation is called with a token of the role it is meant
for (the document's x-roles). Checks: no 5xx ever, no invalid request accepted, every answer as the document
gives it. Reporting's region holds a student with a wish, so filing and follow-up reach their checks.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import replace
from datetime import date
from typing import Any, Callable, Iterator

import pytest
import schemathesis

import intake.bootstrap
import intake.config
import matcher.bootstrap
import matcher.config
import notifier.bootstrap
import notifier.config
import reporting.bootstrap
from intake import commands
from reporting import handlers
from stagepool_shared import kafka
from stagepool_shared.auth import TokenStore
from stagepool_shared.envelope import new_envelope
from stagepool_shared.testing.fuzz import FuzzedService, bounded, role_tokens
from stagepool_shared.testing.samples import sample_payload
from tests.fakes.reporting import settings_for

pytestmark = pytest.mark.integration

PERIOD = {"period_id": "p2027a", "name": "Voorjaar 2027", "starts_on": date(2027, 2, 1), "ends_on": date(2027, 6, 30)}
REGION, REPORTING_PERIOD, STUDENT = "r-st", "2027-p1", "stu_fuzz"

#: What a builder returns: the service's wiring (closed after the test) and the service it serves.
Built = tuple[Any, FuzzedService]


def _intake(kafka_bootstrap: str, redis_url: str) -> Built:
    """Intake with one period in region r-st; the token rotation gets a token of its own to spend."""
    prefix = "st-" + uuid.uuid4().hex[:8]
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url,
           "INTAKE_PSEUDONYM_SECRET": "schemathesis-secret-" + prefix}
    wiring = intake.bootstrap.bootstrap(intake.config.Settings.from_env(env), key_prefix=prefix)
    tokens = TokenStore(wiring.redis_client)
    commands.create_period(wiring.deps, "r-st", PERIOD)
    return wiring, FuzzedService(wiring.app(), {
        "school_staff": tokens.issue("st-s", "school_staff", prefix + "-school", region_id="r-st"),
        "organisation_staff": tokens.issue("st-o", "organisation_staff", prefix + "-org", region_id="r-st"),
        "regional_coordinator": tokens.issue("st-c", "regional_coordinator", "r-st", region_id="r-st"),
        "service": tokens.issue("st-n", "service", "notifier"),
        "student": tokens.issue("st-u", "student", prefix + "-student", region_id="r-st"),
    }, own_tokens={"POST /api/v1/tokens/rotate": tokens.issue("st-r", "school_staff", prefix + "-school", "r-st")})


def _matcher(kafka_bootstrap: str, redis_url: str) -> Built:
    """The matcher, with a token per role in a fresh region."""
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url}
    wiring = matcher.bootstrap.bootstrap(matcher.config.Settings.from_env(env))
    region = "r-st-" + uuid.uuid4().hex[:8]
    return wiring, FuzzedService(wiring.app(), role_tokens(wiring.tokens.issue, region))


def _notifier(kafka_bootstrap: str, redis_url: str) -> Built:
    """The notifier under a fresh key prefix; intake's directory points at a closed port."""
    tag = uuid.uuid4().hex[:8]
    wiring = notifier.bootstrap.bootstrap(notifier.config.Settings.from_env({
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url, "INTAKE_URL": "http://127.0.0.1:9",
        "NOTIFIER_SERVICE_TOKEN": secrets.token_urlsafe(32), "NOTIFIER_WEBHOOK_SECRET": secrets.token_urlsafe(32),
        "NOTIFIER_KEY_PREFIX": "st-" + tag}))
    return wiring, FuzzedService(wiring.app(), role_tokens(wiring.tokens.issue, "r-st-" + tag))


def _reporting(kafka_bootstrap: str, redis_url: str) -> Built:
    """Reporting with student stu_fuzz's wish projected, and the desk among the roles."""
    wiring = reporting.bootstrap.bootstrap(settings_for(kafka_bootstrap, redis_url),
                                           key_prefix="st-" + uuid.uuid4().hex[:8], registry=None)
    wish = replace(sample_payload("wish.submitted"), student_ref=STUDENT, school_id="sch-st", region_id=REGION,
                   period_id=REPORTING_PERIOD)
    handlers.handle(new_envelope("wish.submitted", wish, producer="intake", partition_key=REGION), wiring.deps)
    roles = role_tokens(wiring.tokens.issue, REGION, (
        "desk_staff", "regional_coordinator", "school_staff", "organisation_staff", "student"))
    return wiring, FuzzedService(wiring.app(), {**roles, "service": wiring.tokens.issue("st-n", "service", "notifier")})


BUILDERS: dict[str, Callable[[str, str], Built]] = {
    "intake": _intake, "matcher": _matcher, "notifier": _notifier, "reporting": _reporting}


@pytest.fixture(scope="module", params=list(BUILDERS))
def fuzzed(request: pytest.FixtureRequest, kafka_bootstrap: str, redis_url: str) -> Iterator[FuzzedService]:
    """The service named by the parameter, served once for all its cases."""
    kafka.ensure_topics(kafka_bootstrap)
    wiring, service = BUILDERS[request.param](kafka_bootstrap, redis_url)
    yield service
    service.stop()
    wiring.close()


schema = schemathesis.pytest.from_fixture("served_schema")


@schema.parametrize()
@bounded()
def test_no_server_error_and_no_invalid_request_is_accepted(case, fuzzed):
    fuzzed.check(case)
