"""The reporting consumer: the REPORTING group reads every topic into reporting's projections.

Builds the shared ConsumerLoop (commit after handling, dead letters with a reason, retries of transient errors)
over `handlers.handle`; `stagepool_shared.runtime.serve` runs it in a thread of its own. Imports
stagepool_shared.kafka and topics, and the handlers.
"""

from __future__ import annotations

import functools
import threading
from typing import TYPE_CHECKING

from stagepool_shared import kafka, topics

from ..handlers import handle

if TYPE_CHECKING:
    from ..bootstrap import Wiring


def make_consumer(wiring: "Wiring", stop: threading.Event, options: kafka.ConsumerOptions | None = None,
                  group: topics.ConsumerGroup | None = None) -> kafka.ConsumerLoop:
    """A consumer loop over the group's topics (by default the configured group, REPORTING_CONSUMER_GROUP, on
    topics.REPORTING's topics), handing each event with the wiring's deps to the handlers."""
    group = group or topics.ConsumerGroup(wiring.settings.common.consumer_group, topics.REPORTING.topics)
    return kafka.ConsumerLoop(wiring.settings.common.kafka_bootstrap_servers, group.group_id, group.topics,
                              functools.partial(handle, deps=wiring.deps), wiring.deps.publisher, stop, options)
