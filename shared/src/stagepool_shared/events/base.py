"""Building blocks of every event payload: the schema base class, the spec record, common nested types.

A payload is a frozen dataclass; its marshmallow schema loads into it (post_load) and dumps from it.
Consumers read tolerantly (unknown fields excluded); producers validate what they send (registry.encode).
Imports marshmallow only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from marshmallow import EXCLUDE, Schema, fields, post_load, validate

#: Identifier fields: opaque, printable, short.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$"


def id_field(**kwargs: Any) -> fields.String:
    """A required opaque identifier (pseudonym, school id, place id...)."""
    kwargs.setdefault("required", True)
    return fields.String(validate=validate.Regexp(ID_PATTERN), **kwargs)


def code_list(**kwargs: Any) -> fields.List:
    """A list of short codes (activities, support needs, organisation types)."""
    return fields.List(
        fields.String(validate=validate.Regexp(r"^[a-z0-9_.-]{1,60}$")),
        load_default=list,
        validate=validate.Length(max=100),
        **kwargs,
    )


class PayloadSchema(Schema):
    """Base of payload schemas: tolerant reader, loads into `payload_class`."""

    payload_class: ClassVar[type]

    class Meta:
        unknown = EXCLUDE

    @post_load
    def _make_payload(self, data: dict[str, Any], **_: Any) -> Any:
        return self.payload_class(**data)


@dataclass(frozen=True)
class EventSpec:
    """What the registry knows about one event type and version."""

    event_type: str
    schema_version: int
    topic: str
    schema: type[PayloadSchema]

    @property
    def payload_class(self) -> type:
        return self.schema.payload_class


@dataclass(frozen=True)
class Location:
    """A coarse location: a 4-digit postcode area and its centroid (about 1 km), never an address."""

    pc4: str
    lat: float
    lon: float


class LocationSchema(PayloadSchema):
    payload_class = Location
    pc4 = fields.String(required=True, validate=validate.Regexp(r"^[1-9][0-9]{3}$"))
    lat = fields.Float(required=True, validate=validate.Range(50.5, 53.7))
    lon = fields.Float(required=True, validate=validate.Range(3.2, 7.3))


def spec(event_type: str, topic: str, schema: type[PayloadSchema], version: int = 1) -> EventSpec:
    """Shorthand for declaring an EventSpec."""
    return EventSpec(event_type, version, topic, schema)
