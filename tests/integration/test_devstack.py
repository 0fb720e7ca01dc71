"""The servers behind the integration fixtures are the real ones: an Apache Kafka broker that speaks the
Kafka protocol, and a redis-server that keeps acknowledged writes in its append-only file across a kill -9.

The Kafka restart (about 8 s) runs last, so the other tests of the session find the broker as they expect.
"""

from __future__ import annotations

import socket
import uuid
from typing import Any

import pytest
import redis

from stagepool_shared.devstack.kafka_server import STARTED_LINE, kafka_answers
from stagepool_shared.testing import wait_until

pytestmark = pytest.mark.integration


def _host_port(bootstrap: str) -> tuple[str, int]:
    host, port = bootstrap.split(",")[0].rsplit(":", 1)
    return host, int(port)


def _broker_log(kafka_server: Any) -> str:
    """The broker's own log: the file of a broker started from jars, or the container's output."""
    if hasattr(kafka_server, "log_path"):
        return kafka_server.log_path.read_text(errors="replace")
    if hasattr(kafka_server, "container"):
        return kafka_server.container.get_wrapped_container().logs().decode(errors="replace")
    pytest.fail(f"no broker log to read: {kafka_server.bootstrap} was not started by the fixture")


def test_kafka_accepts_connections_and_answers_the_kafka_protocol_on_its_port(kafka_bootstrap: str) -> None:
    host, port = _host_port(kafka_bootstrap)
    with socket.create_connection((host, port), timeout=5):
        pass
    assert kafka_answers(port, host=host), f"no ApiVersions response from {kafka_bootstrap}"


def test_kafka_broker_logged_that_it_started(kafka_server: Any) -> None:
    assert STARTED_LINE in _broker_log(kafka_server)


def test_redis_answers_ping(redis_client: redis.Redis) -> None:
    assert redis_client.ping() is True


def test_redis_writes_every_command_to_its_append_only_file(redis_client: redis.Redis) -> None:
    assert redis_client.config_get("appendonly") == {"appendonly": "yes"}
    assert redis_client.config_get("appendfsync") == {"appendfsync": "always"}


def test_redis_keeps_a_key_written_before_a_kill_9(redis_server: Any, redis_client: redis.Redis) -> None:
    key, value = f"test-devstack:{uuid.uuid4().hex}", b"acknowledged"
    assert redis_client.set(key, value) is True
    url_before = redis_server.url

    redis_server.kill()
    redis_server.restart()

    assert redis_server.url == url_before
    client = redis.Redis.from_url(redis_server.url)
    try:
        assert client.get(key) == value
    finally:
        client.close()


def test_kafka_comes_back_on_the_same_port_after_a_kill_9(kafka_server: Any) -> None:
    bootstrap_before = kafka_server.bootstrap
    host, port = _host_port(bootstrap_before)
    starts_before = _broker_log(kafka_server).count(STARTED_LINE)

    kafka_server.kill()
    wait_until(lambda: not kafka_answers(port, host=host, timeout=0.5), timeout=10, message="broker still answers")
    kafka_server.restart()

    assert kafka_server.bootstrap == bootstrap_before
    assert kafka_answers(port, host=host), f"no ApiVersions response from {bootstrap_before} after the restart"
    assert _broker_log(kafka_server).count(STARTED_LINE) == starts_before + 1
