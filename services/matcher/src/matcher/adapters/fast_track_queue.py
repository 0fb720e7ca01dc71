"""The re-placement fast track's queue in Redis (issue 20.3), a mixin of `RedisRoundStore`.

`matcher:fast_track:{region}:{period}` is a sorted set student_ref -> the moment they were queued (the first one
kept), and `matcher:fast_track:queues` the set of "region|period" with a queue. Queueing is written with the
event's processed marker (through the store's `_apply`), so a redelivered event queues nobody twice.
Imports redis and the matcher's keys.
"""

from __future__ import annotations

from typing import Callable, Sequence

import redis
from redis.client import Pipeline

from .keys import Keys


class RedisFastTrackQueue:
    """Queue, list and unqueue fast-track students; the store provides `client`, `keys` and `_apply`."""

    client: redis.Redis
    keys: Keys
    _apply: Callable[[str, Callable[[Pipeline], object]], bool]

    def queue_fast_track(self, event_id: str, region_id: str, period_id: str, student_refs: Sequence[str],
                         at_epoch: float) -> bool:
        def write(pipe: Pipeline) -> None:
            pipe.sadd(self.keys.fast_track_queues(), f"{region_id}|{period_id}")
            pipe.zadd(self.keys.fast_track(region_id, period_id), {ref: at_epoch for ref in student_refs}, nx=True)
        return self._apply(event_id, write) if student_refs else False

    def queued_fast_tracks(self, before_epoch: float) -> list[tuple[str, str, list[str]]]:
        out = []
        for member in sorted(m.decode() for m in self.client.smembers(self.keys.fast_track_queues())):
            region_id, period_id = member.split("|", 1)
            refs = [r.decode() for r in self.client.zrangebyscore(self.keys.fast_track(region_id, period_id),
                                                                  "-inf", before_epoch)]
            if refs:
                out.append((region_id, period_id, sorted(refs)))
        return out

    def unqueue_fast_track(self, region_id: str, period_id: str, student_refs: Sequence[str]) -> None:
        if student_refs:
            self.client.zrem(self.keys.fast_track(region_id, period_id), *student_refs)
