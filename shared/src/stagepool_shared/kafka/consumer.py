"""The consumer loop: the one place that polls Kafka, commits, retries and dead-letters.

Manual commit after the handler succeeded, earliest offset for a new group, undecodable or invalid messages
to `<topic>.dlq` with the reason, bounded retry with backoff for transient errors (Redis, or a service a
handler calls, away for a moment), clean stop on SIGTERM. Nothing that is away ends the loop: Kafka, Redis or
a called service away for longer closes the consumer, and it is recreated after a pause until the record that
failed is handled (the records not committed come again). Imports kafka-python, the envelope, registry,
topics, metrics, logging and redis (its transient errors) modules, and the dead-letter event.
"""

from __future__ import annotations

import base64
import logging
import threading
import time
from dataclasses import dataclass
from typing import Callable, Sequence

from kafka import KafkaConsumer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import MemberState, OffsetAndMetadata

from .. import metrics, registry, topics
from ..envelope import Envelope, new_envelope
from ..errors import InvalidEvent, PublishFailed
from ..events.deadletter import DeadLetter
from ..logging import log_context
from ..ports import Publisher
from ..redis import TRANSIENT_ERRORS
from .clients import RECONNECT_BACKOFF_MAX_MS, network_clients
from .groups import member_partitions

# The package's one logger name (as before it was split into modules): log lines and filters keep it.
logger = logging.getLogger(__package__)

Handler = Callable[[Envelope], None]


@dataclass
class ConsumerOptions:
    """How a consumer loop behaves; the defaults are the production policy."""

    poll_timeout_ms: int = 500
    max_poll_records: int = 200
    retry_attempts: int = 5
    retry_backoff_s: float = 0.2
    session_timeout_ms: int = 10_000
    max_poll_interval_ms: int = 600_000
    #: After this long without a record while behind the log end (or without any assigned partition, unless
    #: the coordinator gave this stable member none: more instances than partitions), the consumer is
    #: considered stuck and is recreated (seen after a broker restart: a consumer that keeps failing to find
    #: its group coordinator).
    stuck_after_s: float = 45.0
    #: A consumer found behind the log end is looked at again this much later, and recreated only if it is
    #: still behind at the same positions (a record published just before the first look is not fetched yet).
    behind_recheck_s: float = 5.0
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
    with network_clients() as network_client:
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

    Nothing that is away ends the loop: when the consumer cannot be created, a Kafka call fails, an event
    cannot be published (PublishFailed, from a handler or a dead letter), or a transient error (Redis, or a
    service a handler calls) outlives the handler's retries, the consumer is closed and a new one is created
    after a pause (doubling up to `reconnect_max_s`); the records not yet committed come again. Closing it
    leaves the group, so the partitions do not sit with a member that cannot handle them meanwhile.
    """

    def __init__(self, bootstrap: str, group_id: str, topic_names: Sequence[str], handle: Handler,
                 publisher: Publisher, stop: threading.Event, options: ConsumerOptions | None = None):
        self.bootstrap = bootstrap
        self.group_id = group_id
        self.topic_names = tuple(topic_names)
        self.handle = handle
        self.publisher = publisher
        self.stop = stop
        self.options = options or ConsumerOptions()
        self.handled = 0
        self.batches = 0
        #: Partitions the current consumer held at its last poll; how often the watchdog looked at it while it
        #: held none; how often the watchdog recreated a consumer (tests and logs read these).
        self.partitions = 0
        self.idle_checks = 0
        self.recreations = 0
        self._rebalancing = False  # the watchdog's last look found this member in a rebalance
        self._behind: dict[TopicPartition, int] = {}  # positions its last look found behind the log end

    def run(self) -> None:
        """Consume until `stop` is set, recreating the consumer whenever it is stuck or Kafka failed it."""
        pause = self.options.retry_backoff_s
        while not self.stop.is_set():
            batches = self.batches
            failure = self._consume_with_one_consumer()
            if failure is None or self.batches > batches:
                pause = self.options.retry_backoff_s
            if failure is not None and not self.stop.is_set():
                logger.warning("consumer %s: %s failed (%s); trying again in %.1fs", self.group_id,
                               "Kafka" if isinstance(failure, (KafkaError, PublishFailed)) else "a store or service",
                               failure, pause)
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
        except (KafkaError, PublishFailed, *TRANSIENT_ERRORS) as err:
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
        last_batch = time.monotonic()
        next_look, self._behind = last_batch + self.options.stuck_after_s, {}
        while not self.stop.is_set():
            batch = consumer.poll(timeout_ms=self.options.poll_timeout_ms)
            self.partitions = len(consumer.assignment())
            if batch:
                self._process_batch(consumer, batch)
                self.batches += 1
                last_batch = time.monotonic()
                next_look = last_batch + self.options.stuck_after_s
            elif time.monotonic() > next_look:
                if self._is_stuck(consumer):
                    self.recreations += 1
                    metrics.CONSUMER_RESTARTS.labels(self.group_id).inc()
                    logger.warning("consumer %s made no progress for %.0fs; recreating it",
                                   self.group_id, time.monotonic() - last_batch)
                    return
                wait = self.options.behind_recheck_s if self._behind else self.options.stuck_after_s
                next_look = time.monotonic() + wait

    def _is_stuck(self, consumer: KafkaConsumer) -> bool:
        """No partition assigned (unless the group has more members than partitions and this one rightly got
        none), or records waiting that were not fetched, at two looks in a row."""
        assigned = list(consumer.assignment())
        if not assigned:
            self.idle_checks += 1
            return not self._idle_member(consumer)
        try:
            ends = consumer.end_offsets(assigned, timeout_ms=5_000)
            positions = {tp: consumer.position(tp, timeout_ms=5_000) for tp in assigned}
        except KafkaError:
            return False  # the broker itself is unreachable: recreating the consumer would not help
        return self._still_behind({tp: at for tp, at in positions.items() if at < ends[tp]})

    def _still_behind(self, behind: dict[TopicPartition, int]) -> bool:
        """Records waiting that the consumer did not fetch, at the same positions as at the last look. One
        look is not enough: a record published just before it is waiting but not fetched yet (seen in CI: three
        healthy members recreated the moment a batch arrived)."""
        stuck, self._behind = bool(behind) and behind == self._behind, behind
        return stuck

    def _idle_member(self, consumer: KafkaConsumer) -> bool:
        """A stable member to which the coordinator, too, gave no partition: there are more instances than
        partitions, and this one stands by (it takes over partitions at the next rebalance). A member whose
        partitions the coordinator sees but the consumer lost (kafka-python's dropped assignment, see
        `_load_partitions`), or that is not in the group at all, is stuck. A member in a rebalance is waiting
        for its assignment (recreating it would only start another rebalance), but not for two looks in a row."""
        meta = consumer.group_metadata()
        waited, self._rebalancing = self._rebalancing, meta.state is MemberState.REBALANCING
        if self._rebalancing:
            return not waited
        if meta.state is not MemberState.STABLE or not meta.member_id:
            return False
        if member_partitions(self.bootstrap, self.group_id, meta.member_id) != 0:
            return False
        logger.debug("consumer %s (member %s) has no partition and stands by", self.group_id, meta.member_id)
        return True

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
                    logger.error("still failing after %d attempts: %s; the consumer is recreated", attempt, err)
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
        envelope = new_envelope("dead_letter", letter, producer=self.group_id,
                                partition_key=letter.key or record.topic)
        self.publisher.publish(envelope, topic=topics.dlq(record.topic))
        metrics.DEAD_LETTERS.labels(record.topic, self.group_id).inc()
        logger.warning("dead-lettered %s[%d]@%d: %s", record.topic, record.partition, record.offset, reason[:200])
