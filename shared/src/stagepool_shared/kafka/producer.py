"""The acks=all publisher: every publish waits for Kafka's acknowledgement within one deadline.

acks=all with idempotence, keyed by the envelope's partition key (the region), and `publish` waits for the
broker's acknowledgement within one deadline (its own timeout, or the request's deadline from
stagepool_shared.deadline if sooner), so a caller never reports as accepted what Kafka did not store and
always has its answer in time. Imports kafka-python and the envelope, registry, deadline and metrics modules.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any, Sequence

from kafka import KafkaProducer
from kafka.errors import KafkaError, KafkaTimeoutError

from .. import deadline, metrics, registry
from ..envelope import Envelope
from ..errors import PublishFailed
from .clients import RECONNECT_BACKOFF_MAX_MS

#: The most records of one publish waiting in the producer at once. kafka-python expires a record that has
#: waited delivery_timeout_ms since its batch was created, so a whole 50,000-row import handed over at once
#: would expire its tail; with this window a record waits a fraction of a second.
SEND_WINDOW = 2_000


class EventPublisher:
    """Publishes envelopes and waits until Kafka acknowledged them (acks=all), all within one deadline.

    The deadline is `timeout_s` after the call, or the caller's request deadline (stagepool_shared.deadline)
    when that comes sooner, and every step that can block gets only what is left of it: waiting while
    another thread connects, connecting (the first producer, or a new one after a failure), the topic's
    metadata, and the acknowledgement. For a batch, `timeout_s` bounds each wait for the next
    acknowledgement rather than the whole batch (a 50,000-row import is acknowledged over many seconds while
    Kafka is healthy); a request deadline still bounds it all. A producer that failed is dropped at once and
    closed on a background thread, so the answer never waits for it. The producer is created on first use,
    so a service starts (and answers 503) while Kafka is down.
    """

    def __init__(self, bootstrap: str, client_id: str, timeout_s: float = 10.0):
        self.bootstrap = bootstrap
        self.client_id = client_id
        self.timeout_s = timeout_s
        #: The longest `send()` may wait for a topic's metadata (only a producer that has none for it waits);
        #: a publish keeps this much of its deadline back for it.
        self.metadata_wait_s = min(1.0, timeout_s / 4)
        self._producer: KafkaProducer | None = None
        self._state = threading.Lock()  # guards _producer; never held while blocking
        self._connecting = threading.Lock()  # one thread creates the producer, the others wait their deadline

    def _new_producer(self, bootstrap_s: float) -> KafkaProducer:
        return KafkaProducer(
            bootstrap_servers=self.bootstrap, client_id=self.client_id,
            acks="all", enable_idempotence=True, linger_ms=5,
            max_block_ms=int(self.metadata_wait_s * 1000),
            bootstrap_timeout_ms=max(1, int(bootstrap_s * 1000)),
            request_timeout_ms=int(self.timeout_s * 1000),
            delivery_timeout_ms=int(self.timeout_s * 3000),
            max_request_size=4 * 1024 * 1024,
            reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS,
        )

    def _producer_until(self, until: float) -> KafkaProducer:
        """The producer, connecting one if there is none; KafkaTimeoutError when `until` comes first."""
        with self._state:
            if self._producer is not None:
                return self._producer
        if not self._connecting.acquire(timeout=deadline.left(until)):
            raise KafkaTimeoutError("another thread is still connecting to Kafka")
        try:
            with self._state:
                if self._producer is not None:
                    return self._producer
            budget = deadline.left(until) - self.metadata_wait_s
            if budget <= 0:
                raise KafkaTimeoutError("no time left to connect to Kafka")
            producer = self._new_producer(budget)
            with self._state:
                self._producer = producer
            return producer
        finally:
            self._connecting.release()

    def publish(self, envelope: Envelope, topic: str | None = None) -> None:
        """Send one event and wait for its acknowledgement; PublishFailed when it did not come in time."""
        self.publish_all([envelope], topic=topic)

    def publish_all(self, envelopes: Sequence[Envelope], topic: str | None = None) -> None:
        """Send events in order and wait until every one is acknowledged, all within the deadline."""
        records = [(topic or registry.topic_for(env.event_type, env.schema_version), registry.encode(env),
                    env.partition_key.encode()) for env in envelopes]
        self._deliver(records)
        for env in envelopes:
            metrics.EVENTS_PUBLISHED.labels(env.event_type).inc()

    def publish_raw(self, topic: str, value: bytes, key: bytes | None = None) -> None:
        """Send bytes as they are (dead letters' originals, tests of poison messages)."""
        self._deliver([(topic, value, key)])

    def _deliver(self, records: Sequence[tuple[str, bytes, bytes | None]]) -> None:
        started = time.monotonic()
        until = deadline.first(started + self.timeout_s)
        try:
            producer = self._producer_until(until)
            if deadline.left(until) < self.metadata_wait_s:
                raise KafkaTimeoutError("no time left to send before the deadline")
        except KafkaError as err:
            raise PublishFailed(f"Kafka did not acknowledge: {err}") from err
        try:
            unacknowledged: deque[Any] = deque()
            progress = started
            for name, value, key in records:
                if len(unacknowledged) >= SEND_WINDOW:
                    progress = self._acknowledged(unacknowledged.popleft(), progress)
                unacknowledged.append(producer.send(name, value=value, key=key))
            for future in unacknowledged:
                progress = self._acknowledged(future, progress)
        except KafkaError as err:
            self._discard(producer)
            raise PublishFailed(f"Kafka did not acknowledge: {err}") from err

    def _acknowledged(self, future: Any, progress: float) -> float:
        """Wait for one record's acknowledgement at most `timeout_s` after the previous one (a large batch is
        acknowledged for as long as acknowledgements keep coming), never past a request deadline; returns
        the moment it came, the next wait's start."""
        future.get(timeout=deadline.left(deadline.first(progress + self.timeout_s)))
        return time.monotonic()

    def _discard(self, producer: KafkaProducer) -> None:
        """Drop a producer that failed, with whatever it still buffers: the caller is told "not accepted", so
        a record must not reach Kafka later. (One already on the wire may still land: that outcome is
        indeterminate, which is why retried requests reuse their event id.) The next publish connects anew.

        Aborting is done on a background thread, so the caller answers without waiting for it."""
        with self._state:
            if self._producer is not producer:
                return  # another caller dropped it already
            self._producer = None
        threading.Thread(target=_abort, args=(producer,), name=f"{self.client_id}-discard", daemon=True).start()

    def close(self) -> None:
        with self._state:
            producer, self._producer = self._producer, None
        if producer is not None:
            producer.close(timeout=self.timeout_s)


def _abort(producer: KafkaProducer) -> None:
    """Close a producer without sending the records it still buffers."""
    try:
        producer.close(timeout=0)
    except KafkaError:
        # kafka-python 3.0.12's close() flushes first and raises on the timeout before it would
        # force-close; abort the buffered batches ourselves so they are never sent late.
        sender = getattr(producer, "_sender", None)
        if sender is not None:
            sender.force_close()

