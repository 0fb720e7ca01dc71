"""JSON forms of the notifier's domain objects, for its Redis keys. Imports the standard library and the domain."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime
from typing import Any

from ..domain.model import Hint, InboxEntry, PlaceInfo, Response, RoundInfo, StudentOutcome


def parse_time(text: str) -> datetime:
    """An ISO-8601 moment (a trailing Z is UTC) as an aware datetime."""
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def place_to_json(place: PlaceInfo) -> str:
    return dumps(asdict(place))


#: What a place record stored before issue 19.4 kept of its contact person: never read again.
_LEGACY_PLACE_KEYS = ("contact_name", "contact_email", "contact_phone")


def place_from_json(raw: str | bytes) -> PlaceInfo:
    data = json.loads(raw)
    for key in _LEGACY_PLACE_KEYS:
        data.pop(key, None)
    data["reserved_for"] = tuple(data.get("reserved_for", ()))
    return PlaceInfo(**data)


def round_to_json(info: RoundInfo, parts: int) -> str:
    return dumps({"round_id": info.round_id, "region_id": info.region_id, "period_id": info.period_id,
                  "released_at": info.released_at.isoformat(), "respond_by": info.respond_by.isoformat(),
                  "parts": parts})


def round_from_json(raw: str | bytes) -> RoundInfo:
    data = json.loads(raw)
    return RoundInfo(round_id=data["round_id"], region_id=data["region_id"], period_id=data["period_id"],
                     released_at=parse_time(data["released_at"]), respond_by=parse_time(data["respond_by"]))


def outcome_to_dict(outcome: StudentOutcome) -> dict[str, Any]:
    return asdict(outcome)


def outcome_from_dict(data: dict[str, Any]) -> StudentOutcome:
    data = dict(data)
    data["criteria_met"] = tuple(data.get("criteria_met", ()))
    data["hints"] = tuple(Hint(**h) for h in data.get("hints", ()))
    return StudentOutcome(**data)


def outcome_to_json(outcome: StudentOutcome) -> str:
    return dumps(outcome_to_dict(outcome))


def outcome_from_json(raw: str | bytes) -> StudentOutcome:
    return outcome_from_dict(json.loads(raw))


def inbox_to_json(entry: InboxEntry) -> str:
    data = asdict(entry)
    data["visible_from"] = entry.visible_from.isoformat()
    data["created_at"] = entry.created_at.isoformat()
    return dumps(data)


def inbox_from_json(raw: str | bytes) -> InboxEntry:
    """An entry as stored; a text stored before issue 19.4 is not read (the text is written when read)."""
    data = json.loads(raw)
    data["visible_from"] = parse_time(data["visible_from"])
    data["created_at"] = parse_time(data["created_at"])
    data["subject"] = data["body"] = ""
    return InboxEntry(**data)


def response_to_json(response: Response) -> str:
    return dumps(asdict(response))


def response_from_json(raw: str | bytes) -> Response:
    return Response(**json.loads(raw))
