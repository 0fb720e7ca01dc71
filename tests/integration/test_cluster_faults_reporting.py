"""A reporting instance killed mid-work on the 3-node KRaft cluster (issue 18 point 5): two `python -m reporting
run` processes in the one REPORTING consumer group project a stream of wishes and replacement requests over
many regions; one is killed (kill -9) while it works through its partitions' backlog, the stream goes on, and
the other projects the rest.

The victim starts first and alone, so its member id (and then its partitions) are known; it is killed once it
projected a quarter of its part of the backlog, in the middle of a poll batch it has not committed. Every event
must be projected exactly once, read through reporting's own read side (RedisViews): a lost event leaves a wish
or a count missing; an event handled twice (the uncommitted batch comes again to the survivor) would raise the
period's `replacements` counter above what was published (seen with the idempotency marker disabled).
Figure (`FIGURE ...` line, docs/reliability.md): events lost and counted twice (both must be 0) and the time
until everything is projected. `make soak` repeats it with STAGEPOOL_FAULT_INJECTIONS=15. Reporting has no
setting for its group or key prefix: each injection uses regions of its own, and starts the group at the log
end (the group is empty between injections), so the history on the session's cluster is not projected again.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import replace
from typing import Any, Callable

import pytest
import redis
from cryptography.fernet import Fernet
from kafka.admin import KafkaAdminClient, OffsetSpec
from kafka.errors import KafkaError
from kafka.partitioner.default import murmur2
from kafka.structs import TopicPartition

from reporting.adapters.keys import Keys
from reporting.adapters.views import RedisViews
from stagepool_shared import topics
from stagepool_shared.devstack.kafka_cluster import KafkaCluster
from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.kafka import EventPublisher, describe_topic, ensure_topics
from stagepool_shared.testing.samples import sample_payload
from stagepool_shared.testing.waiting import wait_until
from test_cluster_faults import INJECTIONS, settle
from test_cluster_faults_services import kill, stop

pytestmark = [pytest.mark.integration, pytest.mark.faults]

REGIONS = 30
PER_REGION = 20  # wishes, and as many replacement requests, per region
PERIOD = "2027-p1"
GROUP = topics.REPORTING.group_id
BATCH = 200


def start_reporting(env: dict[str, str], log_path) -> subprocess.Popen:  # noqa: ANN001
    with open(log_path, "ab") as log:
        return subprocess.Popen([sys.executable, "-m", "reporting", "run"], env=env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)


def start_group_at_log_end(bootstrap: str) -> None:
    """Commit the (empty) group's offsets at the end of every partition it reads: the instances start with the
    injection's events, not with the history of the session's cluster. Retried while the group's coordinator
    is not available yet (a fresh cluster creates __consumer_offsets on first use)."""
    parts = {TopicPartition(topic, p): OffsetSpec.LATEST
             for topic in topics.REPORTING.topics for p in describe_topic(bootstrap, topic).leaders}
    answers = wait_until(lambda: reset_offsets(bootstrap, parts), 60, interval=0.5,
                         message="the group's coordinator did not answer")
    failed = {tp: a["error"] for tp, a in answers.items() if getattr(a["error"], "errno", 0)}
    assert not failed, f"the group's offsets were not reset (is a member still in the group?): {failed}"


def reset_offsets(bootstrap: str, parts: dict) -> dict | None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="it-cfr-reset")
    try:
        return admin.reset_group_offsets(GROUP, parts)
    except KafkaError as err:  # the coordinator not available or still loading: asked again
        if not err.retriable:
            raise
        return None
    finally:
        admin.close()


def assignments(bootstrap: str) -> dict[str, set[tuple[str, int]]]:
    """The members of the stable group and the partitions each holds ({} while the group rebalances)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="it-cfr-group")
    try:
        group = admin.describe_groups([GROUP]).get(GROUP) or {}
    finally:
        admin.close()
    if str(group.get("group_state", "")).lower() != "stable":
        return {}
    return {m["member_id"]: held(m.get("member_assignment")) for m in group.get("members", ())}


def held(assignment: Any) -> set[tuple[str, int]]:
    """(topic, partition) of a decoded assignment, in its object or its dict form."""
    if hasattr(assignment, "partitions"):
        return {(tp.topic, tp.partition) for tp in assignment.partitions()}
    parts = assignment.get("assigned_partitions", ()) if isinstance(assignment, dict) else ()
    return {(part["topic"], n) for part in parts for n in part["partitions"]}


def holding(bootstrap: str, members: int) -> dict[str, set[tuple[str, int]]]:
    """The assignments once the group is stable with `members` members, each holding partitions."""
    found = assignments(bootstrap)
    return found if len(found) == members and all(found.values()) else {}


def partition_of(bootstrap: str, topic: str) -> Callable[[str], int]:
    """Where the producer puts a key on `topic` (kafka-python's default partitioner: murmur2 of the key)."""
    count = len(describe_topic(bootstrap, topic).leaders)
    return lambda key: (murmur2(key.encode()) & 0x7fffffff) % count


def stream(run: str) -> tuple[list[str], list[Envelope]]:
    """The regions and the events: round-robin over the regions, a wish and a replacement request each."""
    regions = [f"reg-cfr-{run}-{r:02d}" for r in range(REGIONS)]
    events = []
    wish, request = sample_payload("wish.submitted"), sample_payload("placement.replacement_requested")
    for n in range(PER_REGION):
        for region in regions:
            ids = dict(student_ref=f"stu_{uuid.uuid4().hex}", region_id=region, period_id=PERIOD)
            events += [new_envelope("wish.submitted", replace(wish, **ids), producer="it", partition_key=region),
                       new_envelope("placement.replacement_requested",
                                    replace(request, request_id=f"rpl-{run}-{region}-{n}", **ids), producer="it",
                                    partition_key=region)]
    return regions, events


def projected(views: RedisViews, regions: list[str]) -> dict[str, tuple[int, int]]:
    """Per region, what reporting shows: (wishes, replacements counted)."""
    found = {}
    for region in regions:
        snapshot = views.snapshot(region, PERIOD, {})
        found[region] = (len(snapshot.wishes), snapshot.counters.get("replacements", 0))
    return found


def victim_part(bootstrap: str, share: set[tuple[str, int]], regions: list[str]) -> set[tuple[str, str]]:
    """(event type, region) of the events that go to the victim's partitions."""
    where = {event_type: (topic, partition_of(bootstrap, topic)) for event_type, topic in
             (("wish.submitted", topics.WISHES), ("placement.replacement_requested", topics.PLACEMENTS))}
    return {(event_type, region) for event_type, (topic, part) in where.items() for region in regions
            if (topic, part(region)) in share}


def by(own: set[tuple[str, str]], counts: dict[str, tuple[int, int]]) -> int:
    """What the victim's partitions have projected."""
    return sum(w * (("wish.submitted", region) in own) + r * (("placement.replacement_requested", region) in own)
               for region, (w, r) in counts.items())


def complete(counts: dict[str, tuple[int, int]]) -> bool:
    return all(w >= PER_REGION and r >= PER_REGION for w, r in counts.values())


def total(counts: dict[str, tuple[int, int]]) -> int:
    return sum(w + r for w, r in counts.values())


def test_a_reporting_instance_killed_mid_stream_loses_no_event_and_counts_none_twice(kafka_cluster, redis_url,
                                                                                     tmp_path):
    ensure_topics(kafka_cluster.bootstrap)
    publisher = EventPublisher(kafka_cluster.bootstrap, "it-cf-reporting", timeout_s=30.0)
    client = redis.Redis.from_url(redis_url)
    try:
        for injection in range(INJECTIONS):
            kill_a_reporting_instance(kafka_cluster, redis_url, publisher, RedisViews(client, Keys()), tmp_path,
                                      injection)
    finally:
        publisher.close()
        client.close()


class Publishing(threading.Thread):
    """Publishes the events in batches of BATCH (acks=all), one batch after the other, while the test kills."""

    def __init__(self, publisher: EventPublisher, events: list[Envelope]) -> None:
        super().__init__(daemon=True, name="it-cfr-publishing")
        self.publisher, self.events, self.error = publisher, events, None

    def run(self) -> None:
        try:
            for i in range(0, len(self.events), BATCH):
                self.publisher.publish_all(self.events[i:i + BATCH])
        except Exception as err:  # noqa: BLE001 - reported by finish()
            self.error = err

    def finish(self) -> None:
        self.join(timeout=120)
        assert not self.is_alive() and self.error is None, f"publishing failed: {self.error!r}"


def kill_a_reporting_instance(cluster: KafkaCluster, redis_url: str, publisher: EventPublisher, views: RedisViews,
                              tmp_path, injection: int) -> None:  # noqa: ANN001
    run = uuid.uuid4().hex[:8]
    settle(cluster, topics.PLACEMENTS)
    start_group_at_log_end(cluster.bootstrap)
    regions, events = stream(run)
    first = 2 * len(events) // 3
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrap, "REDIS_URL": redis_url, "HTTP_PORT": "0",
           "REPORTING_DESK_KEY": Fernet.generate_key().decode(), "LOG_LEVEL": "WARNING"}
    logs = [tmp_path / f"reporting-{injection}-{i}.log" for i in range(2)]
    victim = start_reporting(env, logs[0])  # first, alone: the member that holds every partition is the victim
    instances = [victim]
    publishing = Publishing(publisher, events[first:])
    try:
        victim_id = next(iter(wait_until(lambda: holding(cluster.bootstrap, 1), 90, interval=0.5,
                                         message="the first instance did not join the group")))
        survivor = start_reporting(env, logs[1])
        instances.append(survivor)
        share = wait_until(lambda: holding(cluster.bootstrap, 2), 90, interval=0.5,
                           message="the two instances did not share the group's partitions")[victim_id]
        own = victim_part(cluster.bootstrap, share, regions)
        publisher.publish_all(events[:first])  # at once: a backlog, so that the kill hits the victim at work
        publishing.start()
        # Mid-stream: the victim projected a quarter of its part of the backlog, and has the rest still to do.
        mine, theirs = (sum(1 for e in part if (e.event_type, e.partition_key) in own)
                        for part in (events[:first], events))
        assert mine, f"no event of the stream goes to the victim's partitions {sorted(share)}"
        wait_until(lambda: by(own, projected(views, regions)) >= mine // 4, 90, interval=0.01,
                   message="the victim did not project a quarter of its part of the stream")
        kill(victim)
        killed, counts = time.monotonic(), projected(views, regions)
        at_kill, victim_did = total(counts), by(own, counts)
        publishing.finish()
        wait_until(lambda: complete(projected(views, regions)) or survivor.poll() is not None, 120,
                   interval=0.2, message="the surviving instance did not project every event")
        recovered = time.monotonic() - killed
        assert survivor.poll() is None, logs[1].read_text()[-3000:]
    finally:
        for process in instances:
            stop(process)
    counts = projected(views, regions)
    lost = sum(max(0, PER_REGION - w) + max(0, PER_REGION - r) for w, r in counts.values())
    twice = sum(max(0, r - PER_REGION) for _, r in counts.values())
    print(f"\nFIGURE cluster-reporting-kill #{injection + 1}: {len(events)} events over {REGIONS} regions; instance "
          f"killed after {at_kill} projected; all projected {recovered:.1f} s after the kill; lost {lost}, "
          f"counted twice {twice}")
    assert 0 < victim_did < theirs, "the kill did not come while the victim was at work"
    assert (lost, twice) == (0, 0), {r: c for r, c in counts.items() if c != (PER_REGION, PER_REGION)}
