"""Reporting's aftercare records on Redis (issue 20): POKs, school contacts, kennismakingen and follow-up tasks.

Clear records hold ids, codes, dates and hours (JSON of the domain records); the people on a POK and the
school's contact persons are sealed with ContentCipher before they reach Redis. A draft POK is created once
per triggering event, with the processed marker in the same transaction (IdempotentApplier); a POK it replaces
(another place's) is kept in the student's POK history of the period (`pok_history`, by POK id). Imports redis,
the shared idempotency helper, the domain, the port, adapters.crypto and the standard library.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

import redis
from redis.client import Pipeline

from stagepool_shared.redis import IdempotentApplier

from ..domain.aftercare import Pok, PokPeople, SchoolContact
from ..domain.aftercare_intro import FollowUpTask, Introduction
from ..domain.retention import anonymous_pok, anonymous_tasks
from ..ports import AbstractAftercareStore
from .crypto import ContentCipher
from .keys import Keys

POK_MARKER = ":pok"


def _json(value: Any) -> str:
    return json.dumps(asdict(value), sort_keys=True)


def pok_from_json(raw: bytes | str) -> Pok:
    data = json.loads(raw)
    data["signed_by"] = tuple(data.get("signed_by", ()))
    data["agreements"] = tuple(data.get("agreements", ()))
    return Pok(**data)


def people_from_dict(data: dict) -> PokPeople:
    contact = data.get("school_contact")
    return PokPeople(SchoolContact(**contact) if contact else None, data.get("supervisor_name", ""))


class RedisAftercareStore(AbstractAftercareStore):
    """POKs by (region, period, student), sealed people by POK id, contacts by (region, school)."""

    def __init__(self, client: redis.Redis, applier: IdempotentApplier, cipher: ContentCipher, keys: Keys):
        self.client = client
        self.applier = applier
        self.cipher = cipher
        self.keys = keys

    def _pok_key(self, region_id: str, period_id: str, student_ref: str) -> str:
        return self.keys.aftercare("pok", region_id, period_id, student_ref)

    def create_pok(self, event_id: str, pok: Pok) -> bool:
        key = self._pok_key(pok.region_id, pok.period_id, pok.student_ref)

        def read(pipe: Pipeline) -> bytes | None:
            return pipe.get(key)

        def write(pipe: Pipeline, raw: bytes | None) -> None:
            earlier = pok_from_json(raw) if raw else None
            if earlier is not None and earlier.place_id == pok.place_id:
                return  # accepted the same place again: the POK stands
            if earlier is not None:  # the POK of a placement that failed: kept as history, people and all
                pipe.hset(self._history_key(pok.region_id, pok.period_id, pok.student_ref), earlier.pok_id, raw)
            pipe.set(key, _json(pok))
            pipe.delete(self.keys.aftercare("pok_people", pok.pok_id))
            pipe.sadd(self.keys.aftercare("poks", pok.region_id), key)

        return self.applier.apply_once(event_id + POK_MARKER, write, read, watch=(key,))

    def _history_key(self, region_id: str, period_id: str, student_ref: str) -> str:
        return self.keys.aftercare("pok_history", region_id, period_id, student_ref)

    def pok_history(self, region_id: str, period_id: str, student_ref: str) -> list[Pok]:
        """The student's earlier POKs of the period (other places'), oldest first."""
        raw = self.client.hvals(self._history_key(region_id, period_id, student_ref))
        return sorted((pok_from_json(item) for item in raw), key=lambda p: (p.created_at, p.pok_id))

    def pok(self, region_id: str, period_id: str, student_ref: str) -> Pok | None:
        raw = self.client.get(self._pok_key(region_id, period_id, student_ref))
        return pok_from_json(raw) if raw else None

    def pok_people(self, pok_id: str) -> PokPeople:
        raw = self.client.get(self.keys.aftercare("pok_people", pok_id))
        return people_from_dict(self.cipher.open(raw)) if raw else PokPeople()

    def save_pok(self, pok: Pok, people: PokPeople | None = None) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(self._pok_key(pok.region_id, pok.period_id, pok.student_ref), _json(pok))
            pipe.sadd(self.keys.aftercare("poks", pok.region_id),
                      self._pok_key(pok.region_id, pok.period_id, pok.student_ref))
            if people is not None:
                pipe.set(self.keys.aftercare("pok_people", pok.pok_id), self.cipher.seal(asdict(people)))
            pipe.execute()

    def poks(self, region_id: str) -> list[Pok]:
        keys = sorted(k.decode() for k in self.client.smembers(self.keys.aftercare("poks", region_id)))
        return [pok_from_json(raw) for raw in (self.client.mget(keys) if keys else []) if raw]

    def school_contact(self, region_id: str, school_id: str, organisation_id: str) -> SchoolContact | None:
        raw = self.client.hget(self.keys.aftercare("contacts", region_id, school_id), organisation_id)
        return SchoolContact(**self.cipher.open(raw)) if raw else None

    def put_school_contact(self, region_id: str, school_id: str, organisation_id: str,
                           contact: SchoolContact) -> None:
        self.client.hset(self.keys.aftercare("contacts", region_id, school_id), organisation_id,
                         self.cipher.seal(asdict(contact)))

    def introduction(self, region_id: str, period_id: str, student_ref: str) -> Introduction | None:
        raw = self.client.get(self.keys.aftercare("intro", region_id, period_id, student_ref))
        return Introduction(**json.loads(raw)) if raw else None

    def save_introduction(self, intro: Introduction) -> None:
        key = self.keys.aftercare("intro", intro.region_id, intro.period_id, intro.student_ref)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(key, _json(intro))
            pipe.sadd(self.keys.aftercare("intros", intro.region_id), key)
            pipe.execute()

    def tasks(self, region_id: str, school_id: str) -> list[FollowUpTask]:
        raw = self.client.hvals(self.keys.aftercare("tasks", region_id, school_id))
        return sorted((FollowUpTask(**json.loads(item)) for item in raw), key=lambda t: (t.created_at, t.task_id))

    def save_task(self, task: FollowUpTask) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hset(self.keys.aftercare("tasks", task.region_id, task.school_id), task.task_id, _json(task))
            pipe.sadd(self.keys.aftercare("task_schools", task.region_id), task.school_id)
            pipe.execute()

    def evaluations_announced(self, region_id: str) -> set[str]:
        return {item.decode() for item in self.client.smembers(self.keys.aftercare("evaluations_announced", region_id))}

    def mark_evaluation_announced(self, region_id: str, pok_id: str) -> None:
        self.client.sadd(self.keys.aftercare("evaluations_announced", region_id), pok_id)

    def introductions(self, region_id: str) -> list[Introduction]:
        keys = sorted(k.decode() for k in self.client.smembers(self.keys.aftercare("intros", region_id)))
        return [Introduction(**json.loads(raw)) for raw in (self.client.mget(keys) if keys else []) if raw]

    def _student_tasks(self, region_id: str, student_ref: str, period_id: str | None = None) -> list[FollowUpTask]:
        schools = sorted(m.decode() for m in self.client.smembers(self.keys.aftercare("task_schools", region_id)))
        return [t for school in schools for t in self.tasks(region_id, school)
                if t.student_ref == student_ref and period_id in (None, t.period_id)]

    def _drop_student(self, pipe: Pipeline, region_id: str, period_id: str, student_ref: str,
                      tasks: list[FollowUpTask]) -> None:
        """Delete the student's POK of the period, its history, every POK's people and the kennismaking."""
        key, history = self._pok_key(region_id, period_id, student_ref), self._history_key(region_id, period_id,
                                                                                           student_ref)
        intro = self.keys.aftercare("intro", region_id, period_id, student_ref)
        current = self.pok(region_id, period_id, student_ref)
        ids = [p.pok_id for p in self.pok_history(region_id, period_id, student_ref)] + (
            [current.pok_id] if current else [])
        pipe.delete(key, history, intro, *(self.keys.aftercare("pok_people", pok_id) for pok_id in ids))
        pipe.srem(self.keys.aftercare("poks", region_id), key)
        pipe.srem(self.keys.aftercare("intros", region_id), intro)
        if ids:
            pipe.srem(self.keys.aftercare("evaluations_announced", region_id), *ids)
        for task in tasks:
            pipe.hdel(self.keys.aftercare("tasks", region_id, task.school_id), task.task_id)

    def anonymise_student(self, region_id: str, period_id: str, student_ref: str, anon_ref: str) -> None:
        pok = self.pok(region_id, period_id, student_ref)
        tasks_of = self._student_tasks(region_id, student_ref, period_id)
        with self.client.pipeline(transaction=True) as pipe:
            self._drop_student(pipe, region_id, period_id, student_ref, tasks_of)
            if pok is not None:
                new_key = self._pok_key(region_id, period_id, anon_ref)
                pipe.set(new_key, _json(anonymous_pok(pok, anon_ref)))
                pipe.sadd(self.keys.aftercare("poks", region_id), new_key)
            for task in anonymous_tasks(tasks_of, anon_ref):
                pipe.hset(self.keys.aftercare("tasks", task.region_id, task.school_id), task.task_id, _json(task))
            pipe.execute()

    def erase_student(self, region_id: str, student_ref: str) -> None:
        periods = {p.period_id for p in self.poks(region_id) if p.student_ref == student_ref}
        periods |= {i.period_id for i in self.introductions(region_id) if i.student_ref == student_ref}
        tasks = self._student_tasks(region_id, student_ref)
        periods |= {t.period_id for t in tasks}
        with self.client.pipeline(transaction=True) as pipe:
            for period_id in sorted(periods):
                self._drop_student(pipe, region_id, period_id, student_ref,
                                   [t for t in tasks if t.period_id == period_id])
            pipe.execute()
