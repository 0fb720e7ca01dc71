"""The intake consumer: records which students were released, so the notifier may ask for their contact data
(handlers.record_release). Builds the shared ConsumerLoop over `handlers.handle`; the shared runtime runs it.
Imports the shared kafka and topics modules and the handlers.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING

from stagepool_shared import kafka, topics

from ..handlers import handle

if TYPE_CHECKING:
    from ..bootstrap import Wiring


def make_consumer(wiring: Wiring, stop: threading.Event, options: kafka.ConsumerOptions | None = None,
                  group: topics.ConsumerGroup | None = None) -> kafka.ConsumerLoop:
    """A consumer loop over the group's topics (by default the configured group, INTAKE_CONSUMER_GROUP, on
    topics.INTAKE's topics), handing each event with the wiring's deps to the handlers."""
    group = group or topics.ConsumerGroup(wiring.settings.common.consumer_group, topics.INTAKE.topics)
    return kafka.ConsumerLoop(wiring.settings.common.kafka_bootstrap_servers, group.group_id, group.topics,
                              functools.partial(handle, deps=wiring.deps), wiring.dead_letters(), stop, options)
