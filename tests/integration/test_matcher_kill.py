"""Killing the matcher (kill -9) while it computes a round and starting it again gives the same round,
never two: the restarted process finds the frozen input, recomputes, and publishes the same parts with the
same ids. Runs `python -m matcher consume` as real processes under their own consumer group."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import uuid
from dataclasses import replace

import pytest
import redis
from stagepool_shared import topics
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.base import Location
from stagepool_shared.events.rounds import RoundRequested
from stagepool_shared.kafka import EventPublisher, ensure_topics, read_log
from stagepool_shared.registry import decode
from stagepool_shared.testing.samples import sample_payload
from stagepool_shared.testing.waiting import wait_until


pytestmark = pytest.mark.integration

STUDENTS = 4000


def make_region(region: str, students: int, seed: int = 3):
    """A synthetic region: four programmes, students and places spread over 40 km, slots for 80%."""
    rng = random.Random(seed)
    crebos = ["25491", "25492", "25493", "25494"]

    def near() -> Location:
        return Location("9711", round(53.0 + rng.uniform(0, 0.3), 4), round(6.4 + rng.uniform(0, 0.4), 4))

    wishes = [replace(sample_payload("wish.submitted"), student_ref=f"stu_{i:06d}", school_id=f"sch-{i % 7}",
                      region_id=region, crebo=rng.choice(crebos), home=near(), top_places=[],
                      support_needs=[], needs_allowance=False, max_travel_minutes=60) for i in range(students)]
    places = [replace(sample_payload("place.posted"), place_id=f"plc-{i:05d}", organisation_id=f"org-{i:05d}",
                      region_id=region, crebos=[rng.choice(crebos)], location=near(), slots=4,
                      supervision_capacity=4, reserved=[], irregular_shifts=False)
              for i in range(students * 8 // 40)]
    return wishes, places


def projected(client: redis.Redis, region: str, wishes: list, places: list) -> bool:
    """Every wish and every place of the region in the matcher's projection: a round requested before the
    places are in freezes a pool without them (the round event may be read before the last place events)."""
    key = f"matcher:region:{region}:period:2027-p1"
    return client.hlen(key + ":wishes") == len(wishes) and client.hlen(key + ":places") == len(places)


def start_matcher(env: dict, log_path) -> subprocess.Popen:  # noqa: ANN001
    with open(log_path, "ab") as log:  # the child keeps its own copy of the file
        return subprocess.Popen([sys.executable, "-m", "matcher", "consume"], env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)


def proposed_parts(bootstrap: str, region: str, round_id: str) -> tuple[list, dict[str, set[bytes]]]:
    """The round's `round.proposed` parts in the log, as (envelope, bytes), and the contents per event id. Reads
    only the region's key: other tests share the topic, and one of them writes poison to it."""
    ours = [m for m in read_log(bootstrap, [topics.ROUNDS]) if m.key == region.encode()]
    proposed = [(decode(m.value), m.value) for m in ours]
    proposed = [(e, v) for e, v in proposed if e.event_type == "round.proposed" and e.payload.round_id == round_id]
    by_id: dict[str, set[bytes]] = {}
    for envelope, value in proposed:
        by_id.setdefault(envelope.event_id, set()).add(value)
    return proposed, by_id


def test_a_matcher_killed_during_a_round_gives_the_same_round_after_restart(kafka_bootstrap, redis_url, tmp_path):
    run = uuid.uuid4().hex[:8]
    region, round_id = f"reg-kill-{run}", f"rnd-kill-{run}"
    ensure_topics(kafka_bootstrap)
    wishes, places = make_region(region, STUDENTS)
    publisher = EventPublisher(kafka_bootstrap, "it-kill")
    events = [new_envelope("wish.submitted", w, producer="it", partition_key=region) for w in wishes]
    events += [new_envelope("place.posted", p, producer="it", partition_key=region) for p in places]
    for i in range(0, len(events), 1000):
        publisher.publish_all(events[i:i + 1000])
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url, "HTTP_PORT": "0",
           "MATCHER_CONSUMER_GROUP": f"it-kill-{run}", "LOG_LEVEL": "WARNING"}
    client = redis.Redis.from_url(redis_url)
    first = start_matcher(env, tmp_path / "matcher.log")
    second = None
    try:
        wait_until(lambda: projected(client, region, wishes, places), 120, message="projection not built")
        publisher.publish(new_envelope("round.requested", RoundRequested(round_id, region, "2027-p1", 9, "usr-c"),
                                       producer="it", partition_key=region))
        wait_until(lambda: client.hget(f"matcher:round:{round_id}", "frozen_at"), 60, interval=0.01,
                   message="round never started")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        assert client.hget(f"matcher:round:{round_id}", "status") == b"requested"  # killed mid-round
        second = start_matcher(env, tmp_path / "matcher.log")
        wait_until(lambda: client.hget(f"matcher:round:{round_id}", "status") == b"proposed", 120,
                   message="the restarted matcher did not finish the round")
    finally:
        for proc in (first, second):
            if proc is not None and proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(30)
        publisher.close()
    proposed, by_id = proposed_parts(kafka_bootstrap, region, round_id)
    parts = proposed[0][0].payload.parts
    assert len(by_id) == parts and all(len(values) == 1 for values in by_id.values())
    assert sum(len(e.payload.outcomes) for e, _ in proposed if e.event_id in by_id) >= STUDENTS
    client.close()
