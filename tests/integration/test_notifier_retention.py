"""Retention of the notifier's delivery data on a real Redis (R155, issue 20.7): `forget_round` removes every
key and every entry in the shared sets (queue, watch lists, inboxes, placed-at sets) of an old round, and
leaves a younger round as it was. Own key prefix."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Iterator

import pytest
import redis

from notifier.adapters.redis_store import RedisStore
from notifier.domain.model import SENT, InboxEntry, Response, RoundInfo, StudentOutcome
from notifier.domain.rules import plan_round
from notifier.ports import DeliveryResult

pytestmark = pytest.mark.integration

OLD = datetime(2026, 1, 10, 9, 0, tzinfo=UTC)
NEW = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def store(redis_url) -> Iterator[RedisStore]:
    client = redis.Redis.from_url(redis_url)
    prefix = f"nt-retention-{uuid.uuid4().hex[:8]}"
    yield RedisStore(client, prefix)
    for key in client.scan_iter(f"{prefix}:*", count=1000):
        client.unlink(key)
    client.close()


def release(store: RedisStore, round_id: str, released_at: datetime) -> None:
    info = RoundInfo(round_id, "reg-t", "2027-p1", released_at, released_at + timedelta(days=7))
    outcomes = [StudentOutcome(f"stu_{round_id}_{i}", "sch-x", "placed", "plc-1", "org-1", "top1") for i in range(3)]
    store.add_round_part(str(uuid.uuid4()), info, 1, 1, outcomes, info.respond_by.timestamp(), plan_round)
    claimed = {d.id.suffix: d.attempted() for d in store.claim_due(released_at.timestamp(), 1000, 30)}
    inbox = f"{round_id}:student:stu_{round_id}_0:inbox"
    entry = InboxEntry(inbox, round_id, "outcome", "", "", released_at, released_at)
    store.finish([DeliveryResult(claimed[inbox], SENT, released_at.timestamp() + 1,
                                 inbox=(("student", f"stu_{round_id}_0", entry),))])
    store.save_response(round_id, f"stu_{round_id}_1", Response("accepted", str(uuid.uuid4())))


def everything(store: RedisStore) -> bytes:
    client = store.client
    return b" ".join(key + b" " + (client.dump(key) or b"") for key in client.scan_iter(f"{store.p}:*"))


def test_an_old_round_leaves_no_trace_and_a_young_one_stays(store):
    release(store, "rnd-old", OLD)
    release(store, "rnd-new", NEW)
    assert store.rounds_released_before(NEW.timestamp()) == ["rnd-old"]
    store.forget_round("rnd-old")
    assert b"rnd-old" not in everything(store)
    assert store.rounds_released_before(NEW.timestamp() + 1) == ["rnd-new"]
    assert store.outcome("rnd-new", "stu_rnd-new_0") is not None
    assert [e.delivery for e in store.inbox("student", "stu_rnd-new_0")] == ["rnd-new:student:stu_rnd-new_0:inbox"]
    assert store.response("rnd-new", "stu_rnd-new_1") is not None
