"""With the real broker stopped, intake answers 503 with Retry-After within PUBLISH_TIMEOUT_S of the request
and stores nothing; after the restart the same request (same Idempotency-Key) is accepted.

A 503 means "not acknowledged in time", not "never delivered": the publisher drops what it still buffered,
but a record already sent may be stored by the broker. Because the event id derives from the Idempotency-Key, every copy
that reaches the topic carries the one event id of the accepted answer, which consumers deduplicate."""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests

from intake.bootstrap import bootstrap
from intake.config import Settings
from stagepool_shared import kafka, topics
from stagepool_shared.runtime import BackgroundServer
from stagepool_shared.testing.waiting import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.faults]

PERIOD = {"period_id": "p2027a", "name": "Voorjaar 2027", "starts_on": "2027-02-01", "ends_on": "2027-06-30"}
BODY = {"student": {"student_number": "F1", "name": "Fault Student", "email": "fault@example.org",
                    "date_of_birth": "2009-03-15"},
        "wish": {"period_id": "p2027a", "sector": "zorg", "crebo": "25491", "level": 3, "study_year": 1,
                 "pathway": "bol", "home": {"postcode": "9401"}, "max_travel_minutes": 30, "transport_mode": "bike"}}


def test_a_stopped_broker_gives_503_and_nothing_stored_then_the_retry_is_accepted_once(kafka_server, redis_url):
    kafka.ensure_topics(kafka_server.bootstrap)
    prefix = "fault-" + uuid.uuid4().hex[:8]
    settings = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": kafka_server.bootstrap, "REDIS_URL": redis_url,
                                  "INTAKE_PSEUDONYM_SECRET": "fault-secret-" + prefix, "PUBLISH_TIMEOUT_S": "5"})
    wiring = bootstrap(settings, key_prefix=prefix)
    server = BackgroundServer(wiring.app()).start()
    school = wiring.tokens.issue("f-s", "school_staff", prefix + "-school", region_id="r-f")
    coordinator = wiring.tokens.issue("f-c", "regional_coordinator", "r-f", region_id="r-f")

    def post(key: str) -> requests.Response:
        return requests.post(server.url + "/api/v1/wishes", json=BODY, timeout=120,
                             headers={"Authorization": "Bearer " + school, "Idempotency-Key": key})

    try:
        requests.put(server.url + "/api/v1/periods/p2027a", json=PERIOD, timeout=30,
                     headers={"Authorization": "Bearer " + coordinator}).raise_for_status()
        warm = post("warm-" + prefix)  # the producer is connected
        assert warm.status_code == 202
        keys_before = set(wiring.redis_client.scan_iter(f"{prefix}:*"))
        kafka_server.stop()
        try:
            asked = time.monotonic()
            down = post("k-" + prefix)
            answered_s = time.monotonic() - asked
            assert down.status_code == 503 and down.headers["Retry-After"]
            assert answered_s <= settings.common.publish_timeout_s, answered_s
            assert set(wiring.redis_client.scan_iter(f"{prefix}:*")) == keys_before
        finally:
            kafka_server.restart()
        accepted = wait_until(lambda: (r := post("k-" + prefix)).status_code == 202 and r, timeout=120,
                              message="intake did not accept again after the broker restarted")
        event_id = accepted.json()["event_id"]
        assert post("k-" + prefix).json()["event_id"] == event_id
        school_id = (prefix + "-school").encode()
        logged = [json.loads(m.value) for m in kafka.read_log(kafka_server.bootstrap, (topics.WISHES,))
                  if school_id in m.value]
        assert {m["event_id"] for m in logged} == {warm.json()["event_id"], event_id}
    finally:
        server.stop()
        wiring.close()
