"""Stored records <-> JSON text, for the Redis store (never pickle). Imports the domain model only."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from ..domain.model import Period, PlaceRecord, School, Student, WishRecord


def _default(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    raise TypeError(f"cannot store {type(value).__name__}")


def dumps(record: Any) -> str:
    """A record as compact JSON (its fields are JSON values, dates or tuples; no deep copy needed)."""
    return _ENCODER.encode(vars(record))


_ENCODER = json.JSONEncoder(default=_default, separators=(",", ":"), ensure_ascii=False)


def load_period(raw: bytes | str) -> Period:
    data = json.loads(raw)
    return Period(period_id=data["period_id"], region_id=data["region_id"], name=data["name"],
                  starts_on=date.fromisoformat(data["starts_on"]), ends_on=date.fromisoformat(data["ends_on"]),
                  sectors=tuple(data.get("sectors", ())),
                  wishes_until=date.fromisoformat(data["wishes_until"]) if data.get("wishes_until") else None,
                  choices_until=date.fromisoformat(data["choices_until"]) if data.get("choices_until") else None)


def load_school(raw: bytes | str) -> School:
    return School(**json.loads(raw))


def load_student(raw: bytes | str) -> Student:
    data = json.loads(raw)
    data["date_of_birth"] = date.fromisoformat(data["date_of_birth"])
    return Student(**data)


def load_wish(raw: bytes | str) -> WishRecord:
    return WishRecord(**json.loads(raw))


def load_place(raw: bytes | str) -> PlaceRecord:
    return PlaceRecord(**json.loads(raw))
