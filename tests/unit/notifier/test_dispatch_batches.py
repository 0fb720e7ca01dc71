"""Batched marks: a claimed batch's results are written in few transactions, a crash between sending and
marking repeats only the unmarked messages of that batch, and batching never sends early or twice."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest

from notifier.domain.model import PENDING, SENT
from notifier.ports import DeliveryResult
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.students import StudentErased

from tests.fakes.notifier import RELEASE, FakeChannel, FakeStore, placed, unplaced


class Killed(BaseException):
    """The process died (kill -9): nothing after this point runs or is written."""


class DyingStore(FakeStore):
    """Dies when asked to write its `die_at`-th batch of marks; that write and every later one are lost
    until `restart()` (the state written before stays, as it does in Redis)."""

    def __init__(self, die_at: int):
        super().__init__()
        self.die_at, self.writes, self.dead = die_at, 0, False

    def finish(self, results: list[DeliveryResult]) -> None:
        self.writes += 1
        if self.dead or self.writes == self.die_at:
            self.dead = True
            raise Killed()
        super().finish(results)

    def restart(self) -> None:
        self.dead, self.die_at = False, 0


def release_three(world):
    world.student("s1", "Sanne", "sanne@mail.example")
    world.student("s2", "Ahmed", "ahmed@mail.example", lang="en")
    world.student("s3", "Jip", "jip@mail.example")
    world.release([placed("s1"), unplaced("s2"), placed("s3", school="sch-b", place="plc-2", org="org-2")])
    world.clock.now = RELEASE


def outside_sends(world) -> list:
    """Deliveries that left the process (e-mail and webhook), in the order of each channel."""
    return [d for d, *_ in world.email.sent] + [d for d, *_ in world.webhook.sent]


def test_a_released_batch_is_marked_in_one_transaction_with_its_inbox_entries(make_world):
    world = make_world(NOTIFIER_MARK_BATCH="10")
    release_three(world)
    world.drain()
    sent = [r for r in world.store.finished[0] if r.state == SENT]
    assert len(world.store.finished) == 1  # 8 outside messages < 10: one write for the whole batch
    assert len(outside_sends(world)) == 8
    assert {r.inbox[0][2].delivery for r in sent if r.inbox} == {
        f"rnd-1:{kind}:{ref}:inbox" for kind, ref in [("student", "s1"), ("student", "s2"), ("student", "s3"),
                                                      ("school", "sch-a"), ("school", "sch-b"),
                                                      ("organisation", "org-1"), ("organisation", "org-2")]}
    assert len(world.store.inbox("student", "s1")) == 1
    assert set(world.store.states().values()) == {"sent", "skipped"} and world.store.pending_count() == 0


def test_marks_are_written_every_mark_batch_outside_messages(make_world):
    world = make_world(NOTIFIER_MARK_BATCH="3")
    release_three(world)
    world.drain()
    outside_per_write = [sum(1 for r in results if r.state == SENT and not r.inbox) for results in world.store.finished]
    assert max(outside_per_write) == 3 and sum(outside_per_write) == 8
    assert len(world.store.finished) == 3  # 3 + 3 + the last 2 at the end of the batch


def test_mark_batch_one_writes_each_outside_message_before_the_next_is_sent(make_world):
    world = make_world(NOTIFIER_MARK_BATCH="1")
    release_three(world)
    world.drain()
    assert all(sum(1 for r in results if r.state == SENT and not r.inbox) <= 1 for results in world.store.finished)


def test_a_crash_between_sending_and_marking_resends_only_that_batchs_unmarked_messages(make_world):
    store = DyingStore(die_at=2)
    world = make_world(store, NOTIFIER_MARK_BATCH="3")
    release_three(world)
    with pytest.raises(Killed):
        world.wiring.dispatcher.run_once()
    before = outside_sends(world)
    counts = len(world.email.sent), len(world.webhook.sent)
    marked = {r.delivery.id for r in store.finished[0] if r.state == SENT}
    unmarked = set(before) - marked
    assert len(before) == 6 and len(unmarked) == 3  # sent after the last write that went through

    store.restart()
    world.clock.advance(seconds=31)  # the lease (30 s) runs out: the batch comes back
    world.drain()
    after = [d for d, *_ in world.email.sent[counts[0]:]] + [d for d, *_ in world.webhook.sent[counts[1]:]]
    assert set(before) & set(after) == unmarked  # exactly the unmarked ones again, the marked ones never
    assert max(Counter(outside_sends(world)).values()) == 2  # each at most once more
    assert len(set(outside_sends(world))) == 8  # nothing lost
    assert set(store.states().values()) == {"sent", "skipped"} and store.pending_count() == 0


def test_an_error_in_the_middle_of_a_batch_still_marks_what_was_sent(make_world):
    world = make_world(NOTIFIER_MARK_BATCH="10")
    release_three(world)

    class Broken(FakeChannel):
        def send(self, delivery, address, message, data):
            if len(self.sent) == 2:
                raise RuntimeError("template bug")
            super().send(delivery, address, message, data)

    world.email = world.wiring.dispatcher.channels["email"] = Broken("email")
    with pytest.raises(RuntimeError):
        world.wiring.dispatcher.run_once()
    first_two = [d for d, *_ in world.email.sent]
    assert [world.store.deliveries[d].state for d in first_two] == [SENT, SENT]
    world.email.send = FakeChannel.send.__get__(world.email)  # the bug is fixed; the process restarts
    world.clock.advance(seconds=31)
    world.drain()
    assert Counter(d for d, *_ in world.email.sent)[first_two[0]] == 1  # not sent again


def test_a_batch_that_outlives_half_its_lease_hands_the_rest_back_unsent(make_world):
    world = make_world(NOTIFIER_MARK_BATCH="10")
    release_three(world)
    clock = world.clock

    class Slow(FakeChannel):
        def send(self, delivery, address, message, data):
            super().send(delivery, address, message, data)
            clock.advance(seconds=10)  # lease 30 s: after two of these, half the lease is gone

    world.email = world.wiring.dispatcher.channels["email"] = Slow("email")
    world.wiring.dispatcher.run_once()
    assert len(world.email.sent) == 2
    handed_back = [d for d, rec in world.store.deliveries.items() if rec.state == PENDING]
    assert handed_back and all(world.store.queue[d] == clock.now.timestamp() for d in handed_back)
    assert all(world.store.deliveries[d].attempts == 0 for d in handed_back)  # not counted as an attempt
    world.drain()
    assert max(Counter(d for d, *_ in world.email.sent).values()) == 1
    assert set(world.store.states().values()) == {"sent", "skipped"}


def test_a_student_erased_during_a_batch_is_not_written_back(make_world):
    world = make_world(NOTIFIER_MARK_BATCH="10")
    release_three(world)
    erase = new_envelope("student.erased", StudentErased("s1", "sch-a", "reg-1"), producer="intake",
                         partition_key="reg-1")
    outer = world

    class Erasing(FakeChannel):
        def send(self, delivery, address, message, data):
            super().send(delivery, address, message, data)
            if address == "sanne@mail.example":
                outer.handle(erase)  # the erasure arrives while the batch's marks are still in memory

    world.email = world.wiring.dispatcher.channels["email"] = Erasing("email")
    world.drain()
    assert not [d for d in world.store.deliveries if d.ref == "s1"]
    assert world.store.inbox("student", "s1") == []
    assert len(world.store.inbox("student", "s3")) == 1


def test_a_claim_never_returns_a_delivery_of_a_round_before_its_release_moment(make_world):
    world = make_world(NOTIFIER_BATCH_SIZE="500")
    world.student("s1", "Sanne", "sanne@mail.example")
    world.student("s2", "Ahmed", "ahmed@mail.example")
    world.release([placed("s1")], round_id="rnd-1")
    world.release([placed("s2")], round_id="rnd-2", released_at=RELEASE + timedelta(hours=1))
    world.clock.now = RELEASE
    world.drain()
    assert {d.round_id for d, *_ in world.email.sent} == {"rnd-1"}
    world.clock.now = RELEASE + timedelta(hours=1) - timedelta(microseconds=1)
    assert world.drain() == 0
    world.clock.now = RELEASE + timedelta(hours=1)
    world.drain()
    assert {d.round_id for d, *_ in world.email.sent} == {"rnd-1", "rnd-2"}
