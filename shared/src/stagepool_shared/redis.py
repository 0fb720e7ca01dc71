"""Redis connection and the idempotent-consumer helper.

`IdempotentApplier.apply_once` writes a service's state change and the marker "event X was processed"
in one MULTI/EXEC (under WATCH of the marker), so a redelivered event changes nothing and a crash never
leaves one without the other. Keys are namespaced by the owning service (`<service>:...`).
"""

from __future__ import annotations

import logging
from typing import Any, Callable, TypeVar

import redis
from redis.client import Pipeline

from .errors import TransientError

logger = logging.getLogger(__name__)

#: Errors a consumer retries with backoff: the server may be restarting.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (
    TransientError, redis.ConnectionError, redis.TimeoutError, redis.BusyLoadingError,
)

PROCESSED_TTL_S = 60 * 60 * 24 * 30

T = TypeVar("T")


def connect(url: str) -> redis.Redis:
    """A client for `url` (connects lazily, on the first command)."""
    return redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=3, health_check_interval=15)


def redis_reachable(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False


class IdempotentApplier:
    """Applies each event's state change at most once per service."""

    def __init__(self, client: redis.Redis, service: str, ttl_s: int = PROCESSED_TTL_S):
        self.client = client
        self.service = service
        self.ttl_s = ttl_s

    def marker(self, event_id: str) -> str:
        return f"{self.service}:processed:{event_id}"

    def was_processed(self, event_id: str) -> bool:
        return bool(self.client.exists(self.marker(event_id)))

    def apply_once(self, event_id: str, write: Callable[[Pipeline, T], Any],
                   read: Callable[[Pipeline], T] | None = None, watch: tuple[str, ...] = ()) -> bool:
        """Run `write` and mark `event_id` processed in one transaction; False if it was processed before.

        `read` (optional) runs first, in immediate mode under WATCH of the marker and `watch` keys, and
        its result is passed to `write`, which queues commands inside MULTI. A concurrent change to a
        watched key restarts the whole step.
        """
        marker = self.marker(event_id)
        with self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(marker, *watch)
                    if pipe.exists(marker):
                        pipe.unwatch()
                        logger.debug("event %s already processed by %s", event_id, self.service)
                        return False
                    state = read(pipe) if read else None
                    pipe.multi()
                    write(pipe, state)  # type: ignore[arg-type]
                    pipe.set(marker, 1, ex=self.ttl_s)
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue
