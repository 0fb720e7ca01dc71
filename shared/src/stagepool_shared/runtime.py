"""Process lifetime: a stop event set by SIGTERM/SIGINT, so every loop ends cleanly and closes its clients."""

from __future__ import annotations

import logging
import signal
import threading

logger = logging.getLogger(__name__)


def stop_on_signals() -> threading.Event:
    """An event set when the process receives SIGTERM or SIGINT (call from the main thread)."""
    stop = threading.Event()

    def _handler(signum: int, _frame: object) -> None:
        logger.info("received signal %d, stopping", signum)
        stop.set()

    signal.signal(signal.SIGTERM, _handler)
    signal.signal(signal.SIGINT, _handler)
    return stop
