"""`python -m <service> serve`, the production command of the Docker images (issue 19.5): the HTTP API under
gunicorn, not Werkzeug's development server, with the consumer and the workers in gunicorn's worker process.

Each service is started as a real process on real Kafka and Redis: it answers /readyz through gunicorn, names
no server software, and stops cleanly on SIGTERM (arbiter and worker both gone). The reporting service shows
that the consumer runs inside the gunicorn worker: a poison message on the rounds topic is dead-lettered by
that process (its own /metrics counts it)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import urllib.request
from pathlib import Path
from typing import Iterator

import psutil
import pytest
import requests
from cryptography.fernet import Fernet

from stagepool_shared import kafka, topics
from stagepool_shared.testing import wait_until

pytestmark = pytest.mark.integration

SECRETS = {
    "intake": {"INTAKE_PSEUDONYM_SECRET": "production-server-test-secret-1"},
    "matcher": {},
    "notifier": {"INTAKE_URL": "http://127.0.0.1:9", "NOTIFIER_SERVICE_TOKEN": "production-server-test-token-1",
                 "NOTIFIER_WEBHOOK_SECRET": "production-server-test-webhook-1"},
    "reporting": {"REPORTING_DESK_KEY": Fernet.generate_key().decode()},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def answer(url: str) -> requests.Response | None:
    try:
        return requests.get(url, timeout=2)
    except requests.ConnectionError:
        return None


class Served:
    """One service started with `python -m <service> serve`, its log in `log_path`."""

    def __init__(self, service: str, kafka_bootstrap: str, redis_url: str, log_path: Path):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url,
               "HTTP_PORT": str(self.port), "HTTP_THREADS": "4", **SECRETS[service]}
        self._log = log_path.open("w")
        self.process = subprocess.Popen([sys.executable, "-m", service, "serve"], env=env,
                                        stdout=self._log, stderr=self._log)

    def ready(self) -> requests.Response:
        return wait_until(lambda: (r := answer(self.base + "/readyz")) is not None and r.status_code == 200 and r,
                          timeout=60, message=f"never ready; log: {self.log_tail()}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=40)
        self._log.close()
        return code

    def log_tail(self) -> str:
        return self.log_path.read_text(errors="replace")[-3000:]


@pytest.fixture
def serve(kafka_bootstrap: str, redis_url: str, tmp_path: Path) -> Iterator:
    started: list[Served] = []

    def start(service: str) -> Served:
        started.append(Served(service, kafka_bootstrap, redis_url, tmp_path / f"{service}.log"))
        return started[-1]

    yield start
    for served in started:
        if served.process.poll() is None:
            served.stop()


@pytest.mark.parametrize("service", ["intake", "matcher", "notifier", "reporting"])
def test_serve_runs_the_api_under_gunicorn_and_stops_cleanly_on_sigterm(serve, service: str) -> None:
    served = serve(service)
    ready = served.ready()
    with urllib.request.urlopen(served.base + "/healthz", timeout=5) as raw:
        assert raw.headers.get_all("Server") == ["stagepool"], raw.headers  # one line, no software named
    assert ready.headers["Server"] == "stagepool"
    assert ready.headers["X-Frame-Options"] == "DENY"
    [worker] = psutil.Process(served.process.pid).children()  # gunicorn's arbiter forked one worker
    code = served.stop()
    assert code == 0, served.log_tail()
    assert not worker.is_running() or worker.status() == psutil.STATUS_ZOMBIE
    log = served.log_tail()
    assert "Booting worker" in log and "Werkzeug" not in log, log


def test_the_consumer_runs_inside_the_gunicorn_worker(serve, kafka_bootstrap: str) -> None:
    served = serve("reporting")
    served.ready()
    publisher = kafka.EventPublisher(kafka_bootstrap, client_id="production-server-test")
    dead_lettered = f'stagepool_dead_letters_total{{group="{topics.REPORTING.group_id}",topic="{topics.ROUNDS}"}}'

    def poison_dead_lettered() -> bool:
        publisher.publish_raw(topics.ROUNDS, b"\x00 not an event", key=b"production-server-test")
        return dead_lettered in requests.get(served.base + "/metrics", timeout=5).text

    try:
        wait_until(poison_dead_lettered, timeout=60, interval=2.0,
                   message=f"the served process never dead-lettered the poison; log: {served.log_tail()}")
    finally:
        publisher.close()
    assert served.stop() == 0, served.log_tail()
