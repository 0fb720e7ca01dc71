"""Building blocks of every event payload: the schema base class, the spec record, schemas from rules.

A payload is a frozen dataclass; its marshmallow schema loads into it (post_load) and dumps from it.
Consumers read tolerantly (unknown fields excluded); producers validate what they send (registry.encode).
A payload whose fields carry rules (events.rules) gets its schema from `payload_schema`.
Imports marshmallow and the plain-Python events.rules and events.contract.
"""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING, dataclass
from typing import Any, ClassVar

from marshmallow import EXCLUDE, Schema, fields, post_load, validate

from .contract import Location
from .rules import ID_PATTERN, Bounds, Rule, default_of, rule_of

__all__ = ["ID_PATTERN", "EventSpec", "Location", "LocationSchema", "PayloadSchema", "bounds_validators",
           "event_field", "payload_schema", "record_schema", "spec"]


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


def bounds_validators(bounds: Bounds) -> list[validate.Validator]:
    """The marshmallow validators of a rule's bounds (events.rules)."""
    found: list[validate.Validator] = []
    if bounds.choices:
        found.append(validate.OneOf(bounds.choices))
    if bounds.pattern:
        found.append(validate.Regexp(bounds.pattern))
    if bounds.low is not None or bounds.high is not None:
        found.append(validate.Range(bounds.low, bounds.high))
    if bounds.size != (None, None):
        found.append(validate.Length(*bounds.size))
    return found


def _value_field(rule: Rule, **presence: Any) -> fields.Field:
    """The marshmallow field of one value under `rule.wire`; integers are strict (no "3", no 3.0)."""
    checks = bounds_validators(rule.wire)
    if rule.kind == "list":
        return fields.List(_value_field(rule.item), validate=checks, **presence)
    if rule.kind == "record":
        return fields.Nested(record_schema(rule.record), validate=checks, **presence)
    if rule.kind == "int":
        return fields.Integer(strict=True, validate=checks, **presence)
    kinds = {"str": fields.String, "float": fields.Float, "bool": fields.Boolean}
    return kinds[rule.kind](validate=checks, **presence)


def event_field(rule: Rule, default: Any) -> fields.Field:
    """A payload field: required without a default; a missing value loads as the default."""
    if default is MISSING:
        return _value_field(rule, required=True)
    return _value_field(rule, load_default=default, allow_none=default is None)


def payload_schema(payload_class: type, *, required: tuple[str, ...] = (), **declared: fields.Field
                   ) -> type[PayloadSchema]:
    """The schema of a payload dataclass: a field per dataclass field, from its rule, in field order.

    Args:
        payload_class: the frozen dataclass the schema loads into.
        required: fields the wire requires although the dataclass gives them a default (a subclass's own
            fields, which must have one when the fields they follow have).
        declared: the fields written out instead (every field without a rule needs one).
    """
    attrs: dict[str, Any] = {"payload_class": payload_class}
    for f in dataclasses.fields(payload_class):
        if f.name in declared:
            attrs[f.name] = declared.pop(f.name)
        elif (rule := rule_of(f)) is not None:
            attrs[f.name] = event_field(rule, MISSING if f.name in required else default_of(f))
        else:
            raise TypeError(f"{payload_class.__name__}.{f.name} has no rule: declare its schema field")
    if declared:
        raise TypeError(f"{payload_class.__name__} has no field(s) {sorted(declared)}")
    schema = type(f"{payload_class.__name__}Schema", (PayloadSchema,), attrs)
    _SCHEMAS.setdefault(payload_class, schema)
    return schema


#: The first schema built for each payload class: the one a field nesting that class uses.
_SCHEMAS: dict[type, type[PayloadSchema]] = {}


def record_schema(record: type) -> type[PayloadSchema]:
    """The schema of a nested record (a location, a hint, a round's summary): the one `payload_schema` built
    for its class (with the fields declared there), else one from its rules."""
    return _SCHEMAS.get(record) or payload_schema(record)


LocationSchema = record_schema(Location)


def spec(event_type: str, topic: str, schema: type[PayloadSchema], version: int = 1) -> EventSpec:
    """Shorthand for declaring an EventSpec."""
    return EventSpec(event_type, version, topic, schema)
