"""`python -m reporting run` as a real process: it serves /healthz, /readyz and /metrics, and stops cleanly on
SIGTERM."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

import pytest
import requests
from cryptography.fernet import Fernet

from stagepool_shared.testing import wait_until

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answers(url: str):
    try:
        return requests.get(url, timeout=2)
    except requests.ConnectionError:
        return None


def test_the_run_command_serves_ops_routes_and_stops_on_sigterm(kafka_bootstrap, redis_url, tmp_path):
    port = free_port()
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url, "HTTP_PORT": str(port),
           "REPORTING_DESK_KEY": Fernet.generate_key().decode()}
    log = (tmp_path / "reporting.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "reporting", "run"], env=env, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: answers(base + "/healthz"), timeout=30, message="reporting never answered /healthz")
        ready = wait_until(lambda: (r := answers(base + "/readyz")) and r.status_code == 200 and r, timeout=30)
        assert ready.json()["checks"] == {"redis": True, "kafka": True}
        metrics = requests.get(base + "/metrics", timeout=5).text
        assert "stagepool_reporting_projections_up 1.0" in metrics
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
        log.close()
    assert code == 0, (tmp_path / "reporting.log").read_text()[-2000:]
