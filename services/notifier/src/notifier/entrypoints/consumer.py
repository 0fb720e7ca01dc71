"""The notifier's Kafka consumer: its consumer group's topics through the shared ConsumerLoop.

Invalid events go to the dead-letter topic with the reason (ConsumerLoop); handlers are idempotent on the
event id. Imports the shared kafka module and the handlers.
"""

from __future__ import annotations

import threading

from stagepool_shared.kafka import ConsumerLoop, ConsumerOptions

from .. import handlers
from ..bootstrap import Notifier


def make_consumer(notifier: Notifier, stop: threading.Event, options: ConsumerOptions | None = None) -> ConsumerLoop:
    """A consumer loop that hands every event of the notifier's topics (topics.NOTIFIER unless configured
    otherwise) to the handlers."""
    deps = notifier.deps
    s = notifier.settings
    return ConsumerLoop(s.common.kafka_bootstrap_servers, s.group_id, s.topic_names,
                        lambda envelope: handlers.handle_event(envelope, deps), notifier.publisher, stop, options)
