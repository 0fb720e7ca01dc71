"""Real dev servers: Apache Kafka 4.x (KRaft, jars from Maven Central) and Debian's redis-server.

Used by `stagepool dev up|down|status|fetch|env`, by the pytest plugin in `stagepool_shared.testing`
and by the demo and end-to-end tests. Imports only the standard library and redis-py; never kafka-python
(readiness of the broker is its log line plus a TCP connect, status is a raw ApiVersions probe).
"""

from __future__ import annotations

from .errors import KafkaStartError, RedisStartError
from .kafka_jars import fetch_kafka_jars
from .kafka_server import KafkaServer
from .redis_server import RedisServer
from .stack import DevStack

__all__ = [
    "DevStack",
    "KafkaServer",
    "KafkaStartError",
    "RedisServer",
    "RedisStartError",
    "fetch_kafka_jars",
]
