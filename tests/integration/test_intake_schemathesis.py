"""schemathesis against intake's served OpenAPI document, on real Kafka and Redis over real HTTP.

Positive and negative cases, at most 30 per operation (bounded). Every operation is called with a token of
the role it is meant for. Checks: no 5xx ever, and no invalid request accepted.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import negative_data_rejection
from schemathesis.checks import not_a_server_error

from intake import commands
from intake.bootstrap import bootstrap
from intake.config import Settings
from intake.entrypoints.openapi import build_spec
from stagepool_shared import kafka
from stagepool_shared.auth import TokenStore
from stagepool_shared.runtime import BackgroundServer

pytestmark = pytest.mark.integration

PERIOD = {"period_id": "p2027a", "name": "Voorjaar 2027", "starts_on": "2027-02-01", "ends_on": "2027-06-30"}


class Fuzzed:
    """The running service and a token per role."""

    def __init__(self, kafka_bootstrap: str, redis_url: str):
        prefix = "st-" + uuid.uuid4().hex[:8]
        env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url,
               "INTAKE_PSEUDONYM_SECRET": "schemathesis-secret-" + prefix}
        self.settings = Settings.from_env(env)
        self.wiring = bootstrap(self.settings, key_prefix=prefix)
        self.server = BackgroundServer(self.wiring.app()).start()
        tokens = TokenStore(self.wiring.redis_client)
        self.tokens = {
            "school": tokens.issue("st-s", "school_staff", prefix + "-school", region_id="r-st"),
            "org": tokens.issue("st-o", "organisation_staff", prefix + "-org", region_id="r-st"),
            "coordinator": tokens.issue("st-c", "regional_coordinator", "r-st", region_id="r-st"),
            "notifier": tokens.issue("st-n", "service", "notifier"),
        }
        commands.create_period(self.wiring.deps, "r-st",
                               {**PERIOD, "starts_on": date(2027, 2, 1), "ends_on": date(2027, 6, 30)})

    def token_for(self, method: str, path: str) -> str:
        if path.startswith("/internal/"):
            return self.tokens["notifier"]
        if "places" in path:
            return self.tokens["org"]
        if path.startswith(("/api/v1/periods/", "/api/v1/schools/")):
            return self.tokens["coordinator"]
        return self.tokens["school"]


@pytest.fixture(scope="module")
def fuzzed(kafka_bootstrap: str, redis_url: str) -> Iterator[Fuzzed]:
    kafka.ensure_topics(kafka_bootstrap)
    service = Fuzzed(kafka_bootstrap, redis_url)
    yield service
    service.server.stop()
    service.wiring.close()


# The document the service serves (build_spec is pure: nothing connects at import time); a test below checks
# that the served document is this one.
schema = schemathesis.openapi.from_dict(build_spec())
schema.config.generation.update(modes=list(schemathesis.GenerationMode), max_examples=30,
                                with_security_parameters=False)


def test_the_fuzzed_document_is_the_served_one(fuzzed):
    import requests

    served = requests.get(fuzzed.server.url + "/api/v1/openapi.json", timeout=10).json()
    assert served == build_spec()


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_no_server_error_and_no_invalid_request_is_accepted(case, fuzzed):
    token = fuzzed.token_for(case.method, case.path)
    case.call_and_validate(base_url=fuzzed.server.url, headers={"Authorization": "Bearer " + token},
                           checks=[not_a_server_error, negative_data_rejection], timeout=30)
