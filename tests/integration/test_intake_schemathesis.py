"""schemathesis against intake's served OpenAPI document, on real Kafka and Redis over real HTTP.

The document fuzzed is the one the running service serves. Positive and negative cases, bounded per
operation (stagepool_shared.testing.fuzz.MAX_EXAMPLES). Every operation is called with a token of the role it
is meant for (the document's x-roles). Checks: no 5xx ever, no invalid request accepted, every answer as the
document gives it.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Iterator

import pytest
import schemathesis

from intake import commands
from intake.bootstrap import bootstrap
from intake.config import Settings
from stagepool_shared import kafka
from stagepool_shared.auth import TokenStore
from stagepool_shared.testing.fuzz import FuzzedService, bounded

pytestmark = pytest.mark.integration

PERIOD = {"period_id": "p2027a", "name": "Voorjaar 2027", "starts_on": date(2027, 2, 1), "ends_on": date(2027, 6, 30)}


@pytest.fixture(scope="module")
def fuzzed(kafka_bootstrap: str, redis_url: str) -> Iterator[FuzzedService]:
    kafka.ensure_topics(kafka_bootstrap)
    prefix = "st-" + uuid.uuid4().hex[:8]
    env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url,
           "INTAKE_PSEUDONYM_SECRET": "schemathesis-secret-" + prefix}
    wiring = bootstrap(Settings.from_env(env), key_prefix=prefix)
    tokens = TokenStore(wiring.redis_client)
    commands.create_period(wiring.deps, "r-st", PERIOD)
    service = FuzzedService(wiring.app(), {
        "school_staff": tokens.issue("st-s", "school_staff", prefix + "-school", region_id="r-st"),
        "organisation_staff": tokens.issue("st-o", "organisation_staff", prefix + "-org", region_id="r-st"),
        "regional_coordinator": tokens.issue("st-c", "regional_coordinator", "r-st", region_id="r-st"),
        "service": tokens.issue("st-n", "service", "notifier"),
    }, own_tokens={"POST /api/v1/tokens/rotate": tokens.issue("st-r", "school_staff", prefix + "-school", "r-st")})
    yield service
    service.stop()
    wiring.close()


schema = schemathesis.pytest.from_fixture("served_schema")


@schema.parametrize()
@bounded()
def test_no_server_error_and_no_invalid_request_is_accepted(case, fuzzed):
    fuzzed.check(case)
