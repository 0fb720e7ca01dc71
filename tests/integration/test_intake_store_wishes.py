"""Intake's batch read of stored wishes on a real redis-server: an import reads every row's previous wish in one
go, to keep the student's top 3 a re-submission leaves out (issue 15.2)."""

from __future__ import annotations

import uuid

import pytest
import redis

from intake.adapters.redis_store import RedisIntakeStore
from intake.domain.model import WISH_WITHDRAWN, StoredWrite, WishRecord


@pytest.fixture
def store(redis_url):
    client = redis.Redis.from_url(redis_url)
    yield RedisIntakeStore(client, prefix=f"intake-test-{uuid.uuid4().hex[:8]}")
    client.close()


def test_get_wishes_answers_the_stored_records_of_the_keys_and_leaves_out_the_missing_ones(store):
    kept = WishRecord("stu-1", "school-a", "p1", {"student_ref": "stu-1", "top_places": ["pl-1"]})
    ended = WishRecord("stu-2", "school-a", "p1", {"student_ref": "stu-2"}, status=WISH_WITHDRAWN)
    store.apply(StoredWrite(wishes=[kept, ended]))
    found = store.get_wishes([("stu-1", "p1"), ("stu-2", "p1"), ("stu-3", "p1"), ("stu-1", "p2")])
    assert set(found) == {("stu-1", "p1"), ("stu-2", "p1")}
    assert found[("stu-1", "p1")].payload["top_places"] == ["pl-1"]
    assert found[("stu-2", "p1")].status == WISH_WITHDRAWN
