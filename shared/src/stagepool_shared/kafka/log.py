"""Reading what Kafka holds, without joining a group: a topic's whole log, and a consumer group's lag.

For replays, tests, benches and fault checks. Imports kafka-python only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Sequence

from kafka import KafkaConsumer, TopicPartition
from kafka.admin import KafkaAdminClient


@dataclass(frozen=True)
class LoggedMessage:
    """One message as stored in a topic."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp_ms: int


def read_log(bootstrap: str, topic_names: Sequence[str], timeout_s: float = 30.0) -> list[LoggedMessage]:
    """Every message currently in the topics, from offset 0, in (topic, partition, offset) order.

    Reads without a consumer group (nothing is committed), up to the end offsets seen at the start.
    """
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                             max_partition_fetch_bytes=8 * 1024 * 1024)
    try:
        parts = [TopicPartition(t, p) for t in topic_names for p in sorted(consumer.partitions_for_topic(t) or [])]
        if not parts:
            return []
        consumer.assign(parts)
        consumer.seek_to_beginning(*parts)
        end = consumer.end_offsets(parts)
        out: list[LoggedMessage] = []
        deadline = time.monotonic() + timeout_s
        while any(consumer.position(tp) < end[tp] for tp in parts):
            if time.monotonic() > deadline:
                raise TimeoutError(f"reading {topic_names} did not reach the end offsets in {timeout_s}s")
            for tp, records in consumer.poll(timeout_ms=200).items():
                out.extend(LoggedMessage(r.topic, r.partition, r.offset, r.key, r.value, r.timestamp)
                           for r in records if r.offset < end[tp])
        return sorted(out, key=lambda m: (m.topic, m.partition, m.offset))
    finally:
        consumer.close(autocommit=False)


def group_lag(bootstrap: str, group_id: str, topic_names: Sequence[str] | None = None,
              timeout_s: float = 10.0) -> int:
    """How many messages the consumer group has not committed yet: sum over partitions of end - committed.

    Only the partitions of `topic_names` (default: every topic the group has committed offsets for) count; a
    partition without a committed offset counts from its beginning. Reads offsets only (no group is joined).
    """
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="stagepool-lag",
                             request_timeout_ms=int(timeout_s * 1000))
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False, group_id=None,
                             request_timeout_ms=int(timeout_s * 1000) + 1000)
    try:
        committed = admin.list_group_offsets({group_id: None}).get(group_id, {})
        names = tuple(topic_names) if topic_names is not None else tuple({tp.topic for tp in committed})
        parts = [TopicPartition(t, p) for t in names for p in sorted(consumer.partitions_for_topic(t) or [])]
        if not parts:
            return 0
        ends = consumer.end_offsets(parts)
        starts = consumer.beginning_offsets(parts)
        return sum(max(0, ends[tp] - (committed[tp].offset if tp in committed and committed[tp].offset >= 0
                                      else starts[tp]))
                   for tp in parts)
    finally:
        consumer.close(autocommit=False)
        admin.close()
