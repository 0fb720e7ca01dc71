"""Background loops of the notifier: sender threads, the reminder scheduler and the outbox relay.

Each loop runs until the stop event is set; a transient error (Redis restarting, Kafka down) is logged
and the loop waits and tries again, so nothing is lost and the process keeps serving. Imports the
dispatcher, handlers and shared plumbing.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable

from stagepool_shared.errors import PublishFailed
from stagepool_shared.redis import TRANSIENT_ERRORS

from .. import handlers
from ..bootstrap import Notifier

logger = logging.getLogger(__name__)

_RETRYABLE = TRANSIENT_ERRORS + (PublishFailed,)


#: Set when a loop died of an unexpected error: the process stops (and exits non-zero) so that its
#: supervisor restarts it, instead of serving on with a dead sender.
crashed = threading.Event()


def _loop(name: str, step: Callable[[], int], stop: threading.Event, idle_s: float) -> None:
    """Run `step` until stopped; wait `idle_s` when it did nothing or failed transiently."""
    while not stop.is_set():
        try:
            done = step()
        except _RETRYABLE as err:
            logger.warning("%s: transient error %s; retrying", name, err)
            done = 0
            stop.wait(max(idle_s, 1.0))
        except Exception:
            logger.exception("%s: unexpected error; stopping the notifier so it is restarted", name)
            crashed.set()
            stop.set()
            return
        if not done:
            stop.wait(idle_s)


def relay_outbox(notifier: Notifier, limit: int = 500) -> int:
    """Publish events written to the outbox (waiting for Kafka's ack), then drop them from the outbox."""
    store = notifier.deps.store
    items = store.outbox_peek(limit)
    for topic, envelope in items:
        notifier.publisher.publish(envelope, topic=topic)
    if items:
        store.outbox_ack(len(items))
    return len(items)


def _remind(notifier: Notifier) -> int:
    """Schedule due reminders; returns 0 so the loop always waits its interval before looking again."""
    handlers.schedule_due_reminders(notifier.deps)
    return 0


def start_workers(notifier: Notifier, stop: threading.Event) -> list[threading.Thread]:
    """Start the sender threads, the reminder loop and the outbox relay as daemon threads."""
    s = notifier.settings
    loops: list[tuple[str, Callable[[], int], float]] = [
        (f"sender-{i}", notifier.dispatcher.run_once, s.idle_wait_s) for i in range(s.sender_threads)]
    loops.append(("reminders", lambda: _remind(notifier), s.reminder_interval_s))
    loops.append(("outbox", lambda: relay_outbox(notifier), s.idle_wait_s))
    threads = []
    for name, step, idle in loops:
        thread = threading.Thread(target=_loop, args=(name, step, stop, idle), name=name, daemon=True)
        thread.start()
        threads.append(thread)
    return threads
