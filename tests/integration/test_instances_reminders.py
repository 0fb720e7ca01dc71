"""N instances and time (issue 18.2), the notifier's side on a real Redis: two instances look for due
reminders and answer-deadline notes at the same moment, and each placed student is reminded once and their
school told once of a passed deadline (the lists are taken under WATCH; the lease of `Wiring.workers()` keeps
the second instance idle in production, this test runs both at once without it). Each test uses its own key
prefix."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta
from typing import Iterator

import pytest
import redis
from stagepool_shared.testing import at_once

from notifier import jobs
from notifier.adapters.redis_store import RedisStore
from tests.fakes.notifier import RELEASE, RESPOND_BY, placed
from tests.unit.notifier.conftest import world_with_places

pytestmark = pytest.mark.integration

STUDENTS = 40


@pytest.fixture
def prefix(redis_url) -> Iterator[str]:
    prefix = f"nt-inst-rem-{uuid.uuid4().hex[:8]}"
    yield prefix
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(f"{prefix}:*", count=1000):
        client.unlink(key)
    client.close()


def test_two_instances_remind_each_student_once_and_note_each_passed_deadline_once(redis_url, prefix):
    clients = [redis.Redis.from_url(redis_url) for _ in range(2)]
    world = world_with_places(store=RedisStore(clients[0], prefix))
    try:
        refs = [f"s{i}" for i in range(STUDENTS)]
        for ref in refs:
            world.student(ref, f"Student {ref}", f"{ref}@mail.example")
        world.release([placed(ref) for ref in refs])
        world.clock.now = RELEASE
        world.drain()
        instances = [world.wiring.deps, replace(world.wiring.deps, store=RedisStore(clients[1], prefix))]
        world.clock.now = RESPOND_BY - timedelta(hours=23)  # the reminders' moment
        assert sum(at_once([lambda d=d: jobs.schedule_due_reminders(d) for d in instances])) == STUDENTS
        world.clock.now = RESPOND_BY + timedelta(minutes=1)  # the deadline passed unanswered
        assert sum(at_once([lambda d=d: jobs.schedule_overdue_notices(d) for d in instances])) == STUDENTS
        assert sum(jobs.schedule_due_reminders(d) + jobs.schedule_overdue_notices(d) for d in instances) == 0
    finally:
        for client in clients:
            client.close()
