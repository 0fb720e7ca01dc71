"""schemathesis against the notifier's served OpenAPI document, on real Kafka and Redis over real HTTP.

The document fuzzed is the one the running service serves. Positive and negative cases, bounded per
operation (stagepool_shared.testing.fuzz.MAX_EXAMPLES). Every operation is called with a token of the role it
is meant for (the document's x-roles). Checks: no 5xx ever, no invalid request accepted, every answer as the
document gives it.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Iterator

import pytest
import schemathesis

from notifier.bootstrap import bootstrap
from notifier.config import Settings
from stagepool_shared import kafka
from stagepool_shared.testing.fuzz import FuzzedService, bounded, role_tokens

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def fuzzed(kafka_bootstrap: str, redis_url: str) -> Iterator[FuzzedService]:
    kafka.ensure_topics(kafka_bootstrap)
    tag = uuid.uuid4().hex[:8]
    wiring = bootstrap(Settings.from_env({
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url, "INTAKE_URL": "http://127.0.0.1:9",
        "NOTIFIER_SERVICE_TOKEN": secrets.token_urlsafe(32), "NOTIFIER_WEBHOOK_SECRET": secrets.token_urlsafe(32),
        "NOTIFIER_KEY_PREFIX": "st-" + tag}))
    region = "r-st-" + tag
    service = FuzzedService(wiring.app(), role_tokens(wiring.tokens.issue, region))
    yield service
    service.stop()
    wiring.close()


schema = schemathesis.pytest.from_fixture("served_schema")


@schema.parametrize()
@bounded()
def test_no_server_error_and_no_invalid_request_is_accepted(case, fuzzed):
    fuzzed.check(case)
