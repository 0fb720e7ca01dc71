"""The Redis adapter of capacity planning's records (issue 16), under intake's prefix.

Keys: <p>:plan:forecast:<school> (hash line key -> JSON line), <p>:plan:supply:<org> (hash line key -> JSON
line), <p>:plan:participation:<org> (hash school year -> JSON), <p>:plan:register:<region> (JSON: the
register whole), <p>:plan:flags:<region> (hash place id -> JSON: crebos not recognised),
<p>:plan:recognition_mode:<region> (refuse | flag), <p>:plan:variant:<school> (hash period|crebo -> JSON: the
matching variant, issue 15.3), <p>:plan:candidates:<student_ref> (hash period -> JSON list of the candidate
place ids offered). Each write is one MULTI/EXEC.
Imports redis, the domain and the port.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, Mapping, Sequence

import redis

from ..domain.planning import ParticipationRecord
from ..domain.recognition import FLAG, Register
from ..domain.variants import variant_key
from ..ports import AbstractPlanningStore


class RedisPlanningStore(AbstractPlanningStore):
    """Forecasts, supply, participation and the recognition register in Redis."""

    def __init__(self, client: redis.Redis, prefix: str = "intake"):
        self.client = client
        self.prefix = prefix

    def _key(self, *parts: str) -> str:
        return ":".join((self.prefix, "plan") + parts)

    def _lines(self, key: str) -> dict[str, dict[str, Any]]:
        return {k.decode(): json.loads(v) for k, v in sorted(self.client.hgetall(key).items())}

    def _put_lines(self, key: str, lines: Mapping[str, Any]) -> None:
        pipe = self.client.pipeline(transaction=True)
        for line_key, line in lines.items():
            pipe.hset(key, line_key, json.dumps(line, sort_keys=True))
        pipe.execute()

    def forecasts(self, school_id: str) -> dict[str, dict[str, Any]]:
        return self._lines(self._key("forecast", school_id))

    def put_forecasts(self, school_id: str, lines: Mapping[str, dict[str, Any]]) -> None:
        self._put_lines(self._key("forecast", school_id), lines)

    def supply(self, organisation_id: str) -> dict[str, dict[str, Any]]:
        return self._lines(self._key("supply", organisation_id))

    def put_supply(self, organisation_id: str, lines: Mapping[str, dict[str, Any]]) -> None:
        self._put_lines(self._key("supply", organisation_id), lines)

    def participation(self, organisation_id: str, school_year: str) -> ParticipationRecord | None:
        raw = self.client.hget(self._key("participation", organisation_id), school_year)
        return ParticipationRecord(**json.loads(raw)) if raw else None

    def put_participation(self, record: ParticipationRecord) -> None:
        self._put_lines(self._key("participation", record.organisation_id), {record.school_year: asdict(record)})

    def register(self, region_id: str) -> Register:
        raw = self.client.get(self._key("register", region_id))
        if not raw:
            return Register()
        data = json.loads(raw)
        return Register(data["recognitions"], [tuple(p) for p in data["equivalents"]])

    def put_register(self, region_id: str, register: Register) -> None:
        data = {"recognitions": {k: list(v) for k, v in register.recognitions.items()},
                "equivalents": [list(p) for p in register.equivalents]}
        self.client.set(self._key("register", region_id), json.dumps(data, sort_keys=True))

    def flags(self, region_id: str) -> dict[str, dict[str, Any]]:
        return self._lines(self._key("flags", region_id))

    def put_flags(self, region_id: str, flags: Mapping[str, dict[str, Any]]) -> None:
        self._put_lines(self._key("flags", region_id), flags)

    def recognition_mode(self, region_id: str) -> str:
        raw = self.client.get(self._key("recognition_mode", region_id))
        return raw.decode() if raw else FLAG

    def put_recognition_mode(self, region_id: str, mode: str) -> None:
        self.client.set(self._key("recognition_mode", region_id), mode)

    def variants(self, school_id: str) -> dict[str, dict[str, Any]]:
        return self._lines(self._key("variant", school_id))

    def put_variant(self, school_id: str, line: Mapping[str, Any]) -> None:
        self._put_lines(self._key("variant", school_id), {variant_key(line["period_id"], line["crebo"]): dict(line)})

    def candidates(self, student_ref: str, period_id: str) -> list[str]:
        raw = self.client.hget(self._key("candidates", student_ref), period_id)
        return list(json.loads(raw)) if raw else []

    def put_candidates(self, student_ref: str, period_id: str, place_ids: Sequence[str]) -> None:
        self._put_lines(self._key("candidates", student_ref), {period_id: list(place_ids)})

    def drop_candidates(self, student_ref: str) -> None:
        self.client.delete(self._key("candidates", student_ref))
