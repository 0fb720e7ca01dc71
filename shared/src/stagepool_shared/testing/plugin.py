"""pytest plugin with real-server fixtures: `kafka_server`, `redis_server` (session), `kafka_bootstrap`,
`redis_url` (session strings) and `redis_client` (per test, on a flushed DB); and `oidc_provider`, a real
OpenID Connect provider on 127.0.0.1 (stagepool_shared.testing.oidc).

Register it with `pytest_plugins = ["stagepool_shared.testing.plugin"]` or `-p stagepool_shared.testing.plugin`.
Where the servers come from, in this order:
  1. KAFKA_BOOTSTRAP_SERVERS / REDIS_URL set (e.g. `eval "$(stagepool dev env)"`): reuse them; their
     kill/stop/restart raise ServerNotManaged, since the fixture did not start them.
  2. A reachable Docker engine: testcontainers with apache/kafka:4.1.0 and redis:7 (AOF on).
  3. Otherwise: a real broker from Maven Central jars and Debian's redis-server, in a session tmp dir
     (stagepool_shared.devstack).
A server that cannot start fails the tests that need it; nothing is ever skipped.
Imports pytest, redis-py and stagepool_shared.devstack; testcontainers and docker only in branch 2.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path
from typing import Any, Iterator

import pytest
import redis

from stagepool_shared import astguard
from stagepool_shared.devstack import _proc
from stagepool_shared.devstack.kafka_server import KafkaServer, kafka_answers
from stagepool_shared.devstack.redis_server import RedisServer, redis_answers
from stagepool_shared.testing.cluster import kafka_cluster, redis_sentinel  # noqa: F401 (replicated servers)
from stagepool_shared.testing.cluster import running
from stagepool_shared.testing.oidc import oidc_provider  # noqa: F401 (the OpenID Connect provider fixture)

logger = logging.getLogger(__name__)

KAFKA_IMAGE = "apache/kafka:4.1.0"
REDIS_IMAGE = "redis:7"
DOCKER_START_TIMEOUT_S = 120.0


class ServerNotManaged(RuntimeError):
    """kill/stop/restart asked of a server the fixture did not start."""


def pytest_configure(config: pytest.Config) -> None:
    """Register the `integration` marker, so the plugin also works outside this repo's pytest config, and
    guard `ast.parse` against CPython 3.11's thread race (stagepool_shared.astguard): Hypothesis parses source
    in the test's thread while server threads format tracebacks."""
    config.addinivalue_line("markers", "integration: needs the real Kafka and Redis servers (never skipped)")
    astguard.install()


# --------------------------------------------------------------------------- 1. external servers


def _host_port(address: str, default_port: int) -> tuple[str, int]:
    host, _, port = address.rpartition(":")
    return (host or address, int(port)) if port.isdigit() else (address, default_port)


class ExternalKafka:
    """A broker named by KAFKA_BOOTSTRAP_SERVERS; the fixture may use it but not stop it."""

    def __init__(self, bootstrap: str) -> None:
        self.bootstrap = bootstrap
        host, port = _host_port(bootstrap.split(",")[0].strip(), 9092)
        if not kafka_answers(port, host=host, timeout=5.0):
            raise RuntimeError(f"KAFKA_BOOTSTRAP_SERVERS={bootstrap} is set, but no Kafka broker answers there")

    def _refuse(self, *_: Any) -> None:
        raise ServerNotManaged(
            f"the Kafka broker {self.bootstrap} comes from KAFKA_BOOTSTRAP_SERVERS and is not managed by the "
            "fixture; unset KAFKA_BOOTSTRAP_SERVERS to let the fixture start its own broker for fault tests"
        )

    kill = stop = restart = _refuse


class ExternalRedis:
    """A Redis named by REDIS_URL; the fixture may use it but not stop it."""

    def __init__(self, url: str) -> None:
        self.url = url
        client = redis.Redis.from_url(url, socket_connect_timeout=5)
        try:
            client.ping()
        except redis.RedisError as exc:
            raise RuntimeError(f"REDIS_URL={url} is set, but Redis does not answer there: {exc}") from exc
        finally:
            client.close()

    def _refuse(self, *_: Any) -> None:
        raise ServerNotManaged(
            f"Redis {self.url} comes from REDIS_URL and is not managed by the fixture; "
            "unset REDIS_URL to let the fixture start its own redis-server for fault tests"
        )

    kill = stop = restart = _refuse


# --------------------------------------------------------------------------- 2. Docker (testcontainers)


def docker_available() -> bool:
    """True when a Docker engine answers a ping within 2 s."""
    try:
        import docker

        client = docker.from_env(timeout=2)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except Exception:  # no SDK, no socket, no engine: all mean "no Docker"
        return False


class _DockerServer:
    """A testcontainers container on a fixed host port, so a kill/restart keeps the address."""

    def __init__(self, container: Any, host: str, port: int) -> None:
        self.container, self.host, self.port = container, host, port

    def _answers(self) -> bool:
        raise NotImplementedError

    def _wait(self) -> None:
        deadline = time.monotonic() + DOCKER_START_TIMEOUT_S
        while not self._answers():
            if time.monotonic() > deadline:
                logs = self.container.get_wrapped_container().logs(tail=40).decode(errors="replace")
                raise RuntimeError(f"{self.container.image} did not answer on {self.host}:{self.port}:\n{logs}")
            time.sleep(0.2)

    def _ready_or_removed(self) -> None:
        try:
            self._wait()
        except BaseException:
            self.remove()
            raise

    def kill(self) -> None:
        self.container.get_wrapped_container().kill()

    def stop(self) -> None:
        self.container.get_wrapped_container().stop(timeout=30)

    def restart(self) -> "_DockerServer":
        wrapped = self.container.get_wrapped_container()
        wrapped.reload()
        if wrapped.status == "running":
            wrapped.stop(timeout=30)
        wrapped.start()
        self._wait()
        return self

    def remove(self) -> None:
        """Remove the container (end of the session)."""
        self.container.stop()


class DockerKafka(_DockerServer):
    """apache/kafka in KRaft mode with the same settings as the jar broker; advertises the host port."""

    def __init__(self) -> None:
        from testcontainers.core.container import DockerContainer
        from testcontainers.core.docker_client import DockerClient

        host, port = DockerClient().host(), _proc.free_ports(1)[0]
        env = {
            "KAFKA_NODE_ID": "1",
            "KAFKA_PROCESS_ROLES": "broker,controller",
            "KAFKA_LISTENERS": "PLAINTEXT://:9092,CONTROLLER://:9093",
            "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://{host}:{port}",
            "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
            "KAFKA_LISTENER_SECURITY_PROTOCOL_MAP": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "KAFKA_CONTROLLER_QUORUM_VOTERS": "1@localhost:9093",
            "KAFKA_AUTO_CREATE_TOPICS_ENABLE": "false",
            "KAFKA_NUM_PARTITIONS": "3",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "1",
            "KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS": "1",
            "KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR": "1",
            "KAFKA_TRANSACTION_STATE_LOG_MIN_ISR": "1",
            "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR": "1",
            "KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR": "1",
            "KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS": "0",
            "KAFKA_GROUP_MIN_SESSION_TIMEOUT_MS": "1000",
            "KAFKA_LOG_FLUSH_INTERVAL_MESSAGES": "1",
            "KAFKA_HEAP_OPTS": "-Xms256m -Xmx768m",
        }
        container = DockerContainer(KAFKA_IMAGE).with_envs(**env).with_bind_ports(9092, port)
        super().__init__(container.start(), host, port)
        self._ready_or_removed()

    @property
    def bootstrap(self) -> str:
        return f"{self.host}:{self.port}"

    def _answers(self) -> bool:
        return kafka_answers(self.port, host=self.host)


class DockerRedis(_DockerServer):
    """redis:7 with AOF on and fsync on every write."""

    def __init__(self) -> None:
        from testcontainers.core.container import DockerContainer
        from testcontainers.core.docker_client import DockerClient

        host, port = DockerClient().host(), _proc.free_ports(1)[0]
        command = ["redis-server", "--appendonly", "yes", "--appendfsync", "always", "--save", ""]
        container = DockerContainer(REDIS_IMAGE).with_command(command).with_bind_ports(6379, port)
        super().__init__(container.start(), host, port)
        self._ready_or_removed()

    @property
    def url(self) -> str:
        return f"redis://{self.host}:{self.port}/0"

    def _answers(self) -> bool:
        return redis_answers(self.port, host=self.host)


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="session")
def _docker_engine() -> bool:
    return docker_available()


def _local_dir(tmp_path_factory: pytest.TempPathFactory, name: str) -> Path:
    return tmp_path_factory.mktemp(name, numbered=True)


def _one_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, env_var: str,
                external: type, docker: type, local: type, name: str) -> Iterator[Any]:
    """The server named by `env_var`, else a container when Docker answers, else a local process."""
    address = os.environ.get(env_var)
    if address:
        yield external(address)
        return
    if request.getfixturevalue("_docker_engine"):
        server = docker()
        try:
            yield server
        finally:
            server.remove()
        return
    yield from running(local(_local_dir(tmp_path_factory, name), die_with_parent=True))


@pytest.fixture(scope="session")
def kafka_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real Kafka 4.x broker: `.bootstrap`, and `.kill()`, `.stop()`, `.restart()` for fault tests."""
    yield from _one_server(request, tmp_path_factory, "KAFKA_BOOTSTRAP_SERVERS", ExternalKafka, DockerKafka,
                           KafkaServer, "kafka")


@pytest.fixture(scope="session")
def redis_server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """A real Redis with AOF on: `.url`, and `.kill()`, `.stop()`, `.restart()` for fault tests."""
    yield from _one_server(request, tmp_path_factory, "REDIS_URL", ExternalRedis, DockerRedis, RedisServer, "redis")


@pytest.fixture(scope="session")
def kafka_bootstrap(kafka_server: Any) -> str:
    """`host:port` of the session's Kafka broker."""
    return kafka_server.bootstrap


@pytest.fixture(scope="session")
def redis_url(redis_server: Any) -> str:
    """`redis://host:port/0` of the session's Redis."""
    return redis_server.url


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    """A redis.Redis on the session's Redis (the DB of `redis_url`, which services use too), flushed at start.

    Responses are bytes (redis-py's default). Under REDIS_URL from `stagepool dev env`, this empties the
    dev stack's DB 0 at the start of each test that asks for it.
    """
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    try:
        yield client
    finally:
        client.close()
