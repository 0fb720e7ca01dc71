"""Instances killed mid-work on the 3-node KRaft cluster (issue 18 point 5): two intake processes taking
wishes in turn, one killed (kill -9) mid-stream; two matcher processes in one consumer group, the one
computing a round killed mid-round; two notifier processes sending one release, one of them killed and then
the leader of the partition they publish `notification.sent` to. (Reporting: test_cluster_faults_reporting.py.)

Figures (`FIGURE ...` lines, docs/reliability.md): acknowledged wishes lost (must be 0) and wishes published
under two event ids (0), placements duplicated (0), e-mails lost (0) and duplicated (within the documented
bound: NOTIFIER_MARK_BATCH per sender thread per kill, here 1 × 1), and the time to recover. `make soak` repeats each with
STAGEPOOL_FAULT_INJECTIONS=15. The session's cluster is shared; every injection leaves it whole again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from datetime import UTC, datetime

import pytest
import redis
import requests

from intake.bootstrap import bootstrap
from intake.config import Settings
from notifier.adapters.redis_store import RedisStore
from stagepool_shared import topics
from stagepool_shared.devstack._proc import free_ports
from stagepool_shared.devstack.kafka_cluster import KafkaCluster
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.rounds import RoundRequested
from stagepool_shared.kafka import EventPublisher, describe_topic, ensure_topics, read_log
from stagepool_shared.registry import decode
from stagepool_shared.testing.waiting import wait_until
from test_cluster_faults import INJECTIONS, PERIOD, PERIOD_ID, Answer, Poster, leader_of, settle
from test_matcher_kill import make_region, projected, proposed_parts, start_matcher
from test_notifier_faults import start_notifier
from test_notifier_release import expected_addresses, intake, prepare_lane, released_parts, seed_round  # noqa: F401
from tests.fakes.notifier import smtp_server

pytestmark = [pytest.mark.integration, pytest.mark.faults]

STUDENTS = 3000
N_RECIPIENTS = 300


def stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(60)


def kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(30)


# --------------------------------------------------------------------------- an intake instance mid-stream


class Balanced(Poster):
    """Posts to the intake instances in turn, as a load balancer would. A request that gets no answer at all
    (the instance is gone) goes to the next one with the same Idempotency-Key, as a balancer's retry would."""

    def __init__(self, urls: list[str], token: str, tag: str, first: int) -> None:
        super().__init__(urls[0], token, tag, first=first)
        self.urls, self.retried = urls, 0

    def _post(self, n: int, started: float) -> Answer:
        for i in range(len(self.urls)):
            self.url = self.urls[(n + i) % len(self.urls)]
            answer = super()._post(n, started)
            if answer.status != 0:
                return answer
            self.retried += 1
        return answer


def start_intake_process(env: dict[str, str], log_path) -> tuple[subprocess.Popen, str]:  # noqa: ANN001
    port = free_ports(1)[0]
    with open(log_path, "ab") as log:
        process = subprocess.Popen([sys.executable, "-m", "intake", "run"], env={**env, "HTTP_PORT": str(port)},
                                   stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    wait_until(lambda: answers(url + "/readyz"), 60, message=f"intake never ready; log {log_path}")
    return process, url


def answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=2).status_code == 200
    except requests.RequestException:
        return False


def test_an_intake_instance_killed_mid_stream_loses_no_acknowledged_wish_and_publishes_none_twice(
        kafka_cluster, redis_url, tmp_path):
    ensure_topics(kafka_cluster.bootstrap)
    tag = uuid.uuid4().hex[:8]
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_cluster.bootstrap, "REDIS_URL": redis_url,
           "INTAKE_PSEUDONYM_SECRET": f"cluster-intake-kill-secret-{tag}", "PUBLISH_TIMEOUT_S": "5",
           "LOG_LEVEL": "WARNING"}
    wiring = bootstrap(Settings.from_env(env))  # issues the tokens: they are shared state in Redis
    region = f"reg-cfi-{tag}"  # one region (and period) for every injection, a school and students each
    try:
        for injection in range(INJECTIONS):
            kill_an_intake_instance(kafka_cluster, env, wiring, region, tmp_path, injection)
    finally:
        wiring.close()


def kill_an_intake_instance(cluster: KafkaCluster, env: dict[str, str], wiring, region: str,  # noqa: ANN001
                            tmp_path, injection: int) -> None:  # noqa: ANN001
    """One injection: wishes posted to two intake instances in turn; after 20 acknowledged, kill -9 of one;
    posting goes on (to the other) until 40 more are acknowledged. Every acknowledged wish must be in the log,
    and no student's wish under two event ids (a retried key republishes the same event id)."""
    settle(cluster, topics.WISHES)
    coordinator = wiring.tokens.issue("cfi-c", "regional_coordinator", region, region_id=region)
    school = wiring.tokens.issue("cfi-s", "school_staff", f"sch-cfi-{injection}", region_id=region)
    instances = []
    poster = None
    try:
        instances += [start_intake_process(env, tmp_path / f"intake-{injection}-{i}.log") for i in range(2)]
        requests.put(instances[0][1] + f"/api/v1/periods/{PERIOD_ID}", json=PERIOD, timeout=30,
                     headers={"Authorization": "Bearer " + coordinator}).raise_for_status()
        poster = Balanced([url for _, url in instances], school, f"{region}-{injection}", first=100_000 * injection)
        poster.start()
        wait_until(lambda: len(poster.acked()) >= 20, 60, message="intake is too slow before the kill")
        kill(instances[0][0])
        killed = time.monotonic()
        poster.acknowledges_again(killed, "an instance was killed")
        assert instances[1][0].poll() is None, "the other intake instance ended"
    finally:
        if poster is not None:
            poster.finish()
        for process, _ in instances:
            stop(process)
    posted = {a.student_ref for a in poster.answers if a.student_ref}
    logged = [e for e in (decode(m.value) for m in read_log(cluster.bootstrap, [topics.WISHES])
                          if m.key == region.encode()) if e.payload.student_ref in posted]  # this injection's
    ids = {ref: {(e.event_id, e.event_type) for e in logged if e.payload.student_ref == ref} for ref in posted}
    twice = {ref: found for ref, found in ids.items() if len(found) > 1}
    lost = {a.event_id for a in poster.acked()} - {e.event_id for e in logged}
    print(f"\nFIGURE cluster-intake-instance-kill #{injection + 1}: two instances in turn, one killed after "
          f"{sum(1 for a in poster.acked() if a.answered <= killed)} acknowledged; answers "
          f"{poster.statuses(killed)}; sent again to the other instance {poster.retried}; acknowledged "
          f"{len(poster.acked())}, lost {len(lost)}; wishes under two event ids {len(twice)}; log copies "
          f"{len(logged)} of {len({e.event_id for e in logged})} event ids; first 202 of a request sent after "
          f"the kill {poster.recovered_s(killed):.2f} s after it")
    assert lost == set(), f"{len(lost)} acknowledged wishes are not in the log"
    assert twice == {}, twice
    assert poster.status_codes() <= {202, 503}, poster.status_codes()


# --------------------------------------------------------------------------- the matcher mid-round


def computing(processes: list[subprocess.Popen], logs: list, round_id: str) -> subprocess.Popen:  # noqa: ANN001
    """The instance whose log says it froze the round's pool and is computing it (matcher.handlers)."""
    line = f"round {round_id}: pool frozen at"

    def found() -> subprocess.Popen | None:
        return next((p for p, log in zip(processes, logs) if log.exists() and line in log.read_text()), None)

    wait_until(found, 60, interval=0.01, message="no instance started computing the round")
    return found()


def test_a_matcher_instance_killed_mid_round_leaves_one_round_and_no_placement_twice(
        kafka_cluster, redis_url, tmp_path):
    ensure_topics(kafka_cluster.bootstrap)
    publisher = EventPublisher(kafka_cluster.bootstrap, "it-cf-matcher", timeout_s=30.0)
    client = redis.Redis.from_url(redis_url)
    try:
        for injection in range(INJECTIONS):
            kill_the_computing_matcher(kafka_cluster, redis_url, publisher, client, tmp_path, injection)
    finally:
        publisher.close()
        client.close()


def kill_the_computing_matcher(cluster: KafkaCluster, redis_url: str, publisher: EventPublisher,
                               client: redis.Redis, tmp_path, injection: int) -> None:  # noqa: ANN001
    run = uuid.uuid4().hex[:8]
    region, round_id = f"reg-cfm-{run}", f"rnd-cfm-{run}"
    settle(cluster, topics.ROUNDS)
    wishes, places = make_region(region, STUDENTS)
    events = [new_envelope("wish.submitted", w, producer="it", partition_key=region) for w in wishes]
    events += [new_envelope("place.posted", p, producer="it", partition_key=region) for p in places]
    for i in range(0, len(events), 1000):
        publisher.publish_all(events[i:i + 1000])
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": cluster.bootstrap, "REDIS_URL": redis_url, "HTTP_PORT": "0",
           "MATCHER_CONSUMER_GROUP": f"it-cfm-{run}", "LOG_LEVEL": "INFO"}
    logs = [tmp_path / f"matcher-{injection}-{i}.log" for i in range(2)]
    matchers = [start_matcher(env, log) for log in logs]
    key = f"matcher:round:{round_id}"
    try:
        wait_until(lambda: projected(client, region, wishes, places), 180, message="the region was not projected")
        publisher.publish(new_envelope("round.requested", RoundRequested(round_id, region, "2027-p1", 9, "usr-c"),
                                       producer="it", partition_key=region))
        victim = computing(matchers, logs, round_id)
        kill(victim)
        killed = time.monotonic()
        assert client.hget(key, "frozen_at"), "the round's pool was not frozen"
        assert client.hget(key, "status") == b"requested", "the kill came after the round was proposed"
        survivor = next(m for m in matchers if m is not victim)
        wait_until(lambda: client.hget(key, "status") == b"proposed" or survivor.poll() is not None, 180,
                   message="the other instance did not finish the round")
        recovered = time.monotonic() - killed
        assert survivor.poll() is None, "the surviving matcher ended"
    finally:
        for process in matchers:
            stop(process)
    proposed, by_id = proposed_parts(cluster.bootstrap, region, round_id)
    parts = {e.event_id: e for e, _ in proposed}
    placed = Counter(o.student_ref for e in parts.values() for o in e.payload.outcomes if o.status == "placed")
    per_place = Counter(o.place_id for e in parts.values() for o in e.payload.outcomes if o.status == "placed")
    twice = [s for s, n in placed.items() if n > 1]
    print(f"\nFIGURE cluster-matcher-kill #{injection + 1}: {STUDENTS} students; the instance computing the round "
          f"killed mid-round; round proposed by the other {recovered:.1f} s after "
          f"the kill; {len(proposed)} copies of {len(by_id)} part ids; placed {len(placed)}, "
          f"placements duplicated {len(twice)}")
    assert len(by_id) == next(iter(parts.values())).payload.parts
    assert all(len(values) == 1 for values in by_id.values()), "a part id was published with other content"
    assert placed, "the round placed nobody"
    assert twice == [], "a student was placed twice"
    assert max(per_place.values()) <= 4, "a place was given more students than its slots"


# --------------------------------------------------------------------------- the notifier mid-release


def sent_events(bootstrap: str, round_id: str) -> list:
    """(partition, envelope) of every notification.sent of the round in the log."""
    found = []
    for message in read_log(bootstrap, [topics.NOTIFICATIONS]):
        envelope = decode(message.value)
        if envelope.event_type == "notification.sent" and envelope.payload.round_id == round_id:
            found.append((message.partition, envelope))
    return found


def test_a_release_loses_no_message_when_a_notifier_instance_and_then_the_partition_leader_are_killed(
        kafka_cluster, redis_url, intake, tmp_path):  # noqa: F811
    for injection in range(INJECTIONS):
        release_with_two_kills(kafka_cluster, redis_url, intake, tmp_path, injection)


def release_with_two_kills(cluster: KafkaCluster, redis_url: str, contacts: tuple, tmp_path,  # noqa: ANN001
                           injection: int) -> None:
    """One injection: a release of 304 messages sent by two notifier instances; at 40 e-mails one instance
    is killed (kill -9), then the leader of the partition its `notification.sent` events go to."""
    stand_in, intake_url = contacts
    ensure_topics(cluster.bootstrap)
    lane, publisher = prepare_lane(cluster.bootstrap)
    settle(cluster, topics.NOTIFICATIONS)
    outcomes = seed_round(stand_in, N_RECIPIENTS)
    wanted = expected_addresses(N_RECIPIENTS, set())
    round_id = f"rnd-cfn-{lane.tag}"
    with smtp_server(delay_s=0.05) as (mailbox, smtp_port):
        env = lane.env(cluster.bootstrap, redis_url, intake_url, smtp_port, NOTIFIER_SENDER_THREADS="1",
                       NOTIFIER_BATCH_SIZE="10", NOTIFIER_LEASE_S="3", LOG_LEVEL="WARNING")
        store = RedisStore(redis.Redis.from_url(redis_url), env["NOTIFIER_KEY_PREFIX"])
        notifiers = [start_notifier(env, tmp_path / f"notifier-{injection}-{i}.log") for i in range(2)]
        victim = None
        try:  # the places first (another topic, maybe another instance), as a real release comes long after
            wait_until(lambda: store.client.exists(*(f"{env['NOTIFIER_KEY_PREFIX']}:place:plc-org-{x}" for x in "pq"))
                       == 2, 120, message="the notifiers did not record the places")
            publisher.publish_all(released_parts(round_id, outcomes, 2, datetime.now(UTC)), topic=lane.rounds)
            wait_until(lambda: mailbox.count() >= 40, 120, message="the release did not start")
            kill(notifiers[0])  # 1. one notifier instance, kill -9, mid-release
            instance_killed, at_kill = time.monotonic(), mailbox.count()
            first = wait_until(lambda: sent_events(cluster.bootstrap, round_id)[:1], 60, interval=0.5,
                               message="no notification.sent published")[0]
            partition = first[0]
            victim = describe_topic(cluster.bootstrap, topics.NOTIFICATIONS).leaders[partition]
            cluster.node(victim).kill()  # 2. the leader of the partition the relay publishes to
            leader_killed, at_leader_kill = time.monotonic(), mailbox.count()
            wait_until(lambda: leader_of(cluster, topics.NOTIFICATIONS, partition) not in (None, victim), 60,
                       interval=0.2, message="no new leader")
            elected = time.monotonic() - leader_killed
            wait_until(lambda: set(mailbox.per_recipient()) >= wanted, 180,
                       message="not every recipient got the message")
            complete = time.monotonic() - instance_killed
            wait_until(lambda: store.pending_count() == 0 and store.client.llen(f"{env['NOTIFIER_KEY_PREFIX']}:outbox")
                       == 0, 90, message="deliveries or outbox entries still pending")
            assert notifiers[1].poll() is None, (tmp_path / f"notifier-{injection}-1.log").read_text()[-3000:]
        finally:
            for process in notifiers:
                stop(process)
            publisher.close()
            if victim is not None:
                cluster.node(victim).restart()
                settle(cluster, topics.NOTIFICATIONS)
        counts = mailbox.per_recipient()
    sent = {(e.payload.recipient_kind, e.payload.recipient_ref, e.payload.channel, e.payload.message_kind)
            for _, e in sent_events(cluster.bootstrap, round_id)}
    duplicates = sum(c - 1 for c in counts.values())
    print(f"\nFIGURE cluster-notifier-kills #{injection + 1}: {len(wanted)} recipients; notifier instance killed "
          f"after {at_kill} e-mails, leader node {victim} of {topics.NOTIFICATIONS}[{partition}] killed after "
          f"{at_leader_kill}; new leader in {elected:.2f} s; every recipient served {complete:.1f} s after the "
          f"instance kill; e-mails lost {len(wanted - set(counts))}, duplicated {duplicates} (bound 1); "
          f"notification.sent events for {len(sent)} deliveries (e-mail and inbox)")
    assert at_kill < len(wanted) and at_leader_kill < len(wanted), "a kill came after the release ended"
    assert set(counts) == wanted
    assert duplicates <= 1, {a: c for a, c in counts.items() if c > 1}  # one sender thread, NOTIFIER_MARK_BATCH 1
    channels = Counter(channel for _, _, channel, _ in sent)  # each message: an e-mail and an inbox entry
    assert channels == {"email": len(wanted), "inbox": len(wanted)}, "a message has no notification.sent on Kafka"
