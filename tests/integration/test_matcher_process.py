"""`python -m matcher run` as a real process: health routes, a round requested over HTTP and proposed,
and `python -m matcher replay ROUND` agreeing with it (exit 0)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import uuid
from dataclasses import replace

import pytest
import redis
import requests
from stagepool_shared.auth import TokenStore
from stagepool_shared.envelope import new_envelope
from stagepool_shared.kafka import EventPublisher, ensure_topics
from stagepool_shared.testing.samples import sample_payload
from stagepool_shared.testing.waiting import wait_until

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_matcher_process_serves_rounds_and_replay_agrees(kafka_bootstrap, redis_url, tmp_path):
    run = uuid.uuid4().hex[:8]
    region = f"reg-proc-{run}"
    ensure_topics(kafka_bootstrap)
    publisher = EventPublisher(kafka_bootstrap, "it-proc")
    publisher.publish_all(
        [new_envelope("wish.submitted", replace(sample_payload("wish.submitted"), student_ref=f"stu-{i}",
                                                school_id=f"sch-{i % 2}", region_id=region, support_needs=[]),
                      producer="it", partition_key=region) for i in range(6)]
        + [new_envelope("place.posted", replace(sample_payload("place.posted"), region_id=region, slots=4,
                                                irregular_shifts=False, reserved=[]),
                        producer="it", partition_key=region)])
    publisher.close()
    client = redis.Redis.from_url(redis_url)
    token = TokenStore(client).issue("usr-coord", "regional_coordinator", region, region)
    port = free_port()
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url,
           "HTTP_PORT": str(port), "MATCHER_CONSUMER_GROUP": f"it-proc-{run}", "LOG_LEVEL": "WARNING"}
    base, auth = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}
    proc = subprocess.Popen([sys.executable, "-m", "matcher", "run"], env=env, start_new_session=True,
                            stdout=open(tmp_path / "matcher.log", "wb"), stderr=subprocess.STDOUT)
    try:
        wait_until(lambda: _get(base + "/healthz") == 200, 60, message="matcher did not start")
        assert _get(base + "/readyz") == 200 and b"stagepool_matcher" in requests.get(base + "/metrics").content
        pool = f"matcher:region:{region}:period:2027-p1"  # wishes and places: the replay folds both
        wait_until(lambda: client.hlen(pool + ":wishes") == 6 and client.hlen(pool + ":places") == 1, 60)
        answer = requests.post(base + "/api/v1/rounds", json={"region_id": region, "period_id": "2027-p1"},
                               headers=auth, timeout=10)
        assert answer.status_code == 202
        round_id = answer.json()["round_id"]
        body = wait_until(lambda: (r := requests.get(f"{base}/api/v1/rounds/{round_id}", headers=auth).json())
                          and r.get("proposal_published") and r, 60, message="round not proposed")
        assert body["summary"]["placed"] == 4 and len(body["outcomes"]) == 6
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        assert proc.wait(30) == 0  # a clean stop on SIGTERM
        client.close()
    replay = subprocess.run([sys.executable, "-m", "matcher", "replay", round_id], env=env,
                            capture_output=True, text=True, timeout=120)
    assert replay.returncode == 0 and "SAME ROUND" in replay.stdout
    assert body["manifest"]["output_hash"] in replay.stdout


def _get(url: str) -> int:
    try:
        return requests.get(url, timeout=2).status_code
    except requests.ConnectionError:
        return 0
