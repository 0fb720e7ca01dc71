"""The matcher's Kafka consumer: the shared ConsumerLoop over topics.MATCHER calling `handlers.handle`.
Imports the shared kafka/topics modules and handlers."""

from __future__ import annotations

import threading

from stagepool_shared import topics
from stagepool_shared.envelope import Envelope
from stagepool_shared.kafka import ConsumerLoop, ConsumerOptions, EventPublisher

from .. import handlers


def make_consumer(bootstrap: str, svc: handlers.Services, publisher: EventPublisher, stop: threading.Event,
                  group: topics.ConsumerGroup = topics.MATCHER,
                  options: ConsumerOptions | None = None) -> ConsumerLoop:
    """A consumer loop handing every event of the matcher's topics to its handler."""

    def handle(envelope: Envelope) -> None:
        handlers.handle(envelope, svc)

    return ConsumerLoop(bootstrap, group.group_id, group.topics, handle, publisher, stop, options)
