"""The notifier's batched delivery writes on a real Redis (AOF, fsync always): one claim per batch never
returns a delivery before its round's release moment, one finish per batch writes the marks, outbox events,
inbox entries and send times atomically and never brings back an erased student, and a sender that dies
between sending and marking repeats only the unmarked messages of its batch. Also: an SMTP session the
server closed while idle is replaced before a message is sent on it, and a message keeps its
Content-Language header.

Each test uses its own key prefix.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, Iterator

import pytest
import redis
from aiosmtpd.controller import Controller

from notifier import events
from notifier.adapters.channels import InboxChannel, SmtpChannel
from notifier.adapters.directory import InMemoryDirectory
from notifier.adapters.redis_store import RedisStore
from notifier.adapters.rendering import TemplateRenderer
from notifier.compose import Composer
from notifier.dispatch import Dispatcher, DispatchOptions
from notifier.domain.model import (FAILED, PENDING, SENT, SKIPPED, Contact, DeliveryId, InboxEntry, Message,
                                   PlaceInfo, RoundInfo, StudentOutcome)
from notifier.domain.rules import RetryPolicy, plan_round
from notifier.ports import AbstractChannel, DeliveryResult
from tests.fakes import Clock
from tests.fakes.notifier import Inbox, free_port

pytestmark = pytest.mark.integration

RELEASE = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)


class Killed(BaseException):
    """The process died (kill -9): nothing after this point runs or is written."""


class DyingRedisStore(RedisStore):
    """A RedisStore whose process dies when it writes its `die_at`-th batch of marks (and stays dead: no
    later write goes through until die_at is reset, the restart)."""

    die_at = 0
    writes = 0

    def finish(self, results: list[DeliveryResult]) -> None:
        self.writes += 1
        if self.die_at and self.writes >= self.die_at:
            raise Killed()
        super().finish(results)


class RecordingChannel(AbstractChannel):
    """An outside channel that records what it delivered."""

    def __init__(self, name: str):
        self.name = name
        self.sent: list[DeliveryId] = []

    def send(self, delivery: DeliveryId, address: str, message: Message, data: dict[str, Any]) -> None:
        self.sent.append(delivery)


@pytest.fixture
def client(redis_url) -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def store(client) -> Iterator[RedisStore]:
    prefix = f"nt-batch-{uuid.uuid4().hex[:8]}"
    yield DyingRedisStore(client, prefix)
    for key in client.scan_iter(f"{prefix}:*", count=1000):
        client.unlink(key)


def release(store: RedisStore, round_id: str, released_at: datetime, n: int) -> tuple[RoundInfo, list[DeliveryId]]:
    """Plan a round of n students (every third unplaced) over one school and one organisation."""
    info = RoundInfo(round_id, "reg-t", "2027-p1", released_at, released_at + timedelta(days=7))
    outcomes = [StudentOutcome(f"stu_{round_id}_{i}", "sch-x", "unplaced", reason_code="NO_ELIGIBLE_PLACE")
                if i % 3 == 2 else StudentOutcome(f"stu_{round_id}_{i}", "sch-x", "placed", "plc-1", "org-1", "top1")
                for i in range(n)]
    store.add_round_part(str(uuid.uuid4()), info, 1, 1, outcomes, info.respond_by.timestamp(), plan_round)
    return info, plan_round(info, outcomes).deliveries


def test_a_batch_claim_never_returns_a_delivery_before_its_rounds_release_moment(store):
    first, first_ids = release(store, "rnd-a", RELEASE, 30)
    second, second_ids = release(store, "rnd-b", RELEASE + timedelta(hours=1), 30)
    t1, t2 = first.released_at.timestamp(), second.released_at.timestamp()
    assert store.claim_due(t1 - 0.001, 1000, 7200) == []
    claimed = store.claim_due(t1, 1000, 7200)
    assert sorted(d.id.suffix for d in claimed) == sorted(d.suffix for d in first_ids)
    assert store.claim_due(t2 - 0.001, 1000, 7200) == []  # the first round's are leased, the second embargoed
    claimed = store.claim_due(t2, 1000, 7200)
    assert sorted(d.id.suffix for d in claimed) == sorted(d.suffix for d in second_ids)


def test_a_batch_of_results_is_written_at_once_and_an_erased_student_is_not_brought_back(store, client):
    info, _ = release(store, "rnd-f", RELEASE, 6)
    t = info.released_at.timestamp()
    claimed = {d.id.suffix: d.attempted() for d in store.claim_due(t, 1000, 30)}
    a, b, c = "rnd-f:student:stu_rnd-f_0", "rnd-f:student:stu_rnd-f_1", "rnd-f:student:stu_rnd-f_2"
    entry = InboxEntry(f"{a}:inbox", "rnd-f", "outcome", "Je stageplek", "...", RELEASE, RELEASE)
    sent_event = (None, events.notification_sent(claimed[f"{a}:email"], "reg-t"))
    results = [
        DeliveryResult(claimed[f"{a}:email"], SENT, t + 2.0, events=(sent_event,)),
        DeliveryResult(claimed[f"{a}:inbox"], SENT, t + 1.0, inbox=(("student", "stu_rnd-f_0", entry),)),
        DeliveryResult(claimed[f"{b}:email"], PENDING, t + 60.0, "smtp 451"),
        DeliveryResult(claimed[f"{b}:inbox"], SKIPPED, t + 1.5, "no outcome"),
        DeliveryResult(claimed[f"{c}:email"], FAILED, t + 1.5, "invalid_address", events=(sent_event,)),
        DeliveryResult(claimed["rnd-f:student:stu_rnd-f_4:email"], SENT, t + 3.0,
                       inbox=(("student", "stu_rnd-f_4", entry),)),
    ]
    erase_event = str(uuid.uuid4())
    store.erase_student(erase_event, "stu_rnd-f_4")  # erased while the batch's marks were in memory
    store.finish(results)

    assert store.delivery(claimed[f"{a}:email"].id).state == SENT
    assert store.delivery(claimed[f"{a}:email"].id).attempts == 1
    assert store.delivery(claimed[f"{b}:email"].id).state == PENDING
    assert store.delivery(claimed[f"{b}:inbox"].id).state == SKIPPED
    assert store.delivery(claimed[f"{c}:email"].id).state == FAILED
    queue = {m.decode(): s for m, s in client.zrange(store._k("queue"), 0, -1, withscores=True)}
    assert queue[f"{b}:email"] == t + 60.0 and f"{a}:email" not in queue and f"{c}:email" not in queue
    assert len(store.outbox_peek(100)) == 2
    assert [e.delivery for e in store.inbox("student", "stu_rnd-f_0")] == [f"{a}:inbox"]
    assert store.spread("rnd-f") == (t + 1.0, t + 2.0)  # the erased student's send is not counted either
    assert not client.exists(store.delivery_key(claimed["rnd-f:student:stu_rnd-f_4:email"].id))
    assert store.inbox("student", "stu_rnd-f_4") == []
    assert "rnd-f:student:stu_rnd-f_4:email" not in queue


def make_dispatcher(store: RedisStore, clock: Clock, mark_batch: int) -> tuple[Dispatcher, RecordingChannel]:
    directory = InMemoryDirectory(schools={"sch-x": Contact(name="ROC X", email="stage@x.example")})
    for i in range(12):
        directory.students[f"stu_rnd-k_{i}"] = Contact(name=f"Student {i}", email=f"s{i}@mail.example")
    directory.places["plc-1"] = Contact(name="Praktijkopleider", email="stage@p.example")  # from intake
    store.save_place(str(uuid.uuid4()), PlaceInfo("plc-1", "org-1", "Zorg P", "Zorgweg 1", "2027-02-01"))
    email = RecordingChannel("email")
    channels = {"email": email, "webhook": RecordingChannel("webhook"), "inbox": InboxChannel(store, clock)}
    dispatcher = Dispatcher(store, directory, channels, Composer(TemplateRenderer(), "http://127.0.0.1:8003"),
                            RetryPolicy(), clock, DispatchOptions(batch_size=100, lease_s=30, mark_batch=mark_batch))
    return dispatcher, email


def test_a_sender_that_dies_between_sending_and_marking_resends_only_its_unmarked_batch(store):
    info, planned = release(store, "rnd-k", RELEASE, 12)
    clock = Clock(RELEASE)
    dispatcher, email = make_dispatcher(store, clock, mark_batch=4)
    store.die_at = 3  # two writes of 4 marks go through, the third is lost with the process
    with pytest.raises(Killed):
        dispatcher.run_once()
    before = list(email.sent)
    lost = set(before[8:])
    assert len(before) == 12 and len(lost) == 4
    assert all(store.delivery(d).state == SENT for d in before[:8])
    assert all(store.delivery(d).state == PENDING for d in lost)

    store.die_at = 0
    clock.now = RELEASE + timedelta(seconds=31)  # after the lease
    while dispatcher.run_once():
        pass
    counts = Counter(email.sent)
    assert {d for d, n in counts.items() if n == 2} == lost  # only the unmarked ones, once more
    assert set(counts) == {d for d in planned if d.channel == "email"}  # nothing lost
    assert store.pending_count() == 0


def test_an_smtp_session_closed_by_the_server_while_idle_is_replaced_before_sending(tmp_path):
    port = free_port()
    mailbox = Inbox()
    channel = SmtpChannel("127.0.0.1", port, "stagepool@stagepool.local", idle_check_s=0.0)
    delivery = DeliveryId("rnd-s", "student", "stu_1", "email")
    message = Message("Je stageplek", "Hallo\n", lang="nl")
    first = Controller(mailbox, hostname="127.0.0.1", port=port)
    first.start()
    try:
        channel.send(delivery, "s1@mail.example", message, {})
    finally:
        first.stop()  # the server goes away and comes back: the session the channel holds is dead
    second = Controller(mailbox, hostname="127.0.0.1", port=port)
    second.start()
    try:
        channel.send(delivery, "s1@mail.example", message, {})
    finally:
        channel.close()
        second.stop()
    assert mailbox.count() == 2
    assert mailbox.messages[1][1]["Content-Language"] == "nl"
