"""The reporting consumer: the REPORTING group reads every topic into reporting's projections.

Runs the shared ConsumerLoop (commit after handling, dead letters with a reason, retries of transient errors)
in a thread of its own. Imports stagepool_shared.kafka and topics only.
"""

from __future__ import annotations

import threading

from stagepool_shared import kafka, topics

from ..bootstrap import Reporting


def consumer_loop(reporting: Reporting, stop: threading.Event,
                  options: kafka.ConsumerOptions | None = None,
                  group: topics.ConsumerGroup = topics.REPORTING) -> kafka.ConsumerLoop:
    """A consumer loop over the group's topics, handing each event to reporting."""
    return kafka.ConsumerLoop(reporting.settings.common.kafka_bootstrap_servers, group.group_id, group.topics,
                              reporting.handle, reporting.publisher, stop, options)


def start_consumer(loop: kafka.ConsumerLoop) -> threading.Thread:
    """Run the loop in a daemon thread; the stop event ends it."""
    thread = threading.Thread(target=loop.run, name="reporting-consumer", daemon=True)
    thread.start()
    return thread
