"""The release scheduler: a thread that publishes each approved round at its release moment.

Every `poll_s` seconds (and once at start) it asks `handlers.release_due_rounds`, which publishes every
part of a due round with deterministic ids and then marks it released; a crash in between publishes the
same events again, which consumers deduplicate. The clock is injectable (Services.clock) for tests.
Imports the standard library and handlers.
"""

from __future__ import annotations

import logging
import threading

from stagepool_shared.redis import TRANSIENT_ERRORS

from .. import handlers

logger = logging.getLogger(__name__)


class ReleaseScheduler:
    """Runs `release_due_rounds` until `stop` is set."""

    def __init__(self, svc: handlers.Services, stop: threading.Event, poll_s: float = 1.0):
        self.svc = svc
        self.stop = stop
        self.poll_s = poll_s
        self._thread = threading.Thread(target=self.run, name="release-scheduler", daemon=True)

    def start(self) -> "ReleaseScheduler":
        self._thread.start()
        return self

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def run(self) -> None:
        logger.info("release scheduler running (every %.1fs)", self.poll_s)
        while not self.stop.is_set():
            self.tick()
            self.stop.wait(self.poll_s)

    def tick(self) -> list[str]:
        """One pass; a transient error (Kafka or Redis away) is logged and retried on the next pass."""
        try:
            return handlers.release_due_rounds(self.svc)
        except TRANSIENT_ERRORS as err:
            logger.warning("release pass failed, retrying: %s", err)
            return []
