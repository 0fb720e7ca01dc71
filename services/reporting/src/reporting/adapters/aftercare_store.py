"""Reporting's aftercare records on Redis (issue 20): POKs, school contacts, kennismakingen and follow-up tasks.

Clear records hold ids, codes, dates and hours (JSON of the domain records); the people on a POK and the
school's contact persons are sealed with ContentCipher before they reach Redis. A draft POK is created once
per triggering event, with the processed marker in the same transaction (IdempotentApplier). Imports redis,
the shared idempotency helper, the domain, the port, adapters.crypto and the standard library.
"""

from __future__ import annotations

import json
from dataclasses import asdict, replace
from typing import Any

import redis
from redis.client import Pipeline

from stagepool_shared.redis import IdempotentApplier

from ..domain.aftercare import Pok, PokPeople, SchoolContact
from ..domain.aftercare_intro import FollowUpTask, Introduction
from ..domain.retention import anonymous_tasks
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

        def read(pipe: Pipeline) -> bool:
            raw = pipe.get(key)
            return bool(raw) and pok_from_json(raw).place_id == pok.place_id

        def write(pipe: Pipeline, holds: bool) -> None:
            if not holds:  # none yet, or the one of a placement that failed: a fresh draft replaces it
                pipe.set(key, _json(pok))
                pipe.delete(self.keys.aftercare("pok_people", pok.pok_id))
                pipe.sadd(self.keys.aftercare("poks", pok.region_id), key)

        return self.applier.apply_once(event_id + POK_MARKER, write, read, watch=(key,))

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

    def anonymise_student(self, pok: Pok, anon_ref: str, anon_pok_id: str) -> None:
        old_key = self._pok_key(pok.region_id, pok.period_id, pok.student_ref)
        new_key = self._pok_key(pok.region_id, pok.period_id, anon_ref)
        tasks_of = [t for t in self.tasks(pok.region_id, pok.school_id) if t.student_ref == pok.student_ref]
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(new_key, _json(replace(pok, student_ref=anon_ref, pok_id=anon_pok_id)))
            pipe.sadd(self.keys.aftercare("poks", pok.region_id), new_key)
            pipe.srem(self.keys.aftercare("poks", pok.region_id), old_key)
            pipe.delete(old_key, self.keys.aftercare("pok_people", pok.pok_id),
                        self.keys.aftercare("intro", pok.region_id, pok.period_id, pok.student_ref))
            pipe.srem(self.keys.aftercare("intros", pok.region_id),
                      self.keys.aftercare("intro", pok.region_id, pok.period_id, pok.student_ref))
            for task in anonymous_tasks(tasks_of, anon_ref):
                pipe.hset(self.keys.aftercare("tasks", task.region_id, task.school_id), task.task_id, _json(task))
            if tasks_of:
                pipe.hdel(self.keys.aftercare("tasks", pok.region_id, pok.school_id), *(t.task_id for t in tasks_of))
            pipe.execute()
