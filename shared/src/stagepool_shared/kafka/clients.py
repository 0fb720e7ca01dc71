"""What every kafka-python client of the package shares: the reconnect backoff and leak-free construction.

Imports kafka-python only.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterator

from kafka import KafkaConsumer
from kafka.errors import KafkaError

#: The longest a client waits between two connection attempts to a broker. kafka-python's default (30 s; the
#: Java client's is 1 s) grows during an outage and then lets consumers sit up to half a minute after the
#: broker is back before they reconnect, find their group coordinator and rejoin.
RECONNECT_BACKOFF_MAX_MS = 1_000

#: kafka-python's network client class (its `kafka_client` option), wrapped by `network_clients`.
_NETWORK_CLIENT = KafkaConsumer.DEFAULT_CONFIG["kafka_client"]


@contextmanager
def network_clients() -> Iterator[Callable[..., object]]:
    """A `kafka_client` hook for building one consumer or admin client. When building fails (the broker did
    not answer within its bootstrap timeout), what it opened is closed: kafka-python 3.0.12 leaves the
    network thread and sockets of a failed constructor running, and a caller that retries would pile them up."""
    clients: list = []

    def network_client(**configs: object) -> object:
        clients.append(_NETWORK_CLIENT(**configs))
        return clients[-1]

    try:
        yield network_client
    except KafkaError:
        for client in clients:
            client.close()
        raise
