"""A what-if scenario on real Redis and Kafka (issue 16.4): copy the live pool, edit it and run it in the
matcher's scenario worker; afterwards every live Redis key holds exactly what it held before and no topic has
a message more. Only keys under `matcher:scenario:` were written."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace

import pytest
import redis
from stagepool_shared import topics
from stagepool_shared.kafka import ensure_topics, read_log
from stagepool_shared.runtime import start_workers
from stagepool_shared.testing.samples import sample_payload
from stagepool_shared.testing.waiting import wait_until

from matcher.bootstrap import bootstrap
from matcher.config import Settings
from matcher.scenarios import commands as sc
from matcher.scenarios.edits import DemandEdit, PlacesEdit, TravelEdit

pytestmark = pytest.mark.integration

RUN = uuid.uuid4().hex[:8]
REGION, PERIOD = f"reg-scn-{RUN}", "2027-p1"


def live_state(client: redis.Redis) -> dict[bytes, bytes]:
    """Every key outside the scenario prefix with its serialised value."""
    return {key: client.dump(key) for key in client.scan_iter(count=1000)
            if not key.startswith(b"matcher:scenario:")}


def messages_per_topic(bootstrap_servers: str) -> dict[str, int]:
    names = topics.ALL_TOPICS + topics.ALL_DLQ_TOPICS
    counts = dict.fromkeys(names, 0)
    for message in read_log(bootstrap_servers, names, timeout_s=10):
        counts[message.topic] += 1
    return counts


@pytest.fixture
def matcher(kafka_bootstrap, redis_url):
    ensure_topics(kafka_bootstrap)
    settings = Settings.from_env({"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url})
    wiring = bootstrap(settings)
    wish, place = sample_payload("wish.submitted"), sample_payload("place.posted")
    for i in range(12):
        wiring.deps.store.put_wish(f"it-w-{RUN}-{i}", replace(wish, student_ref=f"stu-{RUN}-{i}", region_id=REGION,
                                                                 school_id="sch-a" if i % 3 else "sch-b",
                                                                 irregular_shifts_ok=True))
    for i in range(3):
        wiring.deps.store.put_place(f"it-p-{RUN}-{i}", replace(place, place_id=f"plc-{RUN}-{i}", region_id=REGION,
                                                               organisation_id="org-care", reserved=[]))
    yield wiring
    wiring.close()


def test_a_scenario_run_in_the_worker_leaves_every_live_key_and_topic_as_it_was(matcher, kafka_bootstrap):
    client, deps = matcher.redis_client, matcher.deps
    keys_before, log_before = live_state(client), messages_per_topic(kafka_bootstrap)
    record = sc.create_scenario(deps, REGION, PERIOD)
    for edit in (PlacesEdit(20, organisation_id="org-care"), DemandEdit("sch-b", 50), TravelEdit(-10)):
        sc.add_edit(deps, REGION, record.scenario_id, edit)
    sc.start_run(deps, REGION, record.scenario_id)
    worker = next(w for w in matcher.workers() if w.name == "scenarios")
    stop, crashed = threading.Event(), threading.Event()
    threads = start_workers([worker], stop, crashed)
    try:
        wait_until(lambda: sc.visible_scenario(deps, REGION, record.scenario_id).status == "done", 60,
                   message="the scenario worker never finished the scenario")
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
    done = sc.visible_scenario(deps, REGION, record.scenario_id)
    assert not crashed.is_set() and [p.policy for p in done.results.policies] == list(sc.POLICIES)
    assert done.results.students == 14 and done.results.slots > 20  # 12 + 50 % of sch-b's 4; 20 places more
    assert live_state(client) == keys_before
    assert messages_per_topic(kafka_bootstrap) == log_before
    assert client.exists(f"matcher:scenario:{record.scenario_id}:base:wishes")
