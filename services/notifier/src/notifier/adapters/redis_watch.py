"""The notifier's two watch lists in Redis, a part of RedisStore: `{p}:awaiting` (placed students by the
moment of their reminder) and `{p}:overdue` (by their answer deadline). A due member is moved atomically
into the delivery queue (its reminder or the school's deadline note), so each goes out once. Imports redis
and the domain.
"""

from __future__ import annotations

from typing import Callable

import redis
from redis.client import Pipeline

from ..domain.model import DeliveryId

SEP = "|"  # never part of an id (ID_PATTERN), so members with two ids split safely


class WatchLists:
    """Reminders and deadline notes over the store's client, key maker and delivery writer."""

    client: redis.Redis
    _k: Callable[..., str]
    _add_deliveries: Callable[[Pipeline, list[DeliveryId], float], None]

    def due_reminders(self, now: float, limit: int) -> list[tuple[str, str]]:
        return self._due(self._k("awaiting"), now, limit)

    def schedule_reminder(self, round_id: str, student_ref: str, deliveries: list[DeliveryId], due: float) -> bool:
        return self._schedule(self._k("awaiting"), f"{round_id}{SEP}{student_ref}", deliveries, due)

    def drop_reminder(self, round_id: str, student_ref: str) -> None:
        self.client.zrem(self._k("awaiting"), f"{round_id}{SEP}{student_ref}")

    def due_overdue(self, now: float, limit: int) -> list[tuple[str, str]]:
        return self._due(self._k("overdue"), now, limit)

    def schedule_overdue(self, round_id: str, student_ref: str, deliveries: list[DeliveryId], due: float) -> bool:
        return self._schedule(self._k("overdue"), f"{round_id}{SEP}{student_ref}", deliveries, due)

    def drop_overdue(self, round_id: str, student_ref: str) -> None:
        self.client.zrem(self._k("overdue"), f"{round_id}{SEP}{student_ref}")

    def _due(self, watch: str, now: float, limit: int) -> list[tuple[str, str]]:
        members = self.client.zrangebyscore(watch, "-inf", now, start=0, num=limit)
        return [tuple(m.decode().split(SEP, 1)) for m in members]  # type: ignore[misc]

    def _schedule(self, watch: str, member: str, deliveries: list[DeliveryId], due: float) -> bool:
        """Move `member` off the `watch` zset and create its deliveries, atomically; False when it is gone."""
        with self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(watch)
                    if pipe.zscore(watch, member) is None:
                        pipe.unwatch()
                        return False  # another process scheduled it, or the student answered
                    pipe.multi()
                    pipe.zrem(watch, member)
                    self._add_deliveries(pipe, deliveries, due)
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue
