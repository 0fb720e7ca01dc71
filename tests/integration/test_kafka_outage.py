"""The shared Kafka plumbing while the real broker is stopped (docs/reliability.md, 3b-2).

A publish gives up within its deadline, however many callers wait at once and whether the producer still
has its connection or has to connect anew; under a request deadline it gives up within that. A consumer loop
that has to create its consumer while the broker is down waits for the broker instead of ending (it used to
end with KafkaTimeoutError "Unable to bootstrap", which stopped the whole service process).

Each test stops the session's broker and restarts it in a `finally`, like test_intake_faults.py.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid

import pytest

from stagepool_shared import deadline, topics
from stagepool_shared.envelope import new_envelope
from stagepool_shared.errors import PublishFailed
from stagepool_shared.kafka import ConsumerLoop, ConsumerOptions, EventPublisher, ensure_topics
from stagepool_shared.testing import at_once, wait_until
from stagepool_shared.testing.samples import sample_payload

pytestmark = [pytest.mark.integration, pytest.mark.faults]

TIMEOUT_S = 2.0
#: Thread scheduling on a busy two-core machine; far below what a blocking step would add (>= 0.5 s).
SLACK_S = 0.25
CALLERS = 6


@pytest.fixture
def topic(kafka_server):
    name = f"test.outage.{uuid.uuid4().hex[:8]}"
    ensure_topics(kafka_server.bootstrap, [name, topics.dlq(name)], partitions=1)
    return name


def wish_event():
    return new_envelope("wish.submitted", sample_payload("wish.submitted"), producer="test",
                        partition_key="reg-groningen")


def timed_publish(publisher: EventPublisher, topic: str) -> tuple[float, BaseException | None]:
    started = time.monotonic()
    try:
        publisher.publish(wish_event(), topic=topic)
        return time.monotonic() - started, None
    except BaseException as err:  # the test looks at what each caller got
        return time.monotonic() - started, err


def publish_together(publisher: EventPublisher, topic: str, callers: int) -> list[tuple[float, BaseException | None]]:
    """`callers` threads publish at the same moment; (seconds taken, error) of each."""
    return at_once([lambda: timed_publish(publisher, topic)] * callers)


def test_publishes_to_a_stopped_broker_fail_within_their_deadline_even_when_they_must_reconnect(kafka_server, topic):
    publisher = EventPublisher(kafka_server.bootstrap, "outage-test", timeout_s=TIMEOUT_S)
    publisher.publish(wish_event(), topic=topic)  # connected
    kafka_server.stop()
    try:
        connected = publish_together(publisher, topic, CALLERS)  # the producer's sends time out
        reconnecting = publish_together(publisher, topic, CALLERS)  # a new producer must connect first
        with deadline.within(0.6):  # a request that already spent most of its budget elsewhere
            late = timed_publish(publisher, topic)
    finally:
        kafka_server.restart()
    for seconds, error in connected + reconnecting:
        assert isinstance(error, PublishFailed) and seconds <= TIMEOUT_S + SLACK_S, (seconds, error)
    assert isinstance(late[1], PublishFailed) and late[0] <= 0.6 + SLACK_S, late
    wait_until(lambda: timed_publish(publisher, topic)[1] is None, timeout=90,
               message="the publisher did not recover after the broker restart")
    publisher.close()


class ImpatientLoop(ConsumerLoop):
    """Declares its consumer stuck at every check while `impatient` is set: a stand-in for a consumer that had
    lost its partitions when the broker went away (seen after a broker restart), so the watchdog recreates
    it while the broker is still down."""

    def __init__(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        super().__init__(*args, **kwargs)
        self.impatient = threading.Event()

    def _is_stuck(self, consumer) -> bool:  # noqa: ANN001
        return True if self.impatient.is_set() else super()._is_stuck(consumer)


def test_a_consumer_loop_that_must_reconnect_while_the_broker_is_down_waits_for_it_and_goes_on(
        kafka_server, topic, caplog):
    caplog.set_level(logging.WARNING, logger="stagepool_shared.kafka")
    publisher = EventPublisher(kafka_server.bootstrap, "outage-loop-test", timeout_s=5.0)
    first, later = wish_event(), wish_event()
    publisher.publish(first, topic=topic)
    received: list[str] = []
    ended: list[BaseException] = []
    stop = threading.Event()
    loop = ImpatientLoop(kafka_server.bootstrap, f"g-{topic}", [topic], lambda env: received.append(env.event_id),
                         publisher, stop, ConsumerOptions(poll_timeout_ms=100, stuck_after_s=1.0,
                                                          connect_timeout_s=1.0, reconnect_max_s=1.0,
                                                          close_timeout_s=1.0))

    def run() -> None:
        try:
            loop.run()
        except BaseException as err:  # the test checks that the loop never ends by itself
            ended.append(err)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        wait_until(lambda: first.event_id in received, timeout=60, message="the loop never consumed")
        kafka_server.stop()
        try:
            loop.impatient.set()
            wait_until(lambda: len(failed_attempts(caplog)) >= 2,
                       timeout=60, message="the loop never tried to create a consumer while the broker was down")
            assert thread.is_alive() and not ended
        finally:
            loop.impatient.clear()
            kafka_server.restart()
        wait_until(lambda: published(publisher, later, topic), timeout=90,
                   message="could not publish after the broker restart")
        wait_until(lambda: later.event_id in received, timeout=120,
                   message="the loop did not consume again after the broker restart")
        assert thread.is_alive() and not ended
    finally:
        stop.set()
        thread.join(timeout=30)
        publisher.close()
    assert not thread.is_alive() and not ended


def failed_attempts(caplog) -> list[str]:  # noqa: ANN001
    """The loop's own warnings about creating a consumer while the broker did not answer."""
    return [r.getMessage() for r in caplog.records
            if r.name == "stagepool_shared.kafka" and "Unable to bootstrap" in r.getMessage()]


def published(publisher: EventPublisher, envelope, topic: str) -> bool:  # noqa: ANN001
    try:
        publisher.publish(envelope, topic=topic)
        return True
    except PublishFailed:
        return False
