"""The deadline reminders (issue 15.4) on a real Redis: two notifier instances run the step at the same moment
(the lease of `Wiring.workers()` keeps the second one idle in production; this test runs both without it) and
each student gets each reminder once; the marks expire with the notifier's retention and go with an erasure.
Each test uses its own key prefix."""

from __future__ import annotations

from datetime import timedelta

import pytest
import redis
from stagepool_shared.testing import at_once

from notifier.adapters.redis_deadlines import RedisDeadlineMarks, marks_key
from notifier.adapters.redis_store import RedisStore
from notifier.domain.model import Contact
from tests.integration.test_instances_reminders import prefix  # noqa: F401  (the fixture: a key prefix per test)
from tests.unit.notifier.test_deadline_reminders import UNTIL, Reminders, wishes

pytestmark = pytest.mark.integration

STUDENTS = 30


def test_two_instances_send_each_deadline_reminder_once_and_an_erasure_takes_the_marks(redis_url, prefix):
    clients = [redis.Redis.from_url(redis_url) for _ in range(2)]
    try:
        students = [(f"s{i}", Contact(email=f"s{i}@mail.example")) for i in range(STUDENTS)]
        window = wishes(*students)
        instances = [Reminders(window, marks=RedisDeadlineMarks(c, prefix), NOTIFIER_RETENTION_DAYS="30")
                     for c in clients]
        for moment in (UNTIL - timedelta(days=2), UNTIL - timedelta(hours=20)):  # the 3-day and the 1-day lead
            assert sum(at_once([lambda r=r: r.at(moment) for r in instances])) == STUDENTS
            assert sum(r.at(moment) for r in instances) == 0
        sent = [m for r in instances for m in r.email.sent]
        assert sorted(d.suffix for d, *_ in sent) == sorted(
            f"period-2027-p1:wishes:{lead}:s{i}:email" for i in range(STUDENTS) for lead in ("72h", "24h"))
        key = marks_key(prefix, "s0")
        assert clients[0].expiretime(key) == int((UNTIL + timedelta(days=30)).timestamp())
        assert RedisStore(clients[0], prefix).erase_student("evt-erase-s0", "s0")
        assert not clients[0].exists(key) and clients[0].exists(marks_key(prefix, "s1"))
    finally:
        for client in clients:
            client.close()
