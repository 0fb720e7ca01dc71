"""Intake's placement statuses (issue 14.8) on a real redis-server: applied once per marker in one transaction,
read back per period, and erased with the student; and from real events on a real Kafka broker."""

from __future__ import annotations

import threading
import uuid

import pytest
import redis

from intake.adapters.redis_store import RedisIntakeStore
from intake.domain import status as rules
from intake.domain.status import PlacementStatus
from intake.entrypoints.consumer import make_consumer
from stagepool_shared import kafka, topics
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.placements import PlacementRefused
from stagepool_shared.events.rounds import Outcome, RoundReleased
from stagepool_shared.testing import wait_until
from tests.integration.test_intake_http_flow import canary_submission, intake, topics_ready  # noqa: F401


@pytest.fixture
def store(redis_url):
    client = redis.Redis.from_url(redis_url)
    yield RedisIntakeStore(client, prefix=f"intake-test-{uuid.uuid4().hex[:8]}")
    client.close()


def placed(round_id: str, at: str) -> PlacementStatus:
    return PlacementStatus("p1", round_id, at, "2099-01-01T00:00:00+00:00", "placed", "plc-1", "org-1")


def test_a_status_is_stored_once_per_marker_and_read_back_per_period(store):
    new = placed("rnd-1", "2027-01-10T09:00:00+00:00")

    def change(current):
        return {"stu-1": {"p1": rules.released(current["stu-1"].get("p1"), new)}}

    assert store.change_placement_statuses("evt-1:status", ["stu-1"], change) is True
    assert store.change_placement_statuses("evt-1:status", ["stu-1"], lambda current: 1 / 0) is False
    assert store.placement_statuses("stu-1") == {"p1": new}

    def accept(current):
        return {"stu-1": {p: rules.answered(s, "rnd-1", "plc-1", "accepted", None)
                          for p, s in current["stu-1"].items()}}

    store.change_placement_statuses("evt-2:status", ["stu-1"], accept)
    assert store.placement_statuses("stu-1")["p1"].answer == "accepted"
    store.erase_student("stu-1")
    assert store.placement_statuses("stu-1") == {}


def test_the_consumer_turns_a_real_release_and_refusal_into_the_school_s_status(intake, topics_ready):
    """Real Kafka: round.released and placement.refused reach intake's consumer (it reads the placements topic
    too, issue 14.8) and become the status the school page shows."""
    body, _, _ = canary_submission()
    ref = intake.call("POST", "/api/v1/wishes", "school_a", json=body).json()["student_ref"]
    round_id = "rd-" + intake.prefix
    publisher = kafka.EventPublisher(topics_ready, "it-matcher")
    publisher.publish(new_envelope("round.released", RoundReleased(
        round_id, "r-noord", "p2027a", "2027-01-10T09:00:00+00:00", "2027-01-17T09:00:00+00:00", 1, 1,
        [Outcome(ref, "school-a", "placed", "plc-" + intake.prefix, "org-1")]), producer="matcher",
        partition_key="r-noord"))
    publisher.publish(new_envelope("placement.refused", PlacementRefused(
        round_id, "r-noord", ref, "school-a", "plc-" + intake.prefix, "org-1", "travel"), producer="notifier",
        partition_key="r-noord"))
    publisher.close()
    stop = threading.Event()
    group = topics.ConsumerGroup("it-intake-" + intake.prefix, topics.INTAKE.topics)
    thread = threading.Thread(target=make_consumer(intake.wiring, stop, group=group).run, daemon=True)
    thread.start()
    try:
        status = wait_until(lambda: (s := intake.wiring.deps.store.placement_statuses(ref).get("p2027a"))
                            and s.answer and s, timeout=120, message="the refusal did not reach intake's status")
        assert (status.round_id, status.answer, status.answer_reason) == (round_id, "refused", "travel")
    finally:
        stop.set()
        thread.join(timeout=30)
