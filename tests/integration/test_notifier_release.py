"""The notifier on real Kafka, Redis and a real SMTP server (aiosmtpd): a released round reaches everyone
once, nothing before the release moment, bad input is reported or dead-lettered.

Each test uses its own topics, consumer group and Redis key prefix. Intake's two internal endpoints are
played by a tiny Flask stand-in on 127.0.0.1 (our own port, since intake is built separately).
"""

from __future__ import annotations

import base64
import json
import logging
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Callable, Iterator

import pytest
import redis
from flask import Flask, abort, jsonify, request
from prometheus_client import REGISTRY, generate_latest
from werkzeug.serving import make_server

from notifier import commands
from notifier.bootstrap import Wiring, bootstrap
from notifier.config import Settings
from stagepool_shared import registry, topics
from stagepool_shared.auth import TokenStore
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events import placements, places, rounds
from stagepool_shared.events.base import Location
from stagepool_shared.kafka import ConsumerOptions, EventPublisher, ensure_topics, read_log
from stagepool_shared.runtime import start_workers
from stagepool_shared.testing.canaries import found, stored_bytes
from stagepool_shared.testing.waiting import wait_until
from tests.fakes.notifier import Inbox, smtp_server

pytestmark = pytest.mark.integration

SERVICE_TOKEN = "svc-notifier-test-token"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with smtp_server() as server:
        yield server


@dataclass
class IntakeStandIn:
    """Intake's internal contact endpoints, answering only with the service token."""

    students: dict[str, dict[str, str]] = field(default_factory=dict)
    schools: dict[str, dict[str, str]] = field(default_factory=dict)
    places: dict[str, dict[str, str]] = field(default_factory=dict)

    def app(self) -> Flask:
        app = Flask("intake-stand-in")

        def check() -> None:
            if request.headers.get("Authorization") != f"Bearer {SERVICE_TOKEN}":
                abort(401)

        @app.get("/internal/v1/contacts")
        def contacts():
            check()
            refs = request.args.getlist("student_ref")
            return jsonify(contacts={r: self.students[r] for r in refs if r in self.students})

        @app.get("/internal/v1/places/contacts")
        def place_contacts():
            check()
            ids = [i for i in request.args.getlist("place_id") if i in self.places]
            if not ids:
                abort(404)
            return jsonify(contacts=[{"place_id": i, **self.places[i]} for i in ids], not_found=[])

        @app.get("/internal/v1/schools/<school_id>")
        def school(school_id: str):
            check()
            if school_id not in self.schools:
                abort(404)
            return jsonify(school_id=school_id, **self.schools[school_id])

        return app


@pytest.fixture
def intake() -> Iterator[tuple[IntakeStandIn, str]]:
    stand_in = IntakeStandIn()
    server = make_server("127.0.0.1", 0, stand_in.app(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


@dataclass
class Lane:
    """One test's own topics, group and key prefix."""

    tag: str
    places: str
    rounds: str
    placements: str
    students: str

    @classmethod
    def new(cls) -> "Lane":
        tag = uuid.uuid4().hex[:10]
        return cls(tag, *(f"test.notifier.{tag}.{name}" for name in ("places", "rounds", "placements", "students")))

    @property
    def topics(self) -> tuple[str, ...]:
        return (self.places, self.rounds, self.placements, self.students)

    def env(self, kafka: str, redis_url: str, intake_url: str, smtp_port: int, **extra: str) -> dict[str, str]:
        return {"KAFKA_BOOTSTRAP_SERVERS": kafka, "REDIS_URL": redis_url, "INTAKE_URL": intake_url,
                "NOTIFIER_SERVICE_TOKEN": SERVICE_TOKEN, "NOTIFIER_WEBHOOK_SECRET": "hook-secret",
                "STAGEPOOL_ENV": "dev",  # a short test webhook secret is tolerated in the dev stack only
                "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port), "NOTIFIER_KEY_PREFIX": f"nt-{self.tag}",
                "NOTIFIER_CONSUMER_GROUP": f"test-notifier-{self.tag}", "NOTIFIER_TOPICS": ",".join(self.topics),
                "NOTIFIER_IDLE_WAIT_S": "0.05", "HTTP_PORT": "0", **extra}


def make_place(place_id: str, org: str, name: str) -> places.Place:
    return places.Place(
        place_id=place_id, organisation_id=org, organisation_name=name, region_id="reg-t", period_id="2027-p1",
        sector="zorg", org_type="ziekenhuis", location=Location("9713", 53.2, 6.5), address=f"{name}laan 3",
        crebos=["25491"], levels=[3], slots=50, supervision_capacity=50, start_date="2027-02-01")


def released_parts(round_id: str, outcomes: list[rounds.Outcome], parts: int, released_at: datetime):
    chunks = [outcomes[i::parts] for i in range(parts)]
    return [new_envelope("round.released", rounds.RoundReleased(
        round_id=round_id, region_id="reg-t", period_id="2027-p1", released_at=released_at.isoformat(),
        respond_by=(released_at + timedelta(days=7)).isoformat(), part=i + 1, parts=parts, outcomes=chunk),
        producer="matcher", partition_key="reg-t") for i, chunk in enumerate(chunks)]


def seed_round(stand_in: IntakeStandIn, n_students: int, bad: set[int] = frozenset()) -> list[rounds.Outcome]:
    """n students over two schools, placed with two organisations (every third one unplaced)."""
    stand_in.schools.update({"sch-x": {"name": "ROC X", "email": "stage@x.example", "webhook_url": ""},
                             "sch-y": {"name": "College Y", "email": "stage@y.example", "webhook_url": ""}})
    stand_in.places.update({f"plc-org-{x}": {"organisation_id": f"org-{x}", "name": "Praktijkopleider",
                                             "email": f"stage@{x}.example", "phone": "050 000"} for x in ("p", "q")})
    outcomes = []
    for i in range(n_students):
        ref = f"stu_{i:05d}"
        email = "not-an-address" if i in bad else f"student{i}@mail.example"
        stand_in.students[ref] = {"name": f"Student {i}", "email": email, "phone": ""}
        school = "sch-x" if i % 2 == 0 else "sch-y"
        if i % 3 == 2:
            outcomes.append(rounds.Outcome(ref, school, "unplaced", reason_code="NO_ELIGIBLE_PLACE"))
        else:
            org = "org-p" if i % 3 == 0 else "org-q"
            outcomes.append(rounds.Outcome(ref, school, "placed", place_id=f"plc-{org}", organisation_id=org,
                                           wish_match="top2", criteria_met=["crebo"]))
    return outcomes


def expected_addresses(n_students: int, bad: set[int]) -> set[str]:
    students = {f"student{i}@mail.example" for i in range(n_students) if i not in bad}
    return students | {"stage@x.example", "stage@y.example", "stage@p.example", "stage@q.example"}


def prepare_lane(kafka: str) -> tuple[Lane, EventPublisher]:
    lane = Lane.new()
    ensure_topics(kafka, names=lane.topics + tuple(topics.dlq(t) for t in lane.topics)
                  + (topics.NOTIFICATIONS, topics.dlq(topics.NOTIFICATIONS), topics.PLACEMENTS))
    publisher = EventPublisher(kafka, f"test-{lane.tag}")
    publisher.publish_all([new_envelope("place.posted", make_place(f"plc-org-{x}", f"org-{x}", f"Zorg {x.upper()}"),
                                        producer="intake", partition_key="reg-t") for x in ("p", "q")],
                          topic=lane.places)
    return lane, publisher


class RunningNotifier:
    """The notifier's consumer and workers in this process, stopped at the end of the test."""

    def __init__(self, settings: Settings):
        self.stop, self.crashed = threading.Event(), threading.Event()
        self.wiring: Wiring = bootstrap(settings)
        self.threads = start_workers(self.wiring.workers(), self.stop, self.crashed)
        loop = self.wiring.consumer(self.stop, ConsumerOptions(poll_timeout_ms=100))
        self.consumer = threading.Thread(target=loop.run, daemon=True)
        self.consumer.start()

    def close(self) -> None:
        self.stop.set()
        self.consumer.join(timeout=30)
        for thread in self.threads:
            thread.join(timeout=30)
        self.wiring.close()


@dataclass
class Stage:
    """One test's scene: intake's stand-in, the mailbox, the test's own lane with a publisher on it, and
    `start()` for a notifier reading that lane."""

    intake: IntakeStandIn
    mailbox: Inbox
    lane: Lane
    publisher: EventPublisher
    start: Callable[..., RunningNotifier]


@pytest.fixture
def stage(kafka_bootstrap, redis_url, intake, smtp) -> Iterator[Stage]:
    started: list[RunningNotifier] = []
    lane, publisher = prepare_lane(kafka_bootstrap)

    def start(**extra: str) -> RunningNotifier:
        env = lane.env(kafka_bootstrap, redis_url, intake[1], smtp[1], **extra)
        runner = RunningNotifier(Settings.from_env(env))
        started.append(runner)
        return runner

    yield Stage(intake[0], smtp[0], lane, publisher, start)
    for runner in started:
        runner.close()
    publisher.close()


def test_a_released_round_reaches_every_recipient_once_and_nothing_before_the_release_moment(stage):
    bad = {7}
    outcomes = seed_round(stage.intake, 30, bad)
    runner = stage.start()
    release_at = datetime.now(UTC) + timedelta(seconds=4)
    stage.publisher.publish_all(released_parts("rnd-a", outcomes, 3, release_at), topic=stage.lane.rounds)
    store = runner.wiring.deps.store
    wait_until(lambda: store.round("rnd-a") is not None, 30, message="round was not stored")
    assert datetime.now(UTC) < release_at, "the test machine was too slow to observe the embargo"
    assert stage.mailbox.count() == 0
    assert commands.read_inbox(runner.wiring.deps, "student", "stu_00000") == []

    wait_until(lambda: store.pending_count() == 0, 60, message="deliveries still pending")
    assert min(stage.mailbox.arrivals) >= release_at
    counts = stage.mailbox.per_recipient()
    assert set(counts) == expected_addresses(30, bad)
    assert max(counts.values()) == 1
    assert len(commands.read_inbox(runner.wiring.deps, "student", "stu_00000")) == 1


def test_a_student_with_an_invalid_address_is_reported_to_the_school(kafka_bootstrap, stage):
    outcomes = seed_round(stage.intake, 6, bad={3})
    runner = stage.start()
    stage.publisher.publish_all(released_parts("rnd-b", outcomes, 1, datetime.now(UTC)), topic=stage.lane.rounds)
    school_mail = wait_until(lambda: stage.mailbox.to("stage@y.example"), 60, message="no school overview")
    body = school_mail[0].get_payload(decode=True).decode()
    assert "Niet bereikbaar per e-mail (1)" in body and "Student 3: ongeldig e-mailadres" in body
    deps = runner.wiring.deps
    notes = wait_until(lambda: [e for e in commands.read_inbox(deps, "school", "sch-y")
                                if e.message_kind == "address_problem"], 30, message="no inbox report")
    assert "Student 3" in notes[0].body
    failed = wait_until(lambda: [e for e in (registry.decode(m.value) for m in
                                             read_log(kafka_bootstrap, [topics.NOTIFICATIONS]))
                                 if e.event_type == "notification.failed" and e.payload.round_id == "rnd-b"
                                 and e.payload.recipient_ref == "stu_00003"], 30, message="no notification.failed")
    assert failed[0].payload.reason == "invalid_address"
    letters = [registry.decode(m.value) for m in read_log(kafka_bootstrap, [topics.dlq(topics.NOTIFICATIONS)])]
    assert any("rnd-b:student:stu_00003:email" == (e.payload.key or "") for e in letters)


def test_a_malformed_released_round_lands_in_the_dead_letter_topic(kafka_bootstrap, stage):
    stage.start()
    good = released_parts("rnd-c", [], 1, datetime.now(UTC))[0]
    raw = registry.to_dict(good)
    raw["payload"]["part"] = "one"
    raw["payload"]["outcomes"] = [{"student_ref": "stu_1", "status": "maybe"}]
    stage.publisher.publish_raw(stage.lane.rounds, json.dumps(raw).encode(), key=b"reg-t")
    letters = wait_until(lambda: read_log(kafka_bootstrap, [topics.dlq(stage.lane.rounds)]), 60,
                         message="nothing in the dead-letter topic")
    letter = registry.decode(letters[0].value).payload
    assert letter.original_topic == stage.lane.rounds and "round.released" in letter.reason
    assert json.loads(base64.b64decode(letter.raw_base64))["payload"]["part"] == "one"


def test_the_inbox_api_shows_nothing_before_release_and_the_outcome_after(kafka_bootstrap, redis_url, stage):
    outcomes = seed_round(stage.intake, 3)
    runner = stage.start()
    client = runner.wiring.app().test_client()
    token = TokenStore(redis.Redis.from_url(redis_url)).issue("u-stu0", "student", "stu_00000")
    headers = {"Authorization": f"Bearer {token}"}
    release_at = datetime.now(UTC) + timedelta(seconds=3)
    stage.publisher.publish_all(released_parts("rnd-d", outcomes, 1, release_at), topic=stage.lane.rounds)
    wait_until(lambda: runner.wiring.deps.store.round("rnd-d"), 30, message="round was not stored")
    assert client.get("/api/v1/inbox", headers=headers).get_json()["messages"] == []
    assert client.post("/api/v1/placements/rnd-d/accept", headers=headers).status_code == 404
    messages = wait_until(lambda: client.get("/api/v1/inbox", headers=headers).get_json()["messages"], 30,
                          message="inbox still empty after release")
    assert "Zorg P" in messages[0]["subject"]
    answer = client.post("/api/v1/placements/rnd-d/accept", headers=headers)
    assert answer.status_code == 200
    accepted = [registry.decode(m.value) for m in read_log(kafka_bootstrap, [topics.PLACEMENTS])]
    assert answer.get_json()["event_id"] in {e.event_id for e in accepted}


def test_a_place_withdrawn_after_release_is_told_once_and_exclusions_come_from_the_log(redis_url, stage):
    """Issue 14: from the notifier's own topics (real Kafka), a withdrawn place (delivered twice) tells the
    student, the school and the region's coordinators once each, and a re-placement request's exclusion
    refuses an answer (409), both stored in the real Redis."""
    outcomes = seed_round(stage.intake, 3)  # stu_00000 at plc-org-p (sch-x), stu_00001 at plc-org-q (sch-y)
    runner = stage.start()
    deps = runner.wiring.deps
    stage.publisher.publish_all(released_parts("rnd-w", outcomes, 1, datetime.now(UTC)), topic=stage.lane.rounds)
    wait_until(lambda: deps.store.round("rnd-w") and deps.store.pending_count() == 0, 60,
               message="the round was not delivered")
    withdrawn = new_envelope("place.withdrawn", places.PlaceWithdrawn("plc-org-p", "org-p", "reg-t", "2027-p1"),
                             producer="intake", partition_key="reg-t")
    stage.publisher.publish_all([withdrawn, withdrawn], topic=stage.lane.places)
    stage.publisher.publish(new_envelope("placement.replacement_requested", placements.ReplacementRequested(
        "req-w", "reg-t", "2027-p1", "stu_00001", "sch-y", "desk_report", exclude_organisation_ids=["org-q"]),
        producer="reporting", partition_key="reg-t"), topic=stage.lane.placements)
    wait_until(lambda: commands.read_inbox(deps, "region", "reg-t") and deps.store.pending_count() == 0
               and deps.store.exclusions("stu_00001").organisation_ids, 60, message="no withdrawal notes")
    assert [e.message_kind for e in commands.read_inbox(deps, "student", "stu_00000")] == ["outcome",
                                                                                           "place_withdrawn"]
    assert len(commands.read_inbox(deps, "region", "reg-t")) == 1
    assert len(stage.mailbox.to("student0@mail.example")) == 2
    school = [m for m in stage.mailbox.to("stage@x.example") if "ingetrokken" in m["Subject"]]
    assert len(school) == 1
    tokens = TokenStore(redis.Redis.from_url(redis_url))
    client = runner.wiring.app().test_client()
    for ref, code in (("stu_00000", "place_withdrawn"), ("stu_00001", "excluded")):
        headers = {"Authorization": f"Bearer {tokens.issue('u-' + ref, 'student', ref)}"}
        answer = client.post("/api/v1/placements/rnd-w/accept", headers=headers)
        assert answer.status_code == 409 and answer.get_json()["error"] == code


def test_canary_contacts_of_a_student_and_a_place_are_kept_in_no_key_topic_log_or_metric(
        kafka_bootstrap, redis_url, stage, caplog):
    """Issue 19.4: the notifier uses the contact details intake gives (a student's, a place's contact person)
    to deliver, and keeps none of them: after the round is delivered no notifier key, no topic, no log line
    and no metric holds a canary, while the student's e-mail and inbox do show them."""
    caplog.set_level(logging.DEBUG)
    student = {"name": "CANARY-Stu Zwaantje", "email": "canary.zwaantje@mail.example", "phone": "06 9999 0001"}
    person = {"organisation_id": "org-p", "name": "CANARY-Con Brink", "email": "canary.brink@p.example",
              "phone": "050 999 0002"}
    outcomes = seed_round(stage.intake, 3)  # stu_00000 is placed at plc-org-p
    stage.intake.students["stu_00000"] = student
    stage.intake.places["plc-org-p"] = person
    runner = stage.start()
    deps = runner.wiring.deps
    stage.publisher.publish_all(released_parts("rnd-canary", outcomes, 1, datetime.now(UTC)),
                                topic=stage.lane.rounds)
    wait_until(lambda: deps.store.round("rnd-canary") and deps.store.pending_count() == 0, 60,
               message="the round was not delivered")
    [mail] = stage.mailbox.to(student["email"])
    assert person["name"] in mail.get_payload(decode=True).decode()
    assert student["name"] in commands.read_inbox(deps, "student", "stu_00000")[0].body
    wait_until(lambda: deps.store.outbox_peek(1) == [], 30, message="the outbox was not relayed")
    canaries = [student["name"], student["email"], student["phone"], person["name"], person["email"],
                person["phone"]]
    kept = stored_bytes(redis.Redis.from_url(redis_url), f"nt-{stage.lane.tag}:*")
    logged = [m.value for m in read_log(kafka_bootstrap, stage.lane.topics + (topics.NOTIFICATIONS,
                                                                              topics.dlq(topics.NOTIFICATIONS)))]
    # every log line but the receiving mail server's (aiosmtpd, the test's recipient, logs what it receives)
    lines = [r.getMessage() for r in caplog.records if not r.name.startswith("mail.log")]
    assert b"inbox:student:stu_00000" in kept and lines  # the scans read what the notifier wrote
    assert found(canaries, kept, *logged, *lines, generate_latest(REGISTRY)) == []
