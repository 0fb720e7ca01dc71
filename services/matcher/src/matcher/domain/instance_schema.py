"""The JSON Schema of the instance format (docs/instance.schema.json), generated from the event contract.

A wish's and a place's properties, types and bounds come from the rules of their fields (the `solver=`
bounds: the same ones `consistency` checks), the record fields and the optional ones from `codec`; only the
matcher's own records (the round, exclusions, fixed placements) are written out here. The committed file
is this function's output (`python -m matcher schema --out docs/instance.schema.json`); a unit test fails
when they differ. Imports the standard library and the matcher's domain only.
"""

from __future__ import annotations

import json
from dataclasses import fields
from typing import Any

from stagepool_shared.events.rules import Rule, rule_of

from matcher.domain.codec import OPTIONAL, RECORD_FIELDS
from matcher.domain.model import Location, Place, Reservation, Wish

_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean", "list": "array"}
_STRING = {"type": "string"}
_DESCRIPTIONS = {
    "location": "coarse location: postcode-4 area and its centre (~1 km)",
    "wish": "A student's wish for one round. Only objective criteria: there is no field for a name, gender, "
            "origin or any other personal characteristic, and unknown fields are refused.",
    "reservation": "slots of the place reserved for students of one school (bilateral agreement)",
}


def _value(rule: Rule) -> dict[str, Any]:
    """The schema of one value: its type (or enum) and the bounds the solver relies on."""
    if rule.kind == "record":
        return {"$ref": f"#/$defs/{rule.record.__name__.lower()}"}
    bounds = rule.solver
    out: dict[str, Any] = {"enum": list(bounds.choices)} if bounds.choices else {"type": _TYPES[rule.kind]}
    if rule.kind == "list":
        out["items"] = _value(rule.item)
    if bounds.pattern:
        out["pattern"] = bounds.pattern
    if bounds.low is not None:
        out["minimum"] = bounds.low
    if bounds.high is not None:
        out["maximum"] = bounds.high
    least, most = bounds.size
    names = ("minItems", "maxItems") if rule.kind == "list" else ("minLength", "maxLength")
    for name, size in zip(names, (least, most)):
        if size is not None:
            out[name] = size
    if bounds.unique:
        out["uniqueItems"] = True
    if rule.doc:
        out["description"] = rule.doc
    return out


def _record(kind: str, record: type) -> dict[str, Any]:
    """An object with exactly the record's fields the solver reads; all required but the optional ones."""
    rules = {f.name: rule_of(f) for f in fields(record)}
    names = RECORD_FIELDS[kind]
    out: dict[str, Any] = {"type": "object", "additionalProperties": False}
    if kind in _DESCRIPTIONS:
        out["description"] = _DESCRIPTIONS[kind]
    out["required"] = [n for n in names if n not in OPTIONAL.get(kind, ())]
    out["properties"] = {n: _value(rules[n]) for n in names}
    return out


def _array(ref: str, **extra: Any) -> dict[str, Any]:
    return {"type": "array", "items": {"$ref": f"#/$defs/{ref}"}, **extra}


def _matcher_records() -> dict[str, Any]:
    """The records of the matcher's own: exclusions and fixed placements."""
    only = [{"required": [a], "not": {"required": [b]}} for a, b in (("place_id", "organisation_id"),
                                                                       ("organisation_id", "place_id"))]
    return {
        "exclusion": {
            "type": "object", "additionalProperties": False, "required": ["student_ref"],
            "description": "the student must never get this place, or any place of this organisation (refusal "
                           "or desk report); exactly one of place_id / organisation_id",
            "properties": {"student_ref": _STRING, "place_id": _STRING, "organisation_id": _STRING},
            "oneOf": only,
        },
        "fixed": {
            "type": "object", "additionalProperties": False, "required": ["student_ref", "place_id"],
            "description": "an accepted placement kept in a re-match round; it consumes a slot",
            "properties": {"student_ref": _STRING, "place_id": _STRING},
        },
    }


def instance_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of one regional round, the input of `matcher solve`."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://stagepool.example/schemas/matcher-instance.json",
        "title": "Stagepool matcher instance: one regional round",
        "description": "Input of `python -m matcher solve --instance FILE --out FILE` and of matcher.solver.solve "
                       "(via matcher.domain.codec). Semantics in docs/matching.md. Generated from the event "
                       "contract (stagepool_shared.events.contract) by `python -m matcher schema`.",
        "type": "object",
        "additionalProperties": False,
        "required": [n for n in RECORD_FIELDS["round"] if n not in OPTIONAL["round"]],
        "properties": {
            "round_id": _STRING,
            "region_id": _STRING,
            "period_ids": {"type": "array", "items": _STRING, "minItems": 1, "uniqueItems": True},
            "seed": {"type": "integer", "description": "seed of the lottery that breaks the remaining ties",
                     "default": 0},
            "wishes": _array("wish"),
            "places": _array("place"),
            "exclusions": _array("exclusion", default=[]),
            "fixed": _array("fixed", default=[]),
        },
        "$defs": {
            "location": _record("location", Location),
            "wish": _record("wish", Wish),
            "place": _record("place", Place),
            "reservation": _record("reservation", Reservation),
            **_matcher_records(),
        },
    }


def schema_text() -> str:
    """The schema as the committed file spells it: 2-space indented JSON and a final newline."""
    return json.dumps(instance_schema(), indent=2, ensure_ascii=False) + "\n"
