"""The matcher's Kafka consumer: the shared ConsumerLoop over the matcher's topics calling `handlers.handle`;
the shared runtime runs it. Imports the shared kafka and topics modules and the handlers.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING

from stagepool_shared import topics
from stagepool_shared.kafka import ConsumerLoop, ConsumerOptions

from ..handlers import handle

if TYPE_CHECKING:
    from ..bootstrap import Wiring


def make_consumer(wiring: Wiring, stop: threading.Event, options: ConsumerOptions | None = None,
                  group: topics.ConsumerGroup | None = None) -> ConsumerLoop:
    """A consumer loop over the group's topics (by default the configured group on the matcher's topics),
    handing each event with the wiring's deps to the handlers; dead letters go through the publisher."""
    group = group or topics.ConsumerGroup(wiring.settings.common.consumer_group, topics.MATCHER.topics)
    return ConsumerLoop(wiring.settings.common.kafka_bootstrap_servers, group.group_id, group.topics,
                        functools.partial(handle, deps=wiring.deps), wiring.publisher, stop, options)
