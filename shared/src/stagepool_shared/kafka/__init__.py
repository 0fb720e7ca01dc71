"""The only package that imports kafka-python: topics, the acks=all publisher, the consumer loop, reading a log.

One responsibility per module:

- `producer`: `EventPublisher`, which waits for Kafka's acknowledgement (acks=all) within one deadline;
- `consumer`: `make_consumer`, `ConsumerOptions` and `ConsumerLoop` (manual commits, retries, dead letters,
  reconnecting while Kafka is away);
- `admin`: `ensure_topics`, `broker_reachable` and `describe_topic` (partition leaders, replicas, min ISR);
- `log`: `read_log`, `LoggedMessage` and `group_lag` (reading offsets and records without a group);
- `clients`: what every client shares (the reconnect backoff, closing a client whose construction failed);
- `groups`: what the group coordinator says about a member (the watchdog's check for "more instances than
  partitions").

Callers import the names from here: `from stagepool_shared.kafka import EventPublisher`.
"""

from __future__ import annotations

from .admin import TopicLayout, broker_reachable, describe_topic, ensure_topics
from .clients import RECONNECT_BACKOFF_MAX_MS
from .consumer import ConsumerLoop, ConsumerOptions, Handler, make_consumer
from .log import LoggedMessage, group_lag, read_log
from .producer import SEND_WINDOW, EventPublisher

__all__ = [
    "RECONNECT_BACKOFF_MAX_MS",
    "SEND_WINDOW",
    "ConsumerLoop",
    "ConsumerOptions",
    "EventPublisher",
    "Handler",
    "LoggedMessage",
    "TopicLayout",
    "broker_reachable",
    "describe_topic",
    "ensure_topics",
    "group_lag",
    "make_consumer",
    "read_log",
]
