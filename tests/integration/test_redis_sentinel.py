"""Redis without a single point of failure (fixture `redis_sentinel`: primary, replica, three Sentinels).

Services reach Redis through the one factory, `stagepool_shared.redis.connect`, which finds the primary
through the Sentinels: after a kill -9 of the primary, writes go on through the promoted replica. A handler's
write (marker and projection, `IdempotentApplier`) only counts as done once a replica has it (WAIT), which
closes the asynchronous replication window for the writes that matter; the window itself is measured.
"""

from __future__ import annotations

import os
import signal
import statistics
import threading
import time
import uuid

import pytest
import redis

from stagepool_shared.devstack.redis_sentinel import RedisSentinelSet
from stagepool_shared.errors import TransientError
from stagepool_shared.redis import REPLICA_WAIT_MS, TRANSIENT_ERRORS, IdempotentApplier, connect
from stagepool_shared.testing import wait_until

pytestmark = [pytest.mark.integration, pytest.mark.faults]


def direct(server) -> redis.Redis:  # noqa: ANN001
    return redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=2)


def standby(ha: RedisSentinelSet):  # noqa: ANN201
    master = ha.master()
    return next(s for s in ha.servers if s is not master)


def in_sync(server) -> bool:  # noqa: ANN001
    try:
        info = direct(server).info("replication")
    except redis.RedisError:
        return False
    return info.get("role") == "slave" and info.get("master_link_status") == "up"


class Writer(threading.Thread):
    """Writes numbered keys through the Sentinel client as fast as it can; keeps what was acknowledged."""

    def __init__(self, client: redis.Redis, prefix: str) -> None:
        super().__init__(daemon=True)
        self.client, self.prefix = client, prefix
        self.acked: list[tuple[int, float]] = []
        self.errors = 0
        self.stop = threading.Event()

    def run(self) -> None:
        i = 0
        while not self.stop.is_set():
            try:
                self.client.set(f"{self.prefix}:{i}", i)
                self.acked.append((i, time.monotonic()))
                i += 1
            except TRANSIENT_ERRORS + (redis.ReadOnlyError,):
                self.errors += 1
                self.stop.wait(0.02)


def test_writes_go_on_through_the_promoted_replica_after_a_kill_9_of_the_primary(
        redis_sentinel: RedisSentinelSet) -> None:
    client = connect(redis_sentinel.url)
    old = redis_sentinel.master()
    writer = Writer(client, f"ha-{uuid.uuid4().hex[:6]}")
    writer.start()
    try:
        wait_until(lambda: len(writer.acked) >= 300, timeout=30, message="no writes before the kill")
        old.kill()
        killed_at = time.monotonic()
        wait_until(lambda: redis_sentinel.master() is not old, timeout=30, message="the Sentinels did not fail over")
        wait_until(lambda: writer.acked[-1][1] > killed_at and len(writer.acked) >= 600, timeout=30,
                   message="writes did not resume through the new primary")
    finally:
        writer.stop.set()
        writer.join(timeout=10)
    new = redis_sentinel.master()
    assert new is not old and direct(new).info("replication")["role"] == "master"
    resumed = next(t for _, t in writer.acked if t > killed_at)
    missing = [i for i, _ in writer.acked if client.get(f"{writer.prefix}:{i}") is None]
    print(f"\nprimary killed: writes resumed after {resumed - killed_at:.2f} s ({writer.errors} failed attempts); "
          f"{len(missing)} of {len(writer.acked)} acknowledged writes without WAIT missing after the failover")
    assert resumed - killed_at < 15
    old.restart()  # comes back as a replica of the new primary (the Sentinels reconfigure it)
    wait_until(lambda: in_sync(old), timeout=30, message="the old primary did not rejoin as a replica")


def test_a_handler_write_counts_as_done_only_once_a_replica_has_it(redis_sentinel: RedisSentinelSet) -> None:
    applier = IdempotentApplier(connect(redis_sentinel.url), "test-ha")
    assert applier.replica_wait_ms == REPLICA_WAIT_MS
    event_id, state = uuid.uuid4().hex, f"test-ha:state:{uuid.uuid4().hex}"
    replica = standby(redis_sentinel)
    wait_until(lambda: in_sync(replica), timeout=30, message="no replica in sync")
    os.kill(replica.pid, signal.SIGSTOP)  # the replica stops taking the replication stream
    try:
        with pytest.raises(TransientError, match="no Redis replica confirmed"):
            applier.apply_once(event_id, lambda pipe, _: pipe.set(state, "projected"))
    finally:
        os.kill(replica.pid, signal.SIGCONT)
    # The consumer retries: the event is found processed, and now a replica confirms it.
    assert wait_until(lambda: _retry(applier, event_id, state) is False, timeout=30)
    assert direct(replica).get(state) == b"projected"
    assert direct(replica).exists(applier.marker(event_id))


def test_with_no_replica_connected_a_handler_write_goes_on(redis_sentinel: RedisSentinelSet) -> None:
    """After a failover the new primary has no replica until the old one is back: nothing could be promoted
    then, so waiting would only stop every consumer."""
    applier = IdempotentApplier(connect(redis_sentinel.url), "test-ha")
    replica = standby(redis_sentinel)
    replica.stop()
    try:
        wait_until(lambda: direct(redis_sentinel.master()).info("replication")["connected_slaves"] == 0, timeout=30)
        assert applier.apply_once(uuid.uuid4().hex, lambda pipe, _: pipe.set("test-ha:alone", 1)) is True
    finally:
        replica.restart()  # the Sentinels make it a replica again
    wait_until(lambda: in_sync(replica), timeout=30, message="the replica did not come back in sync")


def _retry(applier: IdempotentApplier, event_id: str, state: str) -> bool | None:
    try:
        return applier.apply_once(event_id, lambda pipe, _: pipe.set(state, "projected"))
    except TRANSIENT_ERRORS:
        return None


def test_the_replication_window_is_measured_and_far_below_the_wait_timeout(redis_sentinel: RedisSentinelSet) -> None:
    """How long an acknowledged write lives on the primary alone: the time until WAIT 1 returns (under a
    concurrent writer)."""
    client = connect(redis_sentinel.url)
    wait_until(lambda: in_sync(standby(redis_sentinel)), timeout=30, message="no replica in sync")
    load = Writer(connect(redis_sentinel.url), f"load-{uuid.uuid4().hex[:6]}")
    load.start()
    windows = []
    try:
        for i in range(300):
            with client.pipeline(transaction=False) as pipe:
                pipe.set(f"window:{i}", i)
                pipe.execute_command("WAIT", 1, 0)
                started = time.perf_counter()
                _, replicas = pipe.execute()
            windows.append(time.perf_counter() - started)
            assert replicas >= 1
    finally:
        load.stop.set()
        load.join(timeout=10)
    ms = sorted(w * 1000 for w in windows)
    p50, p99 = statistics.median(ms), ms[int(len(ms) * 0.99) - 1]
    print(f"\nreplication window (SET + WAIT 1 round trip): p50 {p50:.2f} ms, p99 {p99:.2f} ms, max {ms[-1]:.2f} ms")
    assert p99 < REPLICA_WAIT_MS
