"""Killing the notifier (kill -9 of `python -m notifier run`) in the middle of a release loses no message and
repeats at most the messages its sender thread had sent but not yet marked: one sender thread here, so at
most NOTIFIER_MARK_BATCH duplicates per kill (run with the default, 1, and with batched marks, 10), and no
message more than once more."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from datetime import UTC, datetime

import pytest
import redis

from notifier.adapters.redis_store import RedisStore
from stagepool_shared.testing.waiting import wait_until
from test_notifier_release import expected_addresses, intake, prepare_lane, released_parts, seed_round  # noqa: F401
from tests.fakes.notifier import smtp_server

pytestmark = [pytest.mark.integration, pytest.mark.faults]

N_STUDENTS = 150


@pytest.fixture
def slow_smtp():
    with smtp_server(delay_s=0.02) as server:
        yield server


def start_notifier(env: dict[str, str], log_path) -> subprocess.Popen:
    log = open(log_path, "ab")
    try:
        return subprocess.Popen([sys.executable, "-m", "notifier", "run"], env={**os.environ, **env},
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    finally:
        log.close()


@pytest.mark.parametrize("mark_batch", [1, 10])
def test_a_notifier_killed_mid_release_loses_nothing_and_repeats_at_most_one_mark_batch(
        kafka_bootstrap, redis_url, intake, slow_smtp, tmp_path, mark_batch):  # noqa: F811
    stand_in, intake_url = intake
    mailbox, smtp_port = slow_smtp
    lane, publisher = prepare_lane(kafka_bootstrap)
    outcomes = seed_round(stand_in, N_STUDENTS)
    env = lane.env(kafka_bootstrap, redis_url, intake_url, smtp_port, NOTIFIER_SENDER_THREADS="1",
                   NOTIFIER_BATCH_SIZE="10", NOTIFIER_LEASE_S="3", LOG_LEVEL="WARNING",
                   NOTIFIER_MARK_BATCH=str(mark_batch))
    store = RedisStore(redis.Redis.from_url(redis_url), env["NOTIFIER_KEY_PREFIX"])
    log_path = tmp_path / "notifier.log"
    process = start_notifier(env, log_path)
    try:
        publisher.publish_all(released_parts("rnd-k", outcomes, 2, datetime.now(UTC)), topic=lane.rounds)
        wait_until(lambda: mailbox.count() >= 30 or process.poll() is not None, 120,
                   message="the release did not start")
        assert process.poll() is None, log_path.read_text()[-3000:]
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)
        at_kill = mailbox.count()
        assert at_kill < len(expected_addresses(N_STUDENTS, set())), "the kill came after the release ended"
        process = start_notifier(env, log_path)
        wanted = expected_addresses(N_STUDENTS, set())
        wait_until(lambda: set(mailbox.per_recipient()) >= wanted, 180,
                   message="not every recipient got the message after the restart")
        wait_until(lambda: store.pending_count() == 0, 60, message="deliveries still pending")
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=60)
        publisher.close()
    counts = mailbox.per_recipient()
    duplicates = sum(c - 1 for c in counts.values())
    assert set(counts) == wanted
    assert duplicates <= mark_batch, {a: c for a, c in counts.items() if c > 1}
    assert max(counts.values()) <= 2  # each message at most once more per kill
