"""The board's planning lines in Redis (issue 16.3): `reporting:plan:<region>:<kind>` (hash key -> JSON line,
the latest per key), `reporting:plan:regions` (set), `reporting:plan:<region>:threshold`. A line lands with
the processed marker of its event in one MULTI/EXEC (IdempotentApplier), so a redelivered event changes
nothing. Imports redis (through stagepool_shared.redis), the port and the standard library.
"""

from __future__ import annotations

import json

import redis
from redis.client import Pipeline

from stagepool_shared.redis import IdempotentApplier

from ..ports import AbstractPlanningBoard


class RedisPlanningBoard(AbstractPlanningBoard):
    """Planning lines and the warning threshold per region."""

    def __init__(self, client: redis.Redis, applier: IdempotentApplier, prefix: str = "reporting"):
        self.client = client
        self.applier = applier
        self.prefix = prefix

    def _key(self, region_id: str, what: str) -> str:
        return f"{self.prefix}:plan:{region_id}:{what}"

    def put_line(self, event_id: str, region_id: str, kind: str, key: str, line: dict) -> bool:
        def write(pipe: Pipeline, _: None) -> None:
            pipe.hset(self._key(region_id, kind), key, json.dumps(line, sort_keys=True))
            pipe.sadd(f"{self.prefix}:plan:regions", region_id)

        return self.applier.apply_once(event_id, write)

    def drop_lines(self, event_id: str, region_id: str, kind: str, key_prefix: str) -> bool:
        key = self._key(region_id, kind)
        found = [k for k in self.client.hkeys(key) if k.decode().startswith(key_prefix)]

        def write(pipe: Pipeline, _: None) -> None:
            if found:
                pipe.hdel(key, *found)

        return self.applier.apply_once(event_id, write)

    def lines(self, region_id: str, kind: str) -> list[dict]:
        return [json.loads(v) for _, v in sorted(self.client.hgetall(self._key(region_id, kind)).items())]

    def regions(self) -> list[str]:
        return sorted(m.decode() for m in self.client.smembers(f"{self.prefix}:plan:regions"))

    def threshold(self, region_id: str) -> int | None:
        raw = self.client.get(self._key(region_id, "threshold"))
        return int(raw) if raw else None

    def put_threshold(self, region_id: str, threshold: int) -> None:
        self.client.set(self._key(region_id, "threshold"), str(threshold))
