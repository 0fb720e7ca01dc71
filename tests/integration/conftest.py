"""Integration tests: real Kafka and Redis from the shared plugin (tests/conftest.py).

`served_schema` is the schemathesis schema of the document a module's `fuzzed` service serves
(stagepool_shared.testing.fuzz); a fuzz module hands it to `schemathesis.pytest.from_fixture`.
`intake_to_reporting`: intake and reporting in this process, for an event's path from intake's API to
reporting's consumer.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass, field
from typing import Iterator

import pytest

from intake.bootstrap import Wiring as IntakeWiring
from intake.bootstrap import bootstrap as intake_bootstrap
from intake.config import Settings
from reporting.bootstrap import Wiring as ReportingWiring
from reporting.bootstrap import bootstrap as reporting_bootstrap
from reporting.entrypoints.consumer import make_consumer
from stagepool_shared import kafka, topics
from stagepool_shared.testing.fuzz import FuzzedService, fuzz_schema
from tests.fakes.reporting import settings_for


@pytest.fixture
def served_schema(fuzzed: FuzzedService, request: pytest.FixtureRequest):
    return fuzz_schema(fuzzed, request)


@dataclass
class IntakeToReporting:
    """Intake and reporting on the session's Kafka and Redis, with keys of their own (`tag`) and a region of
    their own; `consumer(name, topic)` is reporting's consumer of one topic in a thread, not yet started."""

    tag: str
    region: str
    intake: IntakeWiring
    reporting: ReportingWiring
    stop: threading.Event = field(default_factory=threading.Event)
    threads: list[threading.Thread] = field(default_factory=list)

    def consumer(self, name: str, topic: str) -> threading.Thread:
        loop = make_consumer(self.reporting, self.stop, group=topics.ConsumerGroup(f"{name}-{self.tag}", (topic,)))
        self.threads.append(threading.Thread(target=loop.run, daemon=True))
        return self.threads[-1]


@pytest.fixture
def intake_to_reporting(kafka_bootstrap: str, redis_url: str) -> Iterator[IntakeToReporting]:
    kafka.ensure_topics(kafka_bootstrap)
    tag = uuid.uuid4().hex[:10]
    intake = intake_bootstrap(Settings.from_env({
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url, "PUBLISH_TIMEOUT_S": "10",
        "INTAKE_PSEUDONYM_SECRET": "integration-secret-" + tag}), key_prefix=f"it-{tag}")
    reporting = reporting_bootstrap(settings_for(kafka_bootstrap, redis_url), key_prefix=f"itr-{tag}", registry=None)
    both = IntakeToReporting(tag, f"r-{tag}", intake, reporting)
    try:
        yield both
    finally:
        both.stop.set()
        for thread in both.threads:
            if thread.is_alive():
                thread.join(timeout=30)
        intake.close()
        reporting.close()
