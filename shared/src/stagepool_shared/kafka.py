"""The only module that imports kafka-python: topics, the acks=all publisher, the consumer loop, reading a log.

Producer: acks=all with idempotence, keyed by the envelope's partition key (the region), and `publish`
waits for the broker's acknowledgement within one deadline (its own timeout, or the request's deadline from
stagepool_shared.deadline if sooner), so a caller never reports as accepted what Kafka did not store and
always has its answer in time. Consumer loop: manual commit after the handler succeeded, earliest offset for
a new group, undecodable or invalid messages to `<topic>.dlq` with the reason, bounded retry with backoff for
transient errors (then the process crashes and its supervisor restarts it), except that Kafka itself being
away never ends the loop (the consumer is recreated until the broker answers), clean stop on SIGTERM.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Sequence

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError, KafkaTimeoutError, TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata

from . import deadline, metrics, registry, topics
from .envelope import Envelope
from .errors import InvalidEvent, PublishFailed
from .events.deadletter import DeadLetter
from .logging import log_context
from .redis import TRANSIENT_ERRORS

logger = logging.getLogger(__name__)

Handler = Callable[[Envelope], None]


#: The longest a client waits between two connection attempts to a broker. kafka-python's default (30 s; the
#: Java client's is 1 s) grows during an outage and then lets consumers sit up to half a minute after the
#: broker is back before they reconnect, find their group coordinator and rejoin.
RECONNECT_BACKOFF_MAX_MS = 1_000
#: The most records of one publish waiting in the producer at once. kafka-python expires a record that has
#: waited delivery_timeout_ms since its batch was created, so a whole 50,000-row import handed over at once
#: would expire its tail; with this window a record waits a fraction of a second.
SEND_WINDOW = 2_000

#: kafka-python's network client class (its `kafka_client` option), wrapped by `_network_clients`.
_NETWORK_CLIENT = KafkaConsumer.DEFAULT_CONFIG["kafka_client"]


@contextmanager
def _network_clients() -> Iterator[Callable[..., object]]:
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


def ensure_topics(bootstrap: str, names: Iterable[str] = topics.ALL_TOPICS + topics.ALL_DLQ_TOPICS,
                  partitions: int = 3, timeout_s: float = 30.0) -> None:
    """Create the topics that do not exist yet (idempotent; the broker does not auto-create topics)."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="stagepool-admin",
                             request_timeout_ms=int(timeout_s * 1000))
    try:
        existing = set(admin.list_topics())
        missing = {name: {"num_partitions": partitions, "replication_factor": 1,
                          "configs": {"min.insync.replicas": "1"}}
                   for name in names if name not in existing}
        if missing:
            try:
                admin.create_topics(missing, timeout_ms=int(timeout_s * 1000), wait_for_metadata=True)
            except TopicAlreadyExistsError:
                pass  # another service created them at the same moment
            logger.info("created topics %s", sorted(missing))
    finally:
        admin.close()


def broker_reachable(bootstrap: str, timeout_s: float = 2.0) -> bool:
    """True when the cluster answers a metadata request within the timeout (for /readyz)."""
    try:
        with _network_clients() as network_client:
            admin = KafkaAdminClient(bootstrap_servers=bootstrap, client_id="stagepool-ready",
                                     request_timeout_ms=int(timeout_s * 1000),
                                     bootstrap_timeout_ms=int(timeout_s * 1000), kafka_client=network_client,
                                     reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS)
    except KafkaError:
        return False
    try:
        admin.describe_cluster()
        return True
    except KafkaError:
        return False
    finally:
        admin.close()


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


@dataclass
class ConsumerOptions:
    """How a consumer loop behaves; the defaults are the production policy."""

    poll_timeout_ms: int = 500
    max_poll_records: int = 200
    retry_attempts: int = 5
    retry_backoff_s: float = 0.2
    session_timeout_ms: int = 10_000
    max_poll_interval_ms: int = 600_000
    #: After this long without a record while behind the log end (or without any assigned partition),
    #: the consumer is considered stuck and is recreated (seen after a broker restart: a consumer that
    #: keeps failing to find its group coordinator).
    stuck_after_s: float = 45.0
    #: How long creating a consumer waits for the broker to answer before the attempt counts as failed.
    connect_timeout_s: float = 10.0
    #: The longest pause between two attempts while Kafka keeps failing (the pause doubles from
    #: `retry_backoff_s` up to this); the loop tries again for as long as it runs, it never gives up.
    reconnect_max_s: float = 10.0
    #: The most closing a consumer may take (leaving the group, when the broker is gone).
    close_timeout_s: float = 5.0


def make_consumer(bootstrap: str, group_id: str, topic_names: Sequence[str],
                  options: ConsumerOptions | None = None) -> KafkaConsumer:
    """A consumer of the group over the topics, manual commits, earliest offset for a new group.

    Raises KafkaError (KafkaTimeoutError) when the broker did not answer within `connect_timeout_s`; what the
    attempt had opened (its network thread and sockets) is closed then, so retrying leaks nothing.
    """
    options = options or ConsumerOptions()
    with _network_clients() as network_client:
        consumer = KafkaConsumer(
            *topic_names, bootstrap_servers=bootstrap, group_id=group_id, client_id=group_id,
            enable_auto_commit=False, auto_offset_reset="earliest",
            max_poll_records=options.max_poll_records,
            session_timeout_ms=options.session_timeout_ms, heartbeat_interval_ms=options.session_timeout_ms // 4,
            max_poll_interval_ms=options.max_poll_interval_ms,
            max_partition_fetch_bytes=8 * 1024 * 1024,
            bootstrap_timeout_ms=int(options.connect_timeout_s * 1000),
            reconnect_backoff_max_ms=RECONNECT_BACKOFF_MAX_MS,
            kafka_client=network_client,
        )
        _load_partitions(consumer, topic_names)
        return consumer


def _load_partitions(consumer: KafkaConsumer, topic_names: Sequence[str]) -> None:
    """Have the subscribed topics' partitions in the consumer's metadata before its first join.

    Without this, kafka-python 3.0.12 may join before its first metadata answer and assign itself nothing;
    it then rejoins when the metadata arrives, and when a poll times out during that rejoin, the
    assignment the rejoin brings is dropped: the consumer stays in the group without a partition
    (tried on this machine with 5 ms polls: 30 of 30 fresh consumers stuck, 14 of 30 with the CPUs busy;
    none with this step). The watchdog in ConsumerLoop would recreate it only after `stuck_after_s`.
    """
    for name in topic_names:
        consumer.partitions_for_topic(name)  # fetches the metadata when it is not cached yet


class ConsumerLoop:
    """Runs a handler over a consumer group's topics until `stop` is set.

    Per message: decode -> handle (retrying transient errors with backoff) -> on InvalidEvent or any other
    handler error, publish a dead letter with the reason. Offsets are committed after the batch was
    handled, so a crash before the commit redelivers: handlers must be idempotent (stagepool_shared.redis).

    Kafka being away never ends the loop: when the consumer cannot be created, a Kafka call fails, or an
    event cannot be published (PublishFailed, from a handler or a dead letter), the consumer is closed and
    a new one is created after a pause (doubling up to `reconnect_max_s`); the records not yet committed
    come again. Any other error that outlives its retries (Redis away too long, a bug) propagates, and the
    process exits so that its supervisor restarts it.
    """

    def __init__(self, bootstrap: str, group_id: str, topic_names: Sequence[str], handle: Handler,
                 publisher: EventPublisher, stop: threading.Event, options: ConsumerOptions | None = None):
        self.bootstrap = bootstrap
        self.group_id = group_id
        self.topic_names = tuple(topic_names)
        self.handle = handle
        self.publisher = publisher
        self.stop = stop
        self.options = options or ConsumerOptions()
        self.handled = 0
        self.batches = 0

    def run(self) -> None:
        """Consume until `stop` is set, recreating the consumer whenever it is stuck or Kafka failed it."""
        pause = self.options.retry_backoff_s
        while not self.stop.is_set():
            batches = self.batches
            failure = self._consume_with_one_consumer()
            if failure is None or self.batches > batches:
                pause = self.options.retry_backoff_s
            if failure is not None and not self.stop.is_set():
                logger.warning("consumer %s: Kafka failed (%s); trying again in %.1fs", self.group_id, failure, pause)
                self.stop.wait(pause)
                pause = min(pause * 2, self.options.reconnect_max_s)
        logger.info("consumer %s stopped", self.group_id)

    def _consume_with_one_consumer(self) -> Exception | None:
        """Create a consumer and consume until it is stuck (None) or Kafka failed (the error); close it."""
        try:
            consumer = make_consumer(self.bootstrap, self.group_id, self.topic_names, self.options)
        except KafkaError as err:
            return err
        logger.info("consumer %s reading %s", self.group_id, ",".join(self.topic_names))
        try:
            self._consume_until_stuck(consumer)
            return None
        except (KafkaError, PublishFailed) as err:
            metrics.CONSUMER_RESTARTS.labels(self.group_id).inc()
            return err
        finally:
            self._close(consumer)

    def _close(self, consumer: KafkaConsumer) -> None:
        try:
            consumer.close(autocommit=False, timeout_ms=int(self.options.close_timeout_s * 1000))
        except KafkaError as err:  # the broker is gone; the group drops the member when its session ends
            logger.warning("closing the consumer of %s failed: %s", self.group_id, err)

    def _consume_until_stuck(self, consumer: KafkaConsumer) -> None:
        last_progress = time.monotonic()
        while not self.stop.is_set():
            batch = consumer.poll(timeout_ms=self.options.poll_timeout_ms)
            if batch:
                self._process_batch(consumer, batch)
                self.batches += 1
                last_progress = time.monotonic()
            elif time.monotonic() - last_progress > self.options.stuck_after_s:
                if self._is_stuck(consumer):
                    metrics.CONSUMER_RESTARTS.labels(self.group_id).inc()
                    logger.warning("consumer %s made no progress for %.0fs; recreating it",
                                   self.group_id, self.options.stuck_after_s)
                    return
                last_progress = time.monotonic()

    def _is_stuck(self, consumer: KafkaConsumer) -> bool:
        """No partition assigned, or records waiting that were not fetched."""
        assigned = list(consumer.assignment())
        if not assigned:
            return True
        try:
            ends = consumer.end_offsets(assigned, timeout_ms=5_000)
            return any(consumer.position(tp, timeout_ms=5_000) < ends[tp] for tp in assigned)
        except KafkaError:
            return False  # the broker itself is unreachable: recreating the consumer would not help

    def _process_batch(self, consumer: KafkaConsumer, batch: dict) -> None:
        done: dict[TopicPartition, OffsetAndMetadata] = {}
        try:
            for tp, records in batch.items():
                for record in records:
                    self._process_record(record)
                    done[tp] = OffsetAndMetadata(record.offset + 1, "", -1)
        finally:
            if done:
                self._commit(consumer, done)

    def _commit(self, consumer: KafkaConsumer, offsets: dict) -> None:
        try:
            consumer.commit(offsets)
        except KafkaError as err:
            # Not fatal: the records come again and idempotent handlers ignore them.
            logger.warning("commit failed for %s: %s", self.group_id, err)

    def _process_record(self, record) -> None:
        try:
            envelope = registry.decode(record.value)
        except InvalidEvent as err:
            self._dead_letter(record, err.reason, "InvalidEvent")
            return
        with log_context(event_id=envelope.event_id, correlation_id=envelope.correlation_id,
                         event_type=envelope.event_type):
            outcome = self._handle_with_retry(envelope, record)
            metrics.EVENTS_CONSUMED.labels(self.group_id, envelope.event_type, outcome).inc()

    def _handle_with_retry(self, envelope: Envelope, record) -> str:
        delay = self.options.retry_backoff_s
        for attempt in range(1, self.options.retry_attempts + 1):
            try:
                with metrics.HANDLER_SECONDS.labels(self.group_id).time():
                    self.handle(envelope)
                self.handled += 1
                return "handled"
            except TRANSIENT_ERRORS as err:
                if attempt == self.options.retry_attempts:
                    logger.error("giving up after %d attempts: %s", attempt, err)
                    raise
                metrics.TRANSIENT_RETRIES.labels(self.group_id).inc()
                logger.warning("transient error (attempt %d): %s; retrying in %.1fs", attempt, err, delay)
                self.stop.wait(delay)
                delay = min(delay * 2, 5.0)
            except InvalidEvent as err:
                self._dead_letter(record, err.reason, "InvalidEvent")
                return "dead_letter"
            except Exception as err:  # a handler bug or a poison payload: park it, never skip silently
                logger.exception("handler failed; sending to the dead-letter topic")
                self._dead_letter(record, f"{err.__class__.__name__}: {err}", err.__class__.__name__)
                return "dead_letter"
        return "handled"  # unreachable: the loop returns or raises

    def _dead_letter(self, record, reason: str, error_type: str) -> None:
        letter = DeadLetter(
            original_topic=record.topic, partition=record.partition, offset=record.offset,
            consumer_group=self.group_id, reason=reason[:2000], error_type=error_type,
            raw_base64=base64.b64encode(record.value or b"").decode(),
            key=record.key.decode("utf-8", "replace") if record.key else None,
        )
        from .envelope import new_envelope  # local: avoids a cycle at import time

        envelope = new_envelope("dead_letter", letter, producer=self.group_id,
                                partition_key=letter.key or record.topic)
        self.publisher.publish(envelope, topic=topics.dlq(record.topic))
        metrics.DEAD_LETTERS.labels(record.topic, self.group_id).inc()
        logger.warning("dead-lettered %s[%d]@%d: %s", record.topic, record.partition, record.offset, reason[:200])


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
