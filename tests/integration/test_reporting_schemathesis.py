"""schemathesis against reporting's served OpenAPI document, on real Kafka and Redis over real HTTP.

The document fuzzed is the one the running service serves. Positive and negative cases, bounded per
operation (stagepool_shared.testing.fuzz.MAX_EXAMPLES). Every operation is called with a token of the role it
is meant for (the document's x-roles). Checks: no 5xx ever, no invalid request accepted, every answer as the
document gives it. The region holds a student with a wish, so filing and follow-up reach their checks.
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Iterator

import pytest
import schemathesis

from reporting import handlers
from reporting.bootstrap import bootstrap
from stagepool_shared import kafka
from stagepool_shared.envelope import new_envelope
from stagepool_shared.testing.fuzz import FuzzedService, bounded, role_tokens
from stagepool_shared.testing.samples import sample_payload
from tests.fakes.reporting import settings_for

pytestmark = pytest.mark.integration

REGION, PERIOD, STUDENT = "r-st", "2027-p1", "stu_fuzz"


@pytest.fixture(scope="module")
def fuzzed(kafka_bootstrap: str, redis_url: str) -> Iterator[FuzzedService]:
    kafka.ensure_topics(kafka_bootstrap)
    wiring = bootstrap(settings_for(kafka_bootstrap, redis_url), key_prefix="st-" + uuid.uuid4().hex[:8],
                       registry=None)
    wish = replace(sample_payload("wish.submitted"), student_ref=STUDENT, school_id="sch-st", region_id=REGION,
                   period_id=PERIOD)
    handlers.handle(new_envelope("wish.submitted", wish, producer="intake", partition_key=REGION), wiring.deps)
    service = FuzzedService(wiring.app(), role_tokens(wiring.tokens.issue, REGION, (
        "desk_staff", "regional_coordinator", "school_staff", "organisation_staff", "student")))
    yield service
    service.stop()
    wiring.close()


schema = schemathesis.pytest.from_fixture("served_schema")


@schema.parametrize()
@bounded()
def test_no_server_error_and_no_invalid_request_is_accepted(case, fuzzed):
    fuzzed.check(case)
