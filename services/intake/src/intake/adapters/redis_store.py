"""The Redis adapter of intake's store. Every key lives under the `intake:` namespace (a prefix).

Keys: <p>:period:<id>, <p>:periods (set), <p>:school:<id>, <p>:student:<ref> (personal data),
<p>:wish:<ref>:<period>, <p>:student:<ref>:periods (set), <p>:school:<id>:students (set),
<p>:period:<id>:students (set: the refs with a wish in the period, for the deadline reminders; built for older
wishes once, <p>:migrated:period-index),
<p>:place:<id>, <p>:org:<id>:places (set), <p>:released:<ref>, <p>:released_place:<id> (a released round
placed a student there), <p>:status:<ref> (placement status per period), <p>:idem:<hash> (with a TTL).
Multi-key writes go in one MULTI/EXEC, so a crash never leaves half a command stored.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Sequence

import redis

from stagepool_shared.redis import IdempotentApplier

from ..domain.model import Period, PlaceRecord, School, StoredWrite, Student, WishRecord
from ..domain.status import PlacementStatus, is_pending
from ..ports import AbstractIdempotencyStore, AbstractIntakeStore, AbstractPlacementStatuses, Statuses
from . import codec

RELEASED_TTL_S = 60 * 60 * 24 * 365


class RedisPlacementStatuses(AbstractPlacementStatuses):
    """Placement statuses in Redis: <p>:status:<ref>, a hash period_id -> JSON (issue 14.8)."""

    client: redis.Redis
    prefix: str
    applier: IdempotentApplier

    def _status_key(self, student_ref: str) -> str:
        return f"{self.prefix}:status:{student_ref}"

    def placement_statuses(self, student_ref: str) -> dict[str, PlacementStatus]:
        raw = self.client.hgetall(self._status_key(student_ref))
        return {k.decode(): PlacementStatus.from_dict(json.loads(v)) for k, v in sorted(raw.items())
                if not is_pending(k.decode())}

    def change_placement_statuses(self, marker: str, student_refs: Sequence[str],
                                  change: Callable[[Statuses], Statuses]) -> bool:
        refs = sorted(set(student_refs))

        def read(pipe: Any) -> Statuses:
            return {ref: {k.decode(): PlacementStatus.from_dict(json.loads(v))
                          for k, v in pipe.hgetall(self._status_key(ref)).items()} for ref in refs}

        def write(pipe: Any, current: Statuses) -> None:
            for ref, periods in change(current).items():
                for period_id, status in periods.items():
                    pipe.hset(self._status_key(ref), period_id, json.dumps(status.as_dict()))

        return self.applier.apply_once(marker, write, read, watch=tuple(self._status_key(r) for r in refs))


class RedisIntakeStore(RedisPlacementStatuses, AbstractIntakeStore):
    """Intake's state in Redis."""

    def __init__(self, client: redis.Redis, prefix: str = "intake"):
        self.client = client
        self.prefix = prefix
        self.applier = IdempotentApplier(client, prefix)

    def _k(self, *parts: str) -> str:
        return ":".join((self.prefix, *parts))

    def save_period(self, period: Period) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(self._k("period", period.period_id), codec.dumps(period))
            pipe.sadd(self._k("periods"), period.period_id)
            pipe.execute()

    def get_period(self, period_id: str) -> Period | None:
        raw = self.client.get(self._k("period", period_id))
        return codec.load_period(raw) if raw else None

    def list_periods(self) -> list[Period]:
        ids = sorted(m.decode() for m in self.client.smembers(self._k("periods")))
        raws = self.client.mget([self._k("period", i) for i in ids]) if ids else []
        return [codec.load_period(r) for r in raws if r]

    def save_school(self, school: School) -> None:
        self.client.set(self._k("school", school.school_id), codec.dumps(school))

    def get_school(self, school_id: str) -> School | None:
        raw = self.client.get(self._k("school", school_id))
        return codec.load_school(raw) if raw else None

    def apply(self, write: StoredWrite) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            by_school: dict[str, list[str]] = {}
            for student in write.students:
                pipe.set(self._k("student", student.student_ref), codec.dumps(student))
                by_school.setdefault(student.school_id, []).append(student.student_ref)
            for school_id, refs in by_school.items():
                pipe.sadd(self._k("school", school_id, "students"), *refs)
            for wish in write.wishes:
                pipe.set(self._k("wish", wish.student_ref, wish.period_id), codec.dumps(wish))
                pipe.sadd(self._k("student", wish.student_ref, "periods"), wish.period_id)
                pipe.sadd(self._k("period", wish.period_id, "students"), wish.student_ref)
            for place in write.places:
                pipe.set(self._k("place", place.place_id), codec.dumps(place))
                pipe.sadd(self._k("org", place.organisation_id, "places"), place.place_id)
                pipe.sadd(self._k("period", place.period_id, "places"), place.place_id)
            pipe.execute()

    def get_student(self, student_ref: str) -> Student | None:
        raw = self.client.get(self._k("student", student_ref))
        return codec.load_student(raw) if raw else None

    def get_wish(self, student_ref: str, period_id: str) -> WishRecord | None:
        raw = self.client.get(self._k("wish", student_ref, period_id))
        return codec.load_wish(raw) if raw else None

    def get_wishes(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], WishRecord]:
        found: dict[tuple[str, str], WishRecord] = {}
        for start in range(0, len(keys), 1000):
            chunk = keys[start:start + 1000]
            raws = self.client.mget([self._k("wish", ref, period) for ref, period in chunk])
            found.update({key: codec.load_wish(raw) for key, raw in zip(chunk, raws) if raw})
        return found

    def wishes_of_student(self, student_ref: str) -> list[WishRecord]:
        periods = sorted(m.decode() for m in self.client.smembers(self._k("student", student_ref, "periods")))
        raws = self.client.mget([self._k("wish", student_ref, p) for p in periods]) if periods else []
        return [codec.load_wish(r) for r in raws if r]

    def students_of_school(self, school_id: str) -> list[str]:
        return sorted(m.decode() for m in self.client.smembers(self._k("school", school_id, "students")))

    def wishes_of_period(self, period_id: str) -> list[WishRecord]:
        refs = sorted(m.decode() for m in self.client.smembers(self._k("period", period_id, "students")))
        return [wish for start in range(0, len(refs), 1000) for raw in
                self.client.mget([self._k("wish", ref, period_id) for ref in refs[start:start + 1000]])
                if raw and (wish := codec.load_wish(raw))]

    def index_wishes_by_period(self) -> int:
        """The period index of wishes for the wishes stored before it existed (they were missing from the deadline
        reminders), once per store: a marker key says it ran. SADD is idempotent, so two instances that start
        together do no harm, and a student erased meanwhile is skipped by `wishes_of_period` (no wish key)."""
        marker = self._k("migrated", "period-index")
        if self.client.exists(marker):
            return 0
        added = 0
        for key in self.client.scan_iter(match=self._k("wish", "*"), count=1000):
            _, student_ref, period_id = key.decode().rsplit(":", 2)
            added += self.client.sadd(self._k("period", period_id, "students"), student_ref)
        self.client.set(marker, "1")
        return added

    def erase_student(self, student_ref: str) -> None:
        student = self.get_student(student_ref)
        periods = [m.decode() for m in self.client.smembers(self._k("student", student_ref, "periods"))]
        with self.client.pipeline(transaction=True) as pipe:
            pipe.delete(self._k("student", student_ref), self._k("student", student_ref, "periods"),
                        self._k("released", student_ref), self._status_key(student_ref))
            for period_id in periods:
                pipe.delete(self._k("wish", student_ref, period_id))
                pipe.srem(self._k("period", period_id, "students"), student_ref)
            if student is not None:
                pipe.srem(self._k("school", student.school_id, "students"), student_ref)
            pipe.execute()

    def get_place(self, place_id: str) -> PlaceRecord | None:
        raw = self.client.get(self._k("place", place_id))
        return codec.load_place(raw) if raw else None

    def places_of_organisation(self, organisation_id: str) -> list[str]:
        return sorted(m.decode() for m in self.client.smembers(self._k("org", organisation_id, "places")))

    def places_of_period(self, period_id: str) -> list[PlaceRecord]:
        ids = sorted(m.decode() for m in self.client.smembers(self._k("period", period_id, "places")))
        raws = [raw for start in range(0, len(ids), 1000)
                for raw in self.client.mget([self._k("place", i) for i in ids[start:start + 1000]])]
        return [codec.load_place(raw) for raw in raws if raw]

    def mark_released(self, event_id: str, student_refs: Sequence[str], place_ids: Sequence[str] = ()) -> bool:
        def write(pipe: Any, _state: None) -> None:
            for ref in student_refs:
                pipe.set(self._k("released", ref), event_id, ex=RELEASED_TTL_S)
            for place_id in place_ids:
                pipe.set(self._k("released_place", place_id), event_id, ex=RELEASED_TTL_S)

        return self.applier.apply_once(event_id, write)

    def is_released(self, student_ref: str) -> bool:
        return bool(self.client.exists(self._k("released", student_ref)))

    def is_place_released(self, place_id: str) -> bool:
        return bool(self.client.exists(self._k("released_place", place_id)))


class RedisIdempotencyStore(AbstractIdempotencyStore):
    """Answers given to Idempotency-Keys, kept for `ttl_s` seconds."""

    def __init__(self, client: redis.Redis, ttl_s: int, prefix: str = "intake"):
        self.client = client
        self.ttl_s = ttl_s
        self.prefix = prefix

    def get(self, key: str) -> dict[str, Any] | None:
        raw = self.client.get(f"{self.prefix}:idem:{key}")
        return json.loads(raw) if raw else None

    def put(self, key: str, record: dict[str, Any]) -> None:
        self.client.set(f"{self.prefix}:idem:{key}", json.dumps(record), ex=self.ttl_s)
