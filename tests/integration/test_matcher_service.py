"""The matcher service on real Kafka and Redis: projections, rounds, approval, release, replay, poison.

One matcher (built by bootstrap: the consumer thread, the release worker and the Flask app) runs for the
module on unique topic names (a publisher that routes each event to its test topic) and a unique region,
so other tests are untouched.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from stagepool_shared import topics
from stagepool_shared.auth import TokenStore
from stagepool_shared.envelope import new_envelope
from stagepool_shared.errors import PublishFailed
from stagepool_shared.events.rounds import RoundRequested
from stagepool_shared.kafka import ConsumerOptions, EventPublisher, ensure_topics, read_log
from stagepool_shared.registry import decode, topic_for
from stagepool_shared.runtime import start_workers
from stagepool_shared.testing.samples import sample_payload
from stagepool_shared.testing.waiting import wait_until

from matcher.adapters.ortools_solver import OrToolsRoundSolver
from matcher.bootstrap import bootstrap
from matcher.config import Settings
from matcher.replay import ordered_events, replay_round
from matcher.rounds.manifest import output_hash
from tests.fakes import Clock

pytestmark = pytest.mark.integration

RUN = uuid.uuid4().hex[:8]
REGION, PERIOD = f"reg-it-{RUN}", "2027-p1"
TOPICS = {t: f"it-{RUN}-{t}" for t in topics.MATCHER.topics}
GROUP = topics.ConsumerGroup(f"it-matcher-{RUN}", tuple(TOPICS.values()))


class RoutedPublisher:
    """Sends every event to this module's copy of its topic (or to the copies `routes` names)."""

    def __init__(self, real: EventPublisher, routes: dict[str, str] | None = None):
        self.real, self.routes = real, routes or TOPICS

    def publish_all(self, envelopes, topic=None):
        for env in envelopes:
            self.real.publish_all([env], topic=topic or self.routes[topic_for(env.event_type)])

    def publish(self, envelope, topic=None):
        self.publish_all([envelope], topic)

    def publish_raw(self, topic, value, key=None):
        self.real.publish_raw(topic, value, key)

    def close(self):
        self.real.close()


@pytest.fixture(scope="module")
def running(kafka_bootstrap, redis_url):
    names = list(TOPICS.values())
    ensure_topics(kafka_bootstrap, names + [topics.dlq(n) for n in names], partitions=1)
    settings = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url,
                                  "MATCHER_RELEASE_POLL_S": "0.1"})
    publisher = RoutedPublisher(EventPublisher(kafka_bootstrap, "it-matcher"))
    clock = Clock()
    matcher = bootstrap(settings, publisher=publisher, solver=OrToolsRoundSolver(), clock=clock)
    stop, crashed = threading.Event(), threading.Event()
    options = ConsumerOptions(poll_timeout_ms=100, retry_backoff_s=0.05)
    consumer = matcher.consumer(stop, options=options, group=GROUP)
    threads = [threading.Thread(target=consumer.run, daemon=True)]
    threads[0].start()
    threads += start_workers(matcher.workers(), stop, crashed)
    yield matcher, publisher, clock
    stop.set()
    for t in threads:
        t.join(timeout=10)
    matcher.close()
    assert not crashed.is_set(), "the release worker crashed"


def send(publisher, event_type, payload):
    env = new_envelope(event_type, payload, producer="it-test", partition_key=REGION)
    publisher.publish_all([env])
    return env


def wish(ref, school, support=False):
    return replace(sample_payload("wish.submitted"), student_ref=ref, school_id=school, region_id=REGION,
                   support_needs=["extra_begeleiding"] if support else [], top_places=[])


def place(place_id, slots):
    return replace(sample_payload("place.posted"), place_id=place_id, organisation_id=f"org-{place_id}",
                   region_id=REGION, slots=slots, supervision_capacity=slots, reserved=[],
                   irregular_shifts=False)


def logged(kafka_bootstrap, topic, event_type, round_id):
    events = [decode(m.value) for m in read_log(kafka_bootstrap, [topic])]
    return [e for e in events if e.event_type == event_type and e.payload.round_id == round_id]


@pytest.fixture(scope="module")
def seeded(running):
    matcher, publisher, _ = running
    for i in range(12):
        send(publisher, "wish.submitted", wish(f"stu-{RUN}-{i:02d}", f"sch-{i % 3}", support=i == 0))
    for i in range(3):
        send(publisher, "place.posted", place(f"plc-{RUN}-{i}", 3))
    pool = wait_until(lambda: (p := matcher.deps.store.load_pool(REGION, PERIOD, None))
                      and len(p.wishes) == 12 and len(p.places) == 3 and p, 30, message="projection not built")
    return pool


def test_wishes_and_places_published_to_kafka_become_projections(seeded):
    assert sorted(w.school_id for w in seeded.wishes).count("sch-0") == 4
    assert {p.slots for p in seeded.places} == {3}


def request_round(running, round_id, seed=11):
    matcher, publisher, _ = running
    env = send(publisher, "round.requested", RoundRequested(round_id, REGION, PERIOD, seed, "usr-coord"))
    wait_until(lambda: (r := matcher.deps.store.get_round(round_id)) and r.status == "proposed"
               and r.proposal_published, 60, message=f"round {round_id} was not proposed and published")
    return env


def test_a_round_request_gives_a_stored_proposal_and_published_parts_that_validate(running, seeded, kafka_bootstrap):
    matcher, _, _ = running
    request_round(running, f"rnd-{RUN}-a")
    record = matcher.deps.store.get_round(f"rnd-{RUN}-a")
    stored = matcher.deps.store.outcomes(f"rnd-{RUN}-a")
    parts = logged(kafka_bootstrap, TOPICS[topics.ROUNDS], "round.proposed", f"rnd-{RUN}-a")
    published = [o for p in parts for o in p.payload.outcomes]
    assert len(stored) == 12 and record.summary.placed == sum(o.status == "placed" for o in stored)
    assert output_hash(published) == output_hash(stored) == record.manifest.output_hash
    assert all(o.reason_code for o in published if o.status == "unplaced")


def test_a_redelivered_round_request_produces_no_second_proposal(running, seeded, kafka_bootstrap):
    matcher, publisher, _ = running
    env = request_round(running, f"rnd-{RUN}-b")
    first = matcher.deps.store.get_round(f"rnd-{RUN}-b").manifest
    publisher.publish_all([env])
    marker = send(publisher, "wish.submitted", wish(f"stu-{RUN}-marker", "sch-0"))
    wait_until(lambda: matcher.deps.store.applier.was_processed(marker.event_id), 30)
    parts = logged(kafka_bootstrap, TOPICS[topics.ROUNDS], "round.proposed", f"rnd-{RUN}-b")
    assert len(parts) == parts[0].payload.parts and matcher.deps.store.get_round(f"rnd-{RUN}-b").manifest == first


def test_approval_by_two_staff_of_every_school_lets_the_round_be_released_at_its_moment(running, seeded,
                                                                                       kafka_bootstrap):
    matcher, _, clock = running
    round_id = f"rnd-{RUN}-c"
    request_round(running, round_id)
    tokens = TokenStore(matcher.redis_client)
    coord = tokens.issue("usr-coord", "regional_coordinator", REGION, REGION)
    staff = {s: tokens.issue(f"usr-staff-{s}", "school_staff", s, REGION) for s in ("sch-0", "sch-1", "sch-2")}
    support = {s: tokens.issue(f"usr-support-{s}", "support_staff", s, REGION) for s in ("sch-0", "sch-1", "sch-2")}
    client = matcher.app().test_client()
    at = clock.now + timedelta(hours=2)
    body = {"release_at": at.isoformat(), "respond_by": (at + timedelta(days=7)).isoformat()}
    url = f"/api/v1/rounds/{round_id}"
    assert client.post(url + "/approvals", headers={"Authorization": f"Bearer {staff['sch-1']}"}).status_code == 201
    assert client.post(url + "/release", json=body, headers={"Authorization": f"Bearer {coord}"}).status_code == 409
    for token in (support["sch-1"], staff["sch-2"], support["sch-2"], staff["sch-0"]):
        assert not client.post(url + "/approvals", headers={"Authorization": f"Bearer {token}"}).json["complete"]
    assert client.post(url + "/approvals", headers={"Authorization": f"Bearer {support['sch-0']}"}).json["complete"]
    assert client.post(url + "/release", json=body, headers={"Authorization": f"Bearer {coord}"}).status_code == 202
    assert logged(kafka_bootstrap, TOPICS[topics.ROUNDS], "round.released", round_id) == []
    clock.now = at
    wait_until(lambda: matcher.deps.store.get_round(round_id).status == "released", 30, message="not released")
    released = logged(kafka_bootstrap, TOPICS[topics.ROUNDS], "round.released", round_id)
    assert {r.payload.released_at for r in released} == {body["release_at"].replace("+00:00", ".000Z")}
    stored = matcher.deps.store.outcomes(round_id)
    assert [o for r in released for o in r.payload.outcomes] == stored and len(stored) >= 12


def test_replay_from_the_event_log_gives_the_same_output_hash(running, seeded, kafka_bootstrap):
    request_round(running, f"rnd-{RUN}-d", seed=4242)
    events = ordered_events(read_log(kafka_bootstrap, list(TOPICS.values())))
    result = replay_round(events, f"rnd-{RUN}-d", OrToolsRoundSolver(), "replay")
    assert result.same_output and result.same_input


def test_a_poison_message_on_wishes_lands_in_the_dlq_and_the_consumer_goes_on(running, kafka_bootstrap):
    matcher, publisher, _ = running
    publisher.publish_raw(TOPICS[topics.WISHES], b'{"event_type": "wish.submitted", "payload": "\xff', REGION.encode())
    after = send(publisher, "wish.submitted", wish(f"stu-{RUN}-after", "sch-2"))
    wait_until(lambda: matcher.deps.store.applier.was_processed(after.event_id), 30, message="consumer stuck")
    letters = [decode(m.value) for m in read_log(kafka_bootstrap, [topics.dlq(TOPICS[topics.WISHES])])]
    assert len(letters) == 1 and letters[0].payload.original_topic == TOPICS[topics.WISHES]


def test_a_round_of_two_pools_solved_side_by_side_in_a_forked_process_is_the_one_process_round(running, monkeypatch):
    """With the consumer, the release worker and Kafka's own threads running, the solver forks a child for one
    of the round's two components (every round is worth forking here): the stored proposal is the one a
    single process computes for the same pool."""
    from matcher.solver import fork

    matcher, publisher, _ = running
    region, round_id = f"reg-it-{RUN}-fork", f"rnd-{RUN}-fork"
    for crebo, school in (("25491", "sch-a"), ("25655", "sch-b")):  # no place takes both: two components
        for i in range(5):
            send(publisher, "wish.submitted", replace(wish(f"stu-{RUN}-{crebo}-{i}", school), region_id=region,
                                                      crebo=crebo))
        send(publisher, "place.posted", replace(place(f"plc-{RUN}-{crebo}", 3), region_id=region, crebos=[crebo]))
    pool = wait_until(lambda: (p := matcher.deps.store.load_pool(region, PERIOD, None))
                      and len(p.wishes) == 10 and len(p.places) == 2 and p, 30, message="projection not built")
    forked, real = [], fork._Child.__init__
    monkeypatch.setattr(fork, "WORTH_FORKING", 0)
    monkeypatch.setattr(fork._Child, "__init__", lambda self, fn: (forked.append(fn), real(self, fn))[1])
    monkeypatch.setattr(matcher.deps.solver, "workers", 2)
    send(publisher, "round.requested", RoundRequested(round_id, region, PERIOD, 7, "usr-coord"))
    wait_until(lambda: (r := matcher.deps.store.get_round(round_id)) and r.status == "proposed", 60,
               message="the round was not proposed")
    assert forked  # a child solved a share
    alone = OrToolsRoundSolver().solve(pool, 7).outcomes
    placed = lambda outcomes: sorted((o.student_ref, o.status, o.place_id) for o in outcomes)  # noqa: E731
    assert placed(matcher.deps.store.outcomes(round_id)) == placed(alone)
    assert sum(o.status == "placed" for o in alone) == 6


class FailingOnce:
    """Kafka acknowledges the first part of a proposal, then fails once (as a crash mid-publish would)."""

    def __init__(self, real):
        self.real, self.failed = real, False

    def publish_all(self, envelopes, topic=None):
        if not self.failed and envelopes and envelopes[0].event_type == "round.proposed":
            self.failed = True
            self.real.publish_all(envelopes[:1], topic)
            raise PublishFailed("broker went away after the first part")
        self.real.publish_all(envelopes, topic)


def test_a_round_interrupted_mid_publish_is_republished_identically_never_computed_twice(running, seeded, kafka_bootstrap):
    matcher, publisher, _ = running
    matcher.deps.publisher, matcher.deps.per_part = FailingOnce(publisher), 5
    try:
        request_round(running, f"rnd-{RUN}-e")
    finally:
        matcher.deps.publisher, matcher.deps.per_part = publisher, 500
    raw = [m.value for m in read_log(kafka_bootstrap, [TOPICS[topics.ROUNDS]])]
    parts = [(decode(v), v) for v in raw if decode(v).event_type == "round.proposed"
             and decode(v).payload.round_id == f"rnd-{RUN}-e"]
    by_id = {}
    for env, value in parts:
        by_id.setdefault(env.event_id, set()).add(value)
    assert len(parts) == parts[0][0].payload.parts + 1  # part 1 went out twice...
    assert len(by_id) == parts[0][0].payload.parts and all(len(v) == 1 for v in by_id.values())  # ...identically
    stored = matcher.deps.store.get_round(f"rnd-{RUN}-e").manifest
    assert {env.payload.manifest for env, _ in parts} == {stored}


def test_a_refused_student_gets_a_fast_track_proposal_the_school_approves_and_is_released(running,
                                                                                         kafka_bootstrap):
    """Issue 20.3 on real Kafka and Redis: a refusal queues the student, the release worker asks the fast
    track, the consumer proposes it from free capacity (never the refused place), two staff of the school
    approve it, and the release follows at once with only that student."""
    from stagepool_shared.events.placements import PlacementRefused

    matcher, publisher, _ = running
    period, ref, school = "2027-p9", f"stu-{RUN}-ft", "sch-ft"
    send(publisher, "wish.submitted", replace(wish(ref, school), period_id=period))
    for i in (1, 2):
        send(publisher, "place.posted", replace(place(f"plc-{RUN}-ft{i}", 1), period_id=period))
    wait_until(lambda: len(matcher.deps.store.load_pool(REGION, period, None).places) == 2, 30,
               message="fast-track places not projected")
    send(publisher, "placement.refused", PlacementRefused(f"rnd-{RUN}-earlier", REGION, ref, school,
                                                          f"plc-{RUN}-ft1", f"org-plc-{RUN}-ft1", "travel"))
    record = wait_until(lambda: next((r for r in matcher.deps.store.list_rounds(REGION)
                                      if r.request.kind == "fast_track" and r.status == "proposed"
                                      and r.proposal_published), None), 60, message="no fast track proposed")
    assert record.request.student_refs == [ref] and record.schools == (school,)
    [outcome] = matcher.deps.store.outcomes(record.round_id)
    assert outcome.status == "placed" and outcome.place_id == f"plc-{RUN}-ft2"
    tokens = TokenStore(matcher.redis_client)
    client = matcher.app().test_client()
    for user in ("usr-ft-1", "usr-ft-2"):
        token = tokens.issue(user, "school_staff", school, REGION)
        assert client.post(f"/api/v1/rounds/{record.round_id}/approvals",
                           headers={"Authorization": f"Bearer {token}"}).status_code == 201
    wait_until(lambda: matcher.deps.store.get_round(record.round_id).status == "released", 30,
               message="the approved fast track was not released")
    released = logged(kafka_bootstrap, TOPICS[topics.ROUNDS], "round.released", record.round_id)
    assert [o.student_ref for r in released for o in r.payload.outcomes] == [ref]
    wait_until(lambda: ref in matcher.deps.store.load_pool(REGION, period, None).fixed, 30,
               message="the released fast-track placement does not bind")
