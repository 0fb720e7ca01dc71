"""Retention of the notifier's delivery data (R155, issue 20.7): once a round was released longer ago than
NOTIFIER_RETENTION_DAYS, the retention worker deletes its deliveries, inbox entries, outcomes and answers, and a
younger round stays."""

from __future__ import annotations

from datetime import timedelta

from notifier import jobs
from tests.fakes.notifier import RELEASE, placed, unplaced


def released(world):
    world.student("s1", "Sanne", "sanne@mail.example")
    world.student("s2", "Daan", "daan@mail.example")
    world.release([placed("s1"), unplaced("s2")])
    world.send_released()
    jobs.relay_outbox(world.wiring.deps)


def test_a_round_past_the_retention_period_leaves_no_delivery_data(world):
    released(world)
    store, deps = world.store, world.wiring.deps
    assert store.deliveries and any(store.inboxes.values())
    world.clock.now = RELEASE + timedelta(days=364)
    assert jobs.forget_old_rounds(deps, 365) == 0 and store.deliveries
    world.clock.now = RELEASE + timedelta(days=366)
    assert jobs.forget_old_rounds(deps, 365) == 1
    kept = repr((store.rounds, store.outcome_map, store.deliveries, store.queue, store.inboxes, store.responses,
                 store.awaiting, store.overdue))
    assert "s1" not in kept and "s2" not in kept and "rnd-1" not in kept
    assert jobs.forget_old_rounds(deps, 365) == 0


def test_the_retention_worker_is_one_of_the_notifier_s_workers(world):
    [retention] = [w for w in world.wiring.workers() if w.name == "retention"]
    assert retention.idle_s == jobs.RETENTION_IDLE_S
