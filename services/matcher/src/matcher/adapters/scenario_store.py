"""The scenario store (issue 16.4): in Redis for the service, in memory for unit tests.

Redis keys (`keys.py`), all under `matcher:scenario:` (or MATCHER_KEY_PREFIX) and never a live key: `matcher:scenario:{id}` hash (meta,
settings, status, progress, total, results, error, finished_at), `matcher:scenario:{id}:base:{wishes|places|
fixed|exclusions}` hashes (the copied pool, in the projection's own codec), `matcher:scenario:region:{r}`
sorted set of the region's scenarios (by creation), `matcher:scenario:queue` list of scenarios to run.
The copy is made from a pool the live store loaded: the live keys are only read.
Imports redis, the matcher's codec, ports and records.
"""

from __future__ import annotations

import time
from dataclasses import replace

import redis

from ..ports import AbstractScenarioStore
from ..rounds.pool import Pool
from ..scenarios.record import ScenarioRecord, record_fields, record_from_fields
from . import codec
from .keys import PREFIX, Keys

OPTIONAL = ("results", "error", "finished_at", "started_at")


class RedisScenarioStore(AbstractScenarioStore):
    """Scenarios in Redis, apart from the live projections."""

    def __init__(self, client: redis.Redis, prefix: str = PREFIX):
        self.client = client
        self.keys = Keys(prefix)

    def create(self, record: ScenarioRecord, pool: Pool) -> None:
        key = self.keys.scenario(record.scenario_id)
        tables = {
            "wishes": {w.student_ref: codec.dump_wish(w) for w in pool.wishes},
            "places": {p.place_id: codec.dump_place(p) for p in pool.places},
            "fixed": {k: codec.dump_record(v) for k, v in pool.fixed.items()},
            "exclusions": {k: codec.dump_record(v) for k, v in pool.exclusions.items()},
        }
        with self.client.pipeline(transaction=True) as pipe:
            for table, mapping in tables.items():
                if mapping:
                    pipe.hset(f"{key}:base:{table}", mapping=mapping)
            pipe.hset(key, mapping=record_fields(record))
            pipe.zadd(self.keys.scenarios(record.region_id), {record.scenario_id: time.time()})
            pipe.execute()

    def get(self, scenario_id: str) -> ScenarioRecord | None:
        raw = self.client.hgetall(self.keys.scenario(scenario_id))
        if b"meta" not in raw:
            return None
        return record_from_fields({k.decode(): v.decode() for k, v in raw.items()})

    def list_for(self, region_id: str) -> list[ScenarioRecord]:
        ids = [i.decode() for i in self.client.zrevrange(self.keys.scenarios(region_id), 0, -1)]
        return [r for r in map(self.get, ids) if r is not None]

    def base_pool(self, scenario_id: str) -> Pool:
        key = self.keys.scenario(scenario_id)
        record = self.get(scenario_id)
        if record is None:
            raise KeyError(scenario_id)
        with self.client.pipeline(transaction=True) as pipe:
            for table in ("wishes", "places", "fixed", "exclusions"):
                pipe.hgetall(f"{key}:base:{table}")
            wishes, places, fixed, exclusions = pipe.execute()
        return Pool(record.region_id, record.period_id, None,
                    tuple(codec.load_wishes(wishes.values())), tuple(codec.load_places(places.values())),
                    {k.decode(): codec.load_fixed(v) for k, v in fixed.items()},
                    {k.decode(): codec.load_exclusion(v) for k, v in exclusions.items()})

    def _write(self, pipe: redis.client.Pipeline, record: ScenarioRecord) -> None:
        key = self.keys.scenario(record.scenario_id)
        fields = record_fields(record)
        stale = [f for f in OPTIONAL if f not in fields]
        if stale:
            pipe.hdel(key, *stale)
        pipe.hset(key, mapping=fields)

    def save(self, record: ScenarioRecord) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            self._write(pipe, record)
            pipe.execute()

    def enqueue(self, record: ScenarioRecord) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            self._write(pipe, record)
            pipe.rpush(self.keys.scenario_queue(), record.scenario_id)
            pipe.execute()

    def claim(self) -> str | None:
        raw = self.client.lpop(self.keys.scenario_queue())
        return raw.decode() if raw else None


class InMemoryScenarioStore(AbstractScenarioStore):
    """Scenarios in dictionaries (unit tests): the same behaviour as the Redis store."""

    def __init__(self) -> None:
        self.records: dict[str, ScenarioRecord] = {}
        self.pools: dict[str, Pool] = {}
        self.queue: list[str] = []

    def create(self, record: ScenarioRecord, pool: Pool) -> None:
        self.records[record.scenario_id] = record
        self.pools[record.scenario_id] = replace(pool, sector=None)

    def get(self, scenario_id: str) -> ScenarioRecord | None:
        return self.records.get(scenario_id)

    def list_for(self, region_id: str) -> list[ScenarioRecord]:
        return [r for r in reversed(self.records.values()) if r.region_id == region_id]

    def base_pool(self, scenario_id: str) -> Pool:
        return self.pools[scenario_id]

    def save(self, record: ScenarioRecord) -> None:
        self.records[record.scenario_id] = record

    def enqueue(self, record: ScenarioRecord) -> None:
        self.save(record)
        self.queue.append(record.scenario_id)

    def claim(self) -> str | None:
        return self.queue.pop(0) if self.queue else None
