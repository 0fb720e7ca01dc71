"""Reporting's Redis projections of the other services' events, each written at most once per event.

Every write goes through IdempotentApplier: the state change and the "processed" marker land in one
MULTI/EXEC, so a redelivered event changes nothing. Values are JSON of the domain facts (never pickle).
Imports redis (through stagepool_shared.redis), the domain, the port and the standard library.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from typing import Any

import redis
from redis.client import Pipeline

from stagepool_shared.redis import IdempotentApplier

from ..domain.evaluations import EVALUATORS
from ..domain.figures import PlaceFact, PlacementFact, RoundFact, WishFact
from ..ports import AbstractProjections
from .keys import Keys


def dumps(value: Any) -> str:
    return json.dumps(asdict(value) if hasattr(value, "__dataclass_fields__") else value, sort_keys=True)


class RedisProjections(AbstractProjections):
    """Writes the projections; one method per kind of change."""

    def __init__(self, client: redis.Redis, applier: IdempotentApplier, keys: Keys):
        self.client = client
        self.applier = applier
        self.keys = keys

    def _touch(self, pipe: Pipeline, region_id: str, period_id: str, student_ref: str | None = None) -> None:
        pipe.sadd(self.keys.periods(), f"{region_id}|{period_id}")
        if student_ref:
            pipe.sadd(self.keys.student_periods(student_ref), f"{region_id}|{period_id}")

    def put_wish(self, event_id: str, region_id: str, period_id: str, wish: WishFact) -> bool:
        """Record a submitted or updated wish (keeps the first submission time)."""
        key = self.keys.period(region_id, period_id, "wishes")

        def read(pipe: Pipeline) -> str | None:
            return pipe.hget(key, wish.student_ref)

        def write(pipe: Pipeline, old: bytes | None) -> None:
            first = json.loads(old)["submitted_at"] if old else None
            pipe.hset(key, wish.student_ref, dumps(replace(wish, submitted_at=first or wish.submitted_at)))
            self._touch(pipe, region_id, period_id, wish.student_ref)

        return self.applier.apply_once(event_id, write, read, watch=(key,))

    def end_wish(self, event_id: str, region_id: str, period_id: str, student_ref: str, school_id: str,
                 status: str) -> bool:
        """Mark a wish withdrawn or opted out."""
        key = self.keys.period(region_id, period_id, "wishes")

        def read(pipe: Pipeline) -> bytes | None:
            return pipe.hget(key, student_ref)

        def write(pipe: Pipeline, old: bytes | None) -> None:
            wish = WishFact(**json.loads(old)) if old else WishFact(student_ref, school_id, "unknown", 0)
            pipe.hset(key, student_ref, dumps(replace(wish, status=status)))
            self._touch(pipe, region_id, period_id, student_ref)

        return self.applier.apply_once(event_id, write, read, watch=(key,))

    def put_place(self, event_id: str, region_id: str, period_id: str, place: PlaceFact) -> bool:
        key = self.keys.period(region_id, period_id, "places")

        def write(pipe: Pipeline, _: None) -> None:
            pipe.hset(key, place.place_id, dumps(place))
            self._touch(pipe, region_id, period_id)

        return self.applier.apply_once(event_id, write)

    def withdraw_place(self, event_id: str, region_id: str, period_id: str, place_id: str,
                       organisation_id: str) -> bool:
        key = self.keys.period(region_id, period_id, "places")

        def read(pipe: Pipeline) -> bytes | None:
            return pipe.hget(key, place_id)

        def write(pipe: Pipeline, old: bytes | None) -> None:
            place = PlaceFact(**json.loads(old)) if old else PlaceFact(place_id, organisation_id, "unknown", (), 0)
            pipe.hset(key, place_id, dumps(replace(place, withdrawn=True)))
            self._touch(pipe, region_id, period_id)

        return self.applier.apply_once(event_id, write, read, watch=(key,))

    def put_round_meta(self, event_id: str, round_id: str, fields: dict[str, str]) -> bool:
        """Remember a round's region, period, kind, summary and manifest (from its proposal)."""
        key = self.keys.round(round_id)

        def write(pipe: Pipeline, _: None) -> None:
            pipe.hset(key, mapping=fields)

        return self.applier.apply_once(event_id, write)

    def add_released_part(self, event_id: str, round_id: str, region_id: str, period_id: str, released_at: str,
                          part: int, parts: int, outcomes: dict[str, str]) -> bool:
        """Store one released part; when every part is there, fold the round into the period's placements."""
        parts_key, outcomes_key, round_key = (self.keys.round_parts(round_id), self.keys.round_outcomes(round_id),
                                              self.keys.round(round_id))

        def read(pipe: Pipeline) -> tuple[set, dict, dict]:
            return (pipe.smembers(parts_key), pipe.hgetall(outcomes_key), pipe.hgetall(round_key))

        def write(pipe: Pipeline, state: tuple[set, dict, dict]) -> None:
            have, stored, meta = state
            if outcomes:
                pipe.hset(outcomes_key, mapping=outcomes)
            pipe.sadd(parts_key, part)
            pipe.hset(round_key, mapping={"region_id": region_id, "period_id": period_id, "released_at": released_at})
            if len(have | {str(part).encode()}) >= parts:
                everything = {k.decode(): v.decode() for k, v in stored.items()} | outcomes
                self._fold_round(pipe, round_id, region_id, period_id, released_at, everything, meta)

        return self.applier.apply_once(event_id, write, read, watch=(parts_key, outcomes_key, round_key))

    def _fold_round(self, pipe: Pipeline, round_id: str, region_id: str, period_id: str, released_at: str,
                    outcomes: dict[str, str], meta: dict) -> None:
        placements_key = self.keys.period(region_id, period_id, "placements")
        for student_ref, raw in outcomes.items():
            outcome = json.loads(raw)
            fact = PlacementFact(student_ref=student_ref, school_id=outcome["school_id"], status=outcome["status"],
                                 wish_match=outcome.get("wish_match", "none"), reason_code=outcome.get("reason_code"),
                                 round_id=round_id, released_at=released_at,
                                 organisation_id=outcome.get("organisation_id"), place_id=outcome.get("place_id"),
                                 named_places=bool(outcome.get("named_places", False)))
            pipe.hset(placements_key, student_ref, dumps(fact))
            pipe.sadd(self.keys.student_periods(student_ref), f"{region_id}|{period_id}")
        decoded = {k.decode(): v.decode() for k, v in meta.items()}
        fact = RoundFact(round_id=round_id, kind=decoded.get("kind", "initial"), released_at=released_at,
                         summary=json.loads(decoded.get("summary", "{}")),
                         manifest=json.loads(decoded.get("manifest", "{}")))
        pipe.hset(self.keys.period(region_id, period_id, "rounds"), round_id, dumps(fact))
        self._touch(pipe, region_id, period_id)

    def period_of_round(self, round_id: str) -> str | None:
        raw = self.client.hget(self.keys.round(round_id), "period_id")
        return raw.decode() if raw else None

    def update_placement(self, event_id: str, region_id: str, period_id: str, student_ref: str, school_id: str,
                         status: str, counters: dict[str, int], signal: tuple[str, str] | None = None) -> bool:
        """A placement event: new status for the student, counters of the period, an organisation signal."""
        key = self.keys.period(region_id, period_id, "placements")

        def read(pipe: Pipeline) -> bytes | None:
            return pipe.hget(key, student_ref)

        def write(pipe: Pipeline, old: bytes | None) -> None:
            if status:
                fact = PlacementFact(**json.loads(old)) if old else PlacementFact(student_ref, school_id, status)
                pipe.hset(key, student_ref, dumps(replace(fact, status=status)))
            self._count(pipe, region_id, period_id, counters)
            if signal:
                self.count_signal(pipe, region_id, *signal)

        return self.applier.apply_once(event_id, write, read, watch=(key,))

    def _count(self, pipe: Pipeline, region_id: str, period_id: str, counters: dict[str, int]) -> None:
        for name, value in counters.items():
            pipe.hincrby(self.keys.period(region_id, period_id, "counters"), name, value)
        if counters:
            self._touch(pipe, region_id, period_id)

    def count_signal(self, pipe: Pipeline, region_id: str, organisation_id: str, kind: str) -> None:
        pipe.hincrby(self.keys.signals(region_id), f"{organisation_id}|{kind}", 1)

    def count(self, event_id: str, region_id: str, period_id: str, counters: dict[str, int]) -> bool:
        return self.applier.apply_once(event_id, lambda pipe, _: self._count(pipe, region_id, period_id, counters))

    def signal(self, event_id: str, region_id: str, organisation_id: str, kind: str) -> bool:
        return self.applier.apply_once(
            event_id, lambda pipe, _: self.count_signal(pipe, region_id, organisation_id, kind))

    def erase_student(self, event_id: str, student_ref: str) -> bool:
        """Drop everything kept under a pseudonym (wishes, placements, round outcomes, contacts, evaluations)."""
        index = self.keys.student_periods(student_ref)

        def read(pipe: Pipeline) -> dict[str, list[str]]:
            periods = {m.decode() for m in pipe.smembers(index)}
            return {item: [r.decode() for r in pipe.hkeys(self.keys.period(*item.split("|", 1), "rounds"))]
                    for item in periods}

        def write(pipe: Pipeline, periods: dict[str, list[str]]) -> None:
            for item, rounds in periods.items():
                region_id, period_id = item.split("|", 1)
                for what in ("wishes", "placements", "contacts"):
                    pipe.hdel(self.keys.period(region_id, period_id, what), student_ref)
                pipe.srem(self.keys.period(region_id, period_id, "contact_exceptions"), student_ref)
                for by in EVALUATORS:
                    pipe.hdel(self.keys.period(region_id, period_id, "evaluations"), f"{student_ref}|{by}")
                for round_id in rounds:
                    pipe.hdel(self.keys.round_outcomes(round_id), student_ref)
            pipe.delete(index)

        return self.applier.apply_once(event_id, write, read, watch=(index,))
