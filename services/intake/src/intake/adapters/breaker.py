"""A publisher wrapper that fails fast for a few seconds after Kafka failed to acknowledge.

While the broker is down every publish would wait its full timeout (and the first connection attempt of
kafka-python up to 30 s); after one failure, requests in the next `cooldown_s` get PublishFailed at once,
so intake answers 503 with Retry-After quickly instead of holding a thread per request.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Callable, Sequence

from stagepool_shared.envelope import Envelope
from stagepool_shared.errors import PublishFailed
from stagepool_shared.ports import Publisher


class FailFastPublisher:
    """Delegates to `inner`; after a PublishFailed, refuses for `cooldown_s` seconds without trying."""

    def __init__(self, inner: Publisher, cooldown_s: float = 5.0, clock: Callable[[], float] = time.monotonic):
        self.inner = inner
        self.cooldown_s = cooldown_s
        self.clock = clock
        self._open_until = 0.0
        self._lock = threading.Lock()

    def publish(self, envelope: Envelope, topic: str | None = None) -> None:
        self.publish_all([envelope], topic)

    def publish_all(self, envelopes: Sequence[Envelope], topic: str | None = None) -> None:
        with self._lock:
            if self.clock() < self._open_until:
                raise PublishFailed("Kafka failed moments ago; not trying again yet")
        try:
            self.inner.publish_all(envelopes, topic)
        except PublishFailed:
            with self._lock:
                self._open_until = self.clock() + self.cooldown_s
            raise

    def close(self) -> None:
        self.inner.close()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)
