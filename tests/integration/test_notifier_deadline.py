"""Issue 14 on a real Redis (the notifier's RedisStore behind the unit tests' World): one current outcome
per student and period, the answer deadline rule (a reminder, then the school once) and a withdrawn place's
notes, each written once. Each test uses its own key prefix."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Iterator

import pytest
import redis

from notifier import commands, jobs
from notifier.adapters.redis_store import RedisStore
from notifier.errors import NotCurrentOutcome, PlaceWithdrawn
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events import places, rounds
from tests.fakes.notifier import RELEASE, RESPOND_BY, placed
from tests.unit.notifier.conftest import world_with_places

pytestmark = pytest.mark.integration


@pytest.fixture
def world(redis_url) -> Iterator:
    client = redis.Redis.from_url(redis_url)
    prefix = f"nt-deadline-{uuid.uuid4().hex[:8]}"
    yield world_with_places(store=RedisStore(client, prefix))
    for key in client.scan_iter(f"{prefix}:*", count=1000):
        client.unlink(key)
    client.close()


def test_the_current_outcome_the_deadline_rule_and_a_withdrawal_on_redis(world):
    for ref, name in (("s1", "Sanne"), ("s2", "Daan"), ("s3", "Jip")):
        world.student(ref, name, f"{name.lower()}@mail.example")
    world.release([placed("s1"), placed("s2"), placed("s3", place="plc-2", org="org-2")])
    later = RELEASE + timedelta(days=1)
    world.release([rounds.Outcome("s1", "sch-a", "kept", place_id="plc-1", organisation_id="org-1")],
                  round_id="rnd-2", released_at=later)
    world.clock.now = later
    world.drain()
    with pytest.raises(NotCurrentOutcome):
        commands.answer_placement(world.wiring.deps, "rnd-1", "s1", "accepted")
    world.handle(new_envelope("place.withdrawn", places.PlaceWithdrawn("plc-2", "org-2", "reg-1", "2027-p1"),
                              producer="intake", partition_key="reg-1"))
    with pytest.raises(PlaceWithdrawn):
        commands.answer_placement(world.wiring.deps, "rnd-1", "s3", "accepted")
    world.clock.now = RESPOND_BY - timedelta(hours=1)
    jobs.remind(world.wiring.deps)
    jobs.remind(world.wiring.deps)
    world.clock.now = RESPOND_BY + timedelta(minutes=1)
    jobs.remind(world.wiring.deps)
    jobs.remind(world.wiring.deps)
    world.drain()
    reminders = [m for m in world.email.sent if m[0].kind == "reminder"]
    assert sorted((d.round_id, d.ref) for d, *_ in reminders) == [("rnd-1", "s2"), ("rnd-2", "s1")]
    overdue = sorted((d.round_id, d.ref, d.channel) for d, *_ in world.email.sent if d.kind == "overdue")
    assert overdue == [("rnd-1", "s2", "email"), ("rnd-2", "s1", "email")]
    assert [d.ref for d, *_ in world.email.sent if d.kind == "withdrawn"] == ["s3"]
    assert len(commands.read_inbox(world.wiring.deps, "region", "reg-1")) == 1
    kinds = [e.message_kind for e in commands.read_inbox(world.wiring.deps, "school", "sch-a")]
    assert kinds.count("answer_overdue") == 2 and kinds.count("place_withdrawn") == 1
