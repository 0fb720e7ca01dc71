"""The notifier's Kafka consumer: its consumer group's topics through the shared ConsumerLoop.

Invalid events go to the dead-letter topic with the reason (ConsumerLoop); handlers are idempotent on the
event id. Imports the shared kafka module and the handlers.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import TYPE_CHECKING

from stagepool_shared import topics
from stagepool_shared.kafka import ConsumerLoop, ConsumerOptions

from .. import handlers

if TYPE_CHECKING:
    from ..bootstrap import Wiring


def make_consumer(wiring: Wiring, stop: threading.Event, options: ConsumerOptions | None = None,
                  group: topics.ConsumerGroup | None = None) -> ConsumerLoop:
    """A consumer loop over the group's topics (by default the configured group and topics, topics.NOTIFIER
    unless configured otherwise), handing each event with the wiring's deps to the handlers."""
    s = wiring.settings
    group = group or topics.ConsumerGroup(s.common.consumer_group, s.topic_names)
    return ConsumerLoop(s.common.kafka_bootstrap_servers, group.group_id, group.topics,
                        partial(handlers.handle, deps=wiring.deps), wiring.deps.publisher, stop, options)
