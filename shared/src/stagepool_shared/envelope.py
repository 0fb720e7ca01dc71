"""The one versioned envelope around every event.

Fields: envelope_version, event_id (UUID4), event_type (a stable dotted string, never a class path),
schema_version, occurred_at (UTC ISO-8601), producer (service name), correlation_id, causation_id,
partition_key (the region id), payload. Imports marshmallow only.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from marshmallow import INCLUDE, Schema, fields, validate

ENVELOPE_VERSION = 1


@dataclass(frozen=True)
class Envelope:
    """An event as it travels: metadata plus the payload (a payload dataclass once decoded)."""

    event_id: str
    event_type: str
    schema_version: int
    occurred_at: str
    producer: str
    correlation_id: str
    causation_id: str | None
    partition_key: str
    payload: Any
    envelope_version: int = ENVELOPE_VERSION

    def caused(self, event_type: str, payload: Any, *, producer: str, partition_key: str | None = None,
               schema_version: int = 1) -> "Envelope":
        """A new event caused by this one: same correlation id, causation id = this event's id."""
        return new_envelope(
            event_type, payload, producer=producer,
            partition_key=partition_key or self.partition_key,
            correlation_id=self.correlation_id, causation_id=self.event_id, schema_version=schema_version,
        )

    def with_payload(self, payload: Any) -> "Envelope":
        return replace(self, payload=payload)


def utc_now_iso() -> str:
    """The current time as UTC ISO-8601 with milliseconds and a Z."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_envelope(event_type: str, payload: Any, *, producer: str, partition_key: str,
                 correlation_id: str | None = None, causation_id: str | None = None,
                 schema_version: int = 1, event_id: str | None = None,
                 occurred_at: str | None = None) -> Envelope:
    """Wrap a payload in a fresh envelope (new event id; a new correlation id unless one is given)."""
    event_id = event_id or str(uuid.uuid4())
    return Envelope(
        event_id=event_id,
        event_type=event_type,
        schema_version=schema_version,
        occurred_at=occurred_at or utc_now_iso(),
        producer=producer,
        correlation_id=correlation_id or event_id,
        causation_id=causation_id,
        partition_key=partition_key,
        payload=payload,
    )


class EnvelopeSchema(Schema):
    """The wire form of the envelope; the payload is validated separately by its own schema."""

    class Meta:
        unknown = INCLUDE

    envelope_version = fields.Integer(required=True, strict=True, validate=validate.Equal(ENVELOPE_VERSION))
    event_id = fields.UUID(required=True)
    event_type = fields.String(required=True, validate=validate.Regexp(r"^[a-z_]+(\.[a-z_]+)?$"))
    schema_version = fields.Integer(required=True, strict=True, validate=validate.Range(1, 1000))
    occurred_at = fields.DateTime(required=True)
    producer = fields.String(required=True, validate=validate.Length(1, 40))
    correlation_id = fields.String(required=True, validate=validate.Length(1, 80))
    causation_id = fields.String(load_default=None, allow_none=True, validate=validate.Length(1, 80))
    partition_key = fields.String(required=True, validate=validate.Length(1, 80))
    payload = fields.Dict(required=True)
