"""Fault suite, pipeline part (reliability.md 3b-1, 3b-4, 3c, 3d): the whole platform as real processes on
real Kafka and Redis; each test injects one fault, then a checker compares what was acknowledged with what
is in the topics and the services' state, and prints its figure (copied into docs/reliability.md).

Here the faults act on events seeded straight to Kafka with the shared schemas (faster than HTTP): kill -9 of
the matcher mid-round, poison on every topic, duplicated and reordered events. The faults driven through the
HTTP APIs (notifier kill, broker restart, Redis restart) are in test_faults_services.py, on their own platform.
"""

from __future__ import annotations

import base64
import json
import random
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import replace
from typing import Iterator

import pytest

from demo.clients import Clients
from demo.platform import Platform
from stagepool_shared import registry, topics
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.base import Location
from stagepool_shared.kafka import EventPublisher, group_lag, read_log
from stagepool_shared.redis import connect
from stagepool_shared.testing.samples import sample_payload
from stagepool_shared.testing.waiting import wait_until

pytestmark = [pytest.mark.e2e, pytest.mark.faults]

ROUND_STUDENTS = 4000
PERIOD = "2027-p1"  # the samples' period


@pytest.fixture(scope="module")
def publisher(platform: Platform) -> Iterator[EventPublisher]:
    """Publishes test events straight to Kafka (acks=all), as a producing service would."""
    pub = EventPublisher(platform.kafka.bootstrap, "faults-test")
    try:
        yield pub
    finally:
        pub.close()


@pytest.fixture(scope="module")
def redis_client(platform: Platform):
    client = connect(platform.redis.url)
    try:
        yield client
    finally:
        client.close()


def figure(name: str, **values: object) -> None:
    """Print a measured figure in one greppable line (docs/reliability.md quotes these)."""
    print(f"\nFIGURE {name}: " + ", ".join(f"{k}={v}" for k, v in values.items()), flush=True)


def lags(platform: Platform) -> dict[str, int]:
    return {g.group_id: group_lag(platform.kafka.bootstrap, g.group_id, g.topics) for g in topics.ALL_GROUPS}


def wait_quiet(platform: Platform, timeout: float = 120) -> None:
    """Every consumer group has committed everything in its topics."""
    wait_until(lambda: not any(lags(platform).values()), timeout, interval=0.5,
               message="consumer groups did not catch up")


def logged(platform: Platform, *names: str) -> list:
    """(envelope, raw bytes) of every decodable message in the topics."""
    out = []
    for message in read_log(platform.kafka.bootstrap, names, timeout_s=120):
        try:
            out.append((registry.decode(message.value), message.value))
        except Exception:  # poison messages of the poison test: not events
            continue
    return out


def synthetic_region(region: str, students: int, seed: int = 3) -> tuple[list, list]:
    """Wishes and places of a region from the shared samples: four programmes, slots for about 80 %."""
    rng = random.Random(seed)
    crebos = ["25491", "25492", "25493", "25494"]

    def near() -> Location:
        return Location("9711", round(53.0 + rng.uniform(0, 0.3), 4), round(6.4 + rng.uniform(0, 0.4), 4))

    wishes = [replace(sample_payload("wish.submitted"), student_ref=f"stu_{region}_{i:05d}", school_id=f"sch-{i % 7}",
                      region_id=region, crebo=rng.choice(crebos), home=near(), top_places=[], support_needs=[],
                      needs_allowance=False, max_travel_minutes=60) for i in range(students)]
    places = [replace(sample_payload("place.posted"), place_id=f"plc-{region}-{i:05d}", organisation_id=f"org-{i:05d}",
                      region_id=region, crebos=[rng.choice(crebos)], location=near(), slots=4, supervision_capacity=4,
                      reserved=[], irregular_shifts=False) for i in range(students // 5)]
    return wishes, places


def seed_region(publisher: EventPublisher, region: str, wishes: list, places: list) -> None:
    events = [new_envelope("wish.submitted", w, producer="faults", partition_key=region) for w in wishes]
    events += [new_envelope("place.posted", p, producer="faults", partition_key=region) for p in places]
    for i in range(0, len(events), 1000):
        publisher.publish_all(events[i:i + 1000])


# --------------------------------------------------------------------------- 3b-1 matcher kill -9


def test_a_matcher_killed_mid_round_proposes_the_replayed_round_once(platform, publisher, redis_client):
    region = "reg-mk-" + uuid.uuid4().hex[:6]
    wishes, places = synthetic_region(region, ROUND_STUDENTS)
    seed_region(publisher, region, wishes, places)
    projection = f"matcher:region:{region}:period:{PERIOD}"
    # the whole seeded pool, wishes and places (two topics, read side by side): the replay folds the log up to
    # the request, so the live round must have seen the same prefix of it
    wait_until(lambda: redis_client.hlen(projection + ":wishes") == ROUND_STUDENTS
               and redis_client.hlen(projection + ":places") == len(places), 180, interval=0.5,
               message="the matcher did not project the seeded wishes and places")
    matcher = Clients.for_platform(platform).as_("matcher", "usr-coord", "regional_coordinator", region, region)
    round_id = matcher.request_round(region, PERIOD, seed=7)
    key = f"matcher:round:{round_id}"
    wait_until(lambda: redis_client.hget(key, "frozen_at"), 120, interval=0.01, message="round never started")
    frozen = time.monotonic()
    platform.kill_service("matcher", signal.SIGKILL)
    killed_after = time.monotonic() - frozen
    assert redis_client.hget(key, "status") == b"requested", "the round finished before the kill"
    platform.start_service("matcher")
    wait_until(lambda: redis_client.hget(key, "proposal_published") == b"1", 180, interval=0.2,
               message="the restarted matcher did not propose and publish the round")
    recovery = time.monotonic() - frozen
    proposed = [(e, raw) for e, raw in logged(platform, topics.ROUNDS)
                if e.event_type == "round.proposed" and e.payload.round_id == round_id]
    copies: dict[str, set[bytes]] = {}
    for envelope, raw in proposed:
        copies.setdefault(envelope.event_id, set()).add(raw)
    parts = proposed[0][0].payload.parts
    assert len(copies) == parts and all(len(v) == 1 for v in copies.values())  # one proposal, byte-identical
    outcomes = {e.event_id: e.payload.outcomes for e, _ in proposed}
    students = [o.student_ref for part in outcomes.values() for o in part]
    assert len(students) == len(set(students)) == ROUND_STUDENTS  # nobody twice
    taken = Counter(o.place_id for part in outcomes.values() for o in part if o.place_id)
    assert all(taken[p.place_id] <= p.slots for p in places)  # no place over its slots
    output_hash = {e.payload.manifest.output_hash for e, _ in proposed}
    assert output_hash == {matcher.round(round_id)["manifest"]["output_hash"]}
    replay = subprocess.run([sys.executable, "-m", "matcher", "replay", round_id], env=platform.env_for("matcher"),
                            capture_output=True, text=True, timeout=300, cwd=platform.workdir)
    assert replay.returncode == 0, replay.stdout + replay.stderr  # the clean replay gives the same output hash
    figure("matcher_kill", students=ROUND_STUDENTS, parts=parts, killed_s_after_freeze=round(killed_after, 2),
           proposed_s_after_freeze=round(recovery, 1), copies_published=len(proposed),
           distinct_event_ids=len(copies), placed=sum(taken.values()), replay_rc=replay.returncode,
           output_hash=next(iter(output_hash))[:16])


# --------------------------------------------------------------------------- 3d poison messages

VALID_PER_TOPIC = {  # a valid event per topic whose handling is harmless in every consumer group
    topics.WISHES: "wish.submitted", topics.PLACES: "place.posted", topics.STUDENTS: "student.erased",
    topics.ROUNDS: "round.requested", topics.PLACEMENTS: "placement.replacement_requested",
    topics.NOTIFICATIONS: "notification.sent", topics.DESK: "desk.report_filed",
    topics.PLANNING: "demand.forecast_posted",
}


def poisons(topic: str, region: str) -> list[tuple[str, bytes]]:
    """Three kinds of poison: not JSON, an unknown event type, a known type with an invalid payload."""
    envelope = {"envelope_version": 1, "event_id": str(uuid.uuid4()), "schema_version": 1,
                "occurred_at": "2027-01-15T09:00:00Z", "producer": "poison", "correlation_id": "c-poison",
                "partition_key": region}
    unknown = {**envelope, "event_type": "wish.exploded", "payload": {}}
    invalid = {**envelope, "event_id": str(uuid.uuid4()), "event_type": VALID_PER_TOPIC[topic],
               "payload": {"region_id": "not a valid id!", "level": 9}}
    return [("not_json", b"\xff\xfe{not json"), ("unknown_type", json.dumps(unknown).encode()),
            ("invalid_payload", json.dumps(invalid).encode())]


def valid_event(topic: str, region: str):
    payload = sample_payload(VALID_PER_TOPIC[topic])
    changes = {"region_id": region} if hasattr(payload, "region_id") else {}
    if VALID_PER_TOPIC[topic] == "round.requested":
        changes["round_id"] = "rnd-" + region
    if VALID_PER_TOPIC[topic] == "student.erased":
        changes["student_ref"] = "stu_someone_else"  # not the wish's student: the wish stays projected
    return new_envelope(VALID_PER_TOPIC[topic], replace(payload, **changes), producer="faults", partition_key=region)


def test_poison_on_every_topic_is_dead_lettered_with_its_reason_and_every_consumer_goes_on(
        platform, publisher, redis_client):
    region = "reg-px-" + uuid.uuid4().hex[:6]
    started = time.monotonic()
    valid_bytes = set()
    for topic in topics.ALL_TOPICS:
        for _, raw in poisons(topic, region):
            publisher.publish_raw(topic, raw, key=region.encode())
        envelope = valid_event(topic, region)
        publisher.publish(envelope)
        valid_bytes.add(registry.encode(envelope))
    readers = {t: {g.group_id for g in topics.ALL_GROUPS if t in g.topics} for t in topics.ALL_TOPICS}
    expected = sum(3 * len(readers[t]) for t in topics.ALL_TOPICS)

    def letters() -> list:
        found = [e.payload for e, _ in logged(platform, *topics.ALL_DLQ_TOPICS)
                 if e.event_type == "dead_letter" and e.payload.key == region]
        return found if len(found) >= expected else []

    found = wait_until(letters, 60, interval=0.5, message="not every poison reached its dead-letter topic")
    in_dlt = time.monotonic() - started
    wait_quiet(platform)
    per_topic = Counter((d.original_topic, d.consumer_group) for d in found)
    assert per_topic == Counter({(t, g): 3 for t in topics.ALL_TOPICS for g in readers[t]})
    assert all(d.reason and d.error_type == "InvalidEvent" for d in found)
    raws = {base64.b64decode(d.raw_base64) for d in found}
    assert not raws & valid_bytes  # no valid event in a dead-letter topic
    assert b"\xff\xfe{not json" in raws  # the original bytes are kept for repair
    # the valid events after the poison were handled: the matcher projected the wish and proposed the round
    wait_until(lambda: redis_client.hget(f"matcher:round:rnd-{region}", "status") in (b"proposed", b"failed"), 60,
               message="the round requested after the poison was not handled")
    assert redis_client.hlen(f"matcher:region:{region}:period:{PERIOD}:wishes") == 1
    figure("poison", topics=len(topics.ALL_TOPICS), poisons=3 * len(topics.ALL_TOPICS), dead_letters=len(found),
           all_in_dlt_s=round(in_dlt, 1), valid_in_dlt=0, lag_after=sum(lags(platform).values()))


# --------------------------------------------------------------------------- 3c duplicates and reordering


def logical_history(region: str, rng: random.Random) -> list[list]:
    """Per entity (a student's wish, a place) its events in contract order: submitted/posted, updates, removal."""
    wishes, places = synthetic_region(region, 60, seed=11)
    wish_withdrawn, place_withdrawn = (sample_payload(t).__class__ for t in ("wish.withdrawn", "place.withdrawn"))
    entities = [chain_of(i, (1, "wish.submitted", wish),
                         (3, "wish.updated", replace(wish, max_travel_minutes=30 + i % 5)),
                         (10, "wish.withdrawn", wish_withdrawn(wish.student_ref, wish.school_id, region,
                                                               wish.period_id, "withdrawn")))
                for i, wish in enumerate(wishes)]
    entities += [chain_of(i, (1, "place.posted", place),
                          (2, "place.updated", replace(place, slots=1 + i % 3)),
                          (5, "place.withdrawn", place_withdrawn(place.place_id, place.organisation_id, region,
                                                                 place.period_id)))
                 for i, place in enumerate(places)]
    return [[new_envelope(t, p, producer="faults", partition_key=region) for t, p in chain] for chain in entities]


def chain_of(i: int, *steps: tuple[int, str, object]) -> list[tuple[str, object]]:
    """The events of entity number `i`, in the order given: a step (every, event type, payload) is taken when
    `every` divides `i` (every=1: always)."""
    return [(event_type, payload) for every, event_type, payload in steps if i % every == 0]


def legal_shuffle_with_duplicates(chains: list[list], rng: random.Random) -> tuple[list, int]:
    """A random interleaving that keeps each entity's order (what one partition guarantees), with every event
    delivered a second time somewhere later (a redelivery: the same event id). Returns the order and how many
    duplicates landed after a later event of their own entity (the order-sensitive case)."""
    queues = [list(chain) for chain in chains]
    order: list = []
    while any(queues):
        queue = rng.choice([q for q in queues if q])
        order.append(queue.pop(0))
    messy = list(order)
    for envelope in order:
        first = messy.index(envelope)
        messy.insert(rng.randint(first + 1, len(messy)), envelope)
    position = {id(e): i for i, e in enumerate(order)}
    stale = sum(1 for chain in chains for a in chain[:-1]
                if max(i for i, e in enumerate(messy) if e is a) > position[id(chain[-1])])
    return messy, stale


def projection(redis_client, region: str) -> dict[str, dict[bytes, bytes]]:
    base = f"matcher:region:{region}:period:{PERIOD}"
    return {kind: redis_client.hgetall(f"{base}:{kind}") for kind in ("wishes", "places")}


def test_duplicated_and_reordered_events_give_the_state_of_a_clean_replay(platform, publisher, redis_client):
    rng = random.Random(2027)
    run = uuid.uuid4().hex[:6]
    clean_region, messy_region = f"reg-cl-{run}", f"reg-ms-{run}"
    clean = [e for chain in logical_history(clean_region, rng) for e in chain]
    messy, stale = legal_shuffle_with_duplicates(logical_history(messy_region, rng), rng)
    publisher.publish_all(clean)
    publisher.publish_all(messy)
    wait_quiet(platform)
    expected = projection(redis_client, clean_region)
    actual = projection(redis_client, messy_region)
    same = (messy_region.encode(), clean_region.encode())  # the two regions differ only in their id
    normalised = {kind: {k.replace(*same): v.replace(*same) for k, v in rows.items()} for kind, rows in actual.items()}
    assert expected["wishes"] and expected["places"]
    assert normalised == expected
    assert stale > 0  # some duplicates arrived after a later event of their entity, and changed nothing
    figure("duplicates_reordering", events=len(clean), delivered=len(messy), duplicates=len(messy) - len(clean),
           stale_duplicates=stale, wishes=len(expected["wishes"]), places=len(expected["places"]),
           state_equal=normalised == expected)
