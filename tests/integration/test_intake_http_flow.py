"""Intake over real HTTP on the real broker and Redis: blind events, tenant isolation, idempotent retries,
Kafka down -> 503 with nothing stored, bulk import, and contacts after a real round.released event."""

from __future__ import annotations

import copy
import csv
import io
import json
import logging
import threading
import uuid
from typing import Any, Iterator

import pytest
import requests

from intake.bootstrap import bootstrap
from intake.config import Settings
from intake.entrypoints.consumer import make_consumer
from intake.entrypoints.rows import WISH_COLUMNS
from stagepool_shared import kafka, topics
from stagepool_shared.auth import TokenStore
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.rounds import Outcome, RoundReleased
from stagepool_shared.runtime import BackgroundServer
from stagepool_shared.testing.waiting import wait_until
from tests.fakes.intake import PLACE

pytestmark = pytest.mark.integration

PERIOD = {"period_id": "p2027a", "name": "Voorjaar 2027", "starts_on": "2027-02-01", "ends_on": "2027-06-30",
          "sectors": ["zorg"]}
WISH = {"period_id": "p2027a", "sector": "zorg", "crebo": "25491", "level": 3, "study_year": 1, "pathway": "bol",
        "home": {"postcode": "9711 AB"}, "max_travel_minutes": 45, "transport_mode": "bike",
        "leerwens": "Ik wil in een klein team werken."}


class Intake:
    """A running intake (real HTTP server) with tokens per role and its own Redis key prefix."""

    def __init__(self, kafka_bootstrap: str, redis_url: str, prefix: str):
        self.prefix = prefix
        self.settings = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url,
                                           "INTAKE_PSEUDONYM_SECRET": "integration-secret-" + prefix,
                                           "PUBLISH_TIMEOUT_S": "5"})
        self.wiring = bootstrap(self.settings, key_prefix=prefix)
        self.server = BackgroundServer(self.wiring.app()).start()
        tokens = TokenStore(self.wiring.redis_client)
        self.tokens = {
            "school_a": tokens.issue("u-a", "school_staff", f"{prefix}-school-a", region_id="r-noord"),
            "school_b": tokens.issue("u-b", "school_staff", f"{prefix}-school-b", region_id="r-noord"),
            "coordinator": tokens.issue("u-c", "regional_coordinator", "r-noord", region_id="r-noord"),
            "notifier": tokens.issue("svc-n", "service", "notifier"),
            "org": tokens.issue("u-o", "organisation_staff", f"{prefix}-org", region_id="r-noord"),
        }

    def call(self, method: str, path: str, who: str, **kwargs: Any) -> requests.Response:
        headers = {"Authorization": "Bearer " + self.tokens[who], **kwargs.pop("headers", {})}
        return requests.request(method, self.server.url + path, headers=headers, timeout=90, **kwargs)

    def keys(self) -> set[bytes]:
        return set(self.wiring.redis_client.scan_iter(f"{self.prefix}:*", count=1000))

    def close(self) -> None:
        self.server.stop()
        self.wiring.close()


@pytest.fixture(scope="module")
def topics_ready(kafka_bootstrap: str) -> str:
    kafka.ensure_topics(kafka_bootstrap)
    return kafka_bootstrap


@pytest.fixture
def intake(topics_ready: str, redis_url: str) -> Iterator[Intake]:
    service = Intake(topics_ready, redis_url, "it-" + uuid.uuid4().hex[:10])
    assert service.call("PUT", "/api/v1/periods/p2027a", "coordinator", json=PERIOD).status_code == 200
    yield service
    service.close()


def canary_submission() -> tuple[dict, str, str]:
    tag = uuid.uuid4().hex[:12]
    name, email = f"CANARY-{tag} Jansen", f"canary-{tag}@example.org"
    student = {"student_number": "N" + tag[:8], "name": name, "email": email, "date_of_birth": "2009-03-15",
               "phone": "0612345678", "address": f"Canarystraat {tag}"}
    return {"student": student, "wish": copy.deepcopy(WISH)}, name, email


def events_with(bootstrap_servers: str, topic_names: tuple[str, ...], needle: str) -> list[bytes]:
    return [m.value for m in kafka.read_log(bootstrap_servers, topic_names) if m.value and needle.encode() in m.value]


def test_a_posted_wish_arrives_on_its_topic_without_any_personal_data(intake, topics_ready, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    body, name, email = canary_submission()
    response = intake.call("POST", "/api/v1/wishes", "school_a", json=body)
    assert response.status_code == 202, response.text
    event_id = response.json()["event_id"]
    assert len(events_with(topics_ready, (topics.WISHES,), event_id)) == 1
    everything = topics.ALL_TOPICS + topics.ALL_DLQ_TOPICS
    for canary in (name, email, body["student"]["address"], body["student"]["student_number"], "2009-03-15"):
        assert events_with(topics_ready, everything, canary) == []
        assert canary not in caplog.text
    out, err = capfd.readouterr()
    assert name not in out + err and email not in out + err


def test_a_posted_place_arrives_on_its_topic_without_its_contact_person(intake, topics_ready, caplog, capfd):
    """Issue 19.4: the place's contact person (canaries) stays in intake: in no topic, log or output."""
    caplog.set_level(logging.DEBUG)
    tag = uuid.uuid4().hex[:12]
    contact = {"name": f"CANARY-{tag} Brink", "email": f"canary-{tag}@org.example",
               "phone": f"050 {int(tag[:8], 16) % 10 ** 7:07d}"}
    response = intake.call("POST", "/api/v1/places", "org", json={**PLACE, "contact": contact})
    assert response.status_code == 202, response.text
    assert len(events_with(topics_ready, (topics.PLACES,), response.json()["event_id"])) == 1
    everything = topics.ALL_TOPICS + topics.ALL_DLQ_TOPICS
    out, err = capfd.readouterr()
    for canary in contact.values():
        assert events_with(topics_ready, everything, canary) == []
        assert canary not in caplog.text and canary not in out + err


def test_another_school_is_refused_with_404(intake):
    body, _, _ = canary_submission()
    ref = intake.call("POST", "/api/v1/wishes", "school_a", json=body).json()["student_ref"]
    assert intake.call("GET", f"/api/v1/students/{ref}", "school_a").status_code == 200
    foreign = intake.call("GET", f"/api/v1/students/{ref}", "school_b")
    missing = intake.call("GET", "/api/v1/students/stu_00000000", "school_b")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()


def test_a_retried_request_with_the_same_idempotency_key_publishes_once(intake, topics_ready):
    body, _, _ = canary_submission()
    key = {"Idempotency-Key": uuid.uuid4().hex}
    answers = [intake.call("POST", "/api/v1/wishes", "school_a", json=body, headers=key) for _ in range(3)]
    assert {a.status_code for a in answers} == {202}
    assert len({a.json()["event_id"] for a in answers}) == 1
    assert len(events_with(topics_ready, (topics.WISHES,), answers[0].json()["event_id"])) == 1
    changed = copy.deepcopy(body)
    changed["wish"]["level"] = 2
    assert intake.call("POST", "/api/v1/wishes", "school_a", json=changed, headers=key).status_code == 409


def test_kafka_down_gives_503_and_nothing_is_stored(intake, redis_url):
    down = Intake("127.0.0.1:1", redis_url, intake.prefix)  # same Redis namespace, unreachable broker
    try:
        down.call("PUT", "/api/v1/periods/p2027a", "coordinator", json=PERIOD)
        before = intake.keys()
        body, _, _ = canary_submission()
        response = down.call("POST", "/api/v1/wishes", "school_a", json=body, headers={"Idempotency-Key": "k-down"})
        assert response.status_code == 503
        assert int(response.headers["Retry-After"]) > 0
        assert intake.keys() == before
    finally:
        down.close()


def test_a_bulk_import_publishes_every_row_with_one_answer(intake, topics_ready):
    headers = [c.dutch for c in WISH_COLUMNS]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers, delimiter=";")
    writer.writeheader()
    tag = uuid.uuid4().hex[:6]
    for i in range(300):
        writer.writerow({"leerlingnummer": f"B{tag}{i}", "naam": f"Bulk {i}", "e-mail": f"b{i}@example.org",
                         "geboortedatum": "2009-01-01", "periode": "p2027a", "sector": "zorg", "crebo": "25491",
                         "niveau": "2", "leerjaar": "1", "leerweg": "bol", "postcode": "9401",
                         "max_reistijd_minuten": "30", "vervoer": "bike"})
    files = {"file": ("wensen.csv", out.getvalue().encode(), "text/csv")}
    response = intake.call("POST", "/api/v1/imports/wishes", "school_a", files=files)
    assert response.status_code == 202, response.text[:500]
    ids = set(response.json()["event_ids"])
    assert len(ids) == 300
    logged = {m.value for m in kafka.read_log(topics_ready, (topics.WISHES,))}
    assert sum(1 for v in logged if any(i.encode() in v for i in list(ids)[:20])) == 20
    assert len(intake.call("GET", "/api/v1/students", "school_a").json()["student_refs"]) == 300


def test_contacts_become_available_after_a_real_round_released_event(intake, topics_ready):
    body, name, _ = canary_submission()
    ref = intake.call("POST", "/api/v1/wishes", "school_a", json=body).json()["student_ref"]
    url = f"/internal/v1/contacts?student_ref={ref}"
    assert intake.call("GET", url, "notifier").status_code == 404
    payload = RoundReleased("rd-" + intake.prefix, "r-noord", "p2027a", "2027-01-10T09:00:00Z",
                            "2027-01-17T09:00:00Z", 1, 1, [Outcome(ref, "school-a", "unplaced")])
    publisher = kafka.EventPublisher(topics_ready, "it-matcher")
    publisher.publish(new_envelope("round.released", payload, producer="matcher", partition_key="r-noord"))
    publisher.close()
    stop = threading.Event()
    group = topics.ConsumerGroup("it-intake-" + intake.prefix, (topics.ROUNDS,))
    loop = make_consumer(intake.wiring, stop, group=group)
    thread = threading.Thread(target=loop.run, daemon=True)
    thread.start()
    try:
        answer = wait_until(lambda: (r := intake.call("GET", url, "notifier")).status_code == 200 and r,
                            timeout=60, message="contacts did not become available")
        assert answer.json()["contacts"][0]["name"] == name
    finally:
        stop.set()
        thread.join(timeout=30)


def test_erasure_publishes_student_erased_and_leaves_no_key_of_the_student(intake, topics_ready):
    body, name, _ = canary_submission()
    ref = intake.call("POST", "/api/v1/wishes", "school_a", json=body).json()["student_ref"]
    assert any(ref.encode() in k for k in intake.keys())
    response = intake.call("DELETE", f"/api/v1/students/{ref}", "school_a")
    assert response.status_code == 202
    [erased] = [json.loads(v) for v in events_with(topics_ready, (topics.STUDENTS,), response.json()["event_id"])]
    assert erased["event_type"] == "student.erased" and erased["payload"]["student_ref"] == ref
    assert not any(ref.encode() in k for k in intake.keys())
    client = intake.wiring.redis_client
    stored = [client.get(k) for k in intake.keys() if client.type(k) == b"string"]
    assert stored and not any(name.encode() in value for value in stored)


def test_a_posted_place_arrives_on_the_places_topic_for_the_callers_organisation(intake, topics_ready):
    token = TokenStore(intake.wiring.redis_client).issue("u-o", "organisation_staff", intake.prefix + "-org",
                                                         region_id="r-noord")
    intake.tokens["org"] = token
    place = {"period_id": "p2027a", "organisation_name": "Zorggroep Noord", "sector": "zorg", "org_type": "vvt",
             "location": {"postcode": "9401"}, "address": "Zorgweg 2, Assen", "crebos": ["25491"], "levels": [3],
             "slots": 2, "supervision_capacity": 1}
    response = intake.call("POST", "/api/v1/places", "org", json=place)
    assert response.status_code == 202, response.text
    [logged] = [json.loads(v) for v in events_with(topics_ready, (topics.PLACES,), response.json()["event_id"])]
    assert logged["payload"]["organisation_id"] == intake.prefix + "-org"
    assert logged["payload"]["place_id"] == response.json()["place_id"]
