"""The event catalogue: (event_type, schema_version) -> spec, and the one encoder/decoder.

`encode` validates what a producer sends by loading the dumped payload again (a producer never publishes
what a consumer would reject). `decode` raises InvalidEvent with a reason for anything a consumer cannot
use; the consumer loop sends such messages to the dead-letter topic.
"""

from __future__ import annotations

import json
from typing import Any

from marshmallow import ValidationError

from .envelope import Envelope, EnvelopeSchema
from .errors import InvalidEvent
from .events import (
    aftercare, deadletter, desk, notifications, places, placements, planning, rounds, students, variants, wishes,
)
from .events.base import EventSpec

_ALL_SPECS: tuple[EventSpec, ...] = (
    wishes.SPECS + places.SPECS + students.SPECS + rounds.SPECS + placements.SPECS
    + notifications.SPECS + desk.SPECS + deadletter.SPECS + planning.SPECS + aftercare.SPECS + variants.SPECS
)


def _index(specs: tuple[EventSpec, ...]) -> dict[tuple[str, int], EventSpec]:
    index: dict[tuple[str, int], EventSpec] = {}
    for item in specs:
        key = (item.event_type, item.schema_version)
        if key in index:
            raise RuntimeError(f"event {key} is registered twice")
        index[key] = item
    return index


REGISTRY: dict[tuple[str, int], EventSpec] = _index(_ALL_SPECS)
#: One schema instance per event type: building marshmallow schemas is costly and they are reusable.
_SCHEMAS: dict[tuple[str, int], Any] = {key: item.schema() for key, item in REGISTRY.items()}


def all_specs() -> tuple[EventSpec, ...]:
    """Every registered event spec, in catalogue order."""
    return _ALL_SPECS


def spec_for(event_type: str, schema_version: int = 1) -> EventSpec:
    """The spec of an event type, or InvalidEvent naming it."""
    try:
        return REGISTRY[(event_type, schema_version)]
    except KeyError:
        raise InvalidEvent(f"unknown event type {event_type!r} version {schema_version}",
                           event_type=event_type) from None


def topic_for(event_type: str, schema_version: int = 1) -> str:
    return spec_for(event_type, schema_version).topic


def payload_to_dict(envelope: Envelope) -> dict[str, Any]:
    """Dump and re-validate the payload of an outgoing envelope."""
    spec_for(envelope.event_type, envelope.schema_version)
    schema = _SCHEMAS[(envelope.event_type, envelope.schema_version)]
    data = schema.dump(envelope.payload)
    errors = schema.validate(data)
    if errors:
        raise InvalidEvent(f"outgoing {envelope.event_type} is invalid: {errors}", event_type=envelope.event_type)
    return data


def to_dict(envelope: Envelope) -> dict[str, Any]:
    return {
        "envelope_version": envelope.envelope_version,
        "event_id": envelope.event_id,
        "event_type": envelope.event_type,
        "schema_version": envelope.schema_version,
        "occurred_at": envelope.occurred_at,
        "producer": envelope.producer,
        "correlation_id": envelope.correlation_id,
        "causation_id": envelope.causation_id,
        "partition_key": envelope.partition_key,
        "payload": payload_to_dict(envelope),
    }


def encode(envelope: Envelope) -> bytes:
    """The wire bytes of an envelope: compact JSON with sorted keys (stable, so hashes are reproducible)."""
    return json.dumps(to_dict(envelope), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def from_dict(raw: Any) -> Envelope:
    """Validate a decoded JSON object as an envelope and load its payload into its dataclass."""
    if not isinstance(raw, dict):
        raise InvalidEvent("event is not a JSON object")
    try:
        meta = EnvelopeSchema().load(raw)
    except ValidationError as err:
        raise InvalidEvent(f"invalid envelope: {err.messages}", event_type=raw.get("event_type")) from None
    item = spec_for(meta["event_type"], meta["schema_version"])
    try:
        payload = _SCHEMAS[(item.event_type, item.schema_version)].load(meta["payload"])
    except ValidationError as err:
        raise InvalidEvent(f"invalid {item.event_type} payload: {err.messages}", event_type=item.event_type) from None
    return Envelope(
        event_id=str(meta["event_id"]), event_type=item.event_type, schema_version=item.schema_version,
        occurred_at=raw["occurred_at"], producer=meta["producer"], correlation_id=meta["correlation_id"],
        causation_id=meta["causation_id"], partition_key=meta["partition_key"], payload=payload,
    )


def decode(data: bytes | None) -> Envelope:
    """Wire bytes -> Envelope with a typed payload; InvalidEvent with the reason otherwise."""
    if data is None:
        raise InvalidEvent("empty message (tombstone)")
    try:
        raw = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        raise InvalidEvent(f"not valid UTF-8 JSON: {err.__class__.__name__}: {str(err)[:120]}") from None
    return from_dict(raw)
