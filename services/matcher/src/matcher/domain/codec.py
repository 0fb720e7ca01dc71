"""JSON-ready dicts <-> matcher records (the documented instance format, docs/instance.schema.json).

Strict on input: a record with an unknown field (a name, a gender, anything not in the model) or a
missing field is refused with InconsistentInstance naming the record, so personal data can never slip
into a round. The wish and place fields are the model's (from the event contract); only those in
`OPTIONAL` may be left out. Imports the standard library, the matcher's model and `stagepool_shared.frozen`.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

from stagepool_shared import frozen

from matcher.domain.model import (
    Exclusion, FixedPlacement, Location, Place, Reservation, RoundInput, Solution, Wish, sequence_fields,
)
from matcher.errors import InconsistentInstance

_WISH = tuple(f.name for f in fields(Wish))
_PLACE = tuple(f.name for f in fields(Place))
_LOCATION = tuple(f.name for f in fields(Location))
_RESERVATION = tuple(f.name for f in fields(Reservation))
_ROUND = ("round_id", "region_id", "period_ids", "seed", "wishes", "places", "exclusions", "fixed")
_EXCLUSION = ("student_ref", "place_id", "organisation_id")
_FIXED = ("student_ref", "place_id")

#: The fields of each instance record, by record kind (the "$defs" of docs/instance.schema.json).
RECORD_FIELDS: dict[str, tuple[str, ...]] = {
    "round": _ROUND, "wish": _WISH, "place": _PLACE, "location": _LOCATION, "reservation": _RESERVATION,
    "exclusion": _EXCLUSION, "fixed": _FIXED,
}
#: The fields an instance document may leave out, by record kind; every other field is required.
OPTIONAL: dict[str, frozenset[str]] = {
    "round": frozenset({"seed", "exclusions", "fixed"}), "place": frozenset({"reserved"}),
    "exclusion": frozenset({"place_id", "organisation_id"}),
}
_ALLOWED = {kind: frozenset(names) for kind, names in RECORD_FIELDS.items()}
_REQUIRED = {kind: names - OPTIONAL.get(kind, frozenset()) for kind, names in _ALLOWED.items()}


def _fields(kind: str, rid: str, doc: dict[str, Any], record: str | None = None) -> None:
    """Refuse `doc` unless it is an object with the fields of its `record` kind (default: `kind`)."""
    if not isinstance(doc, dict):
        raise InconsistentInstance(kind, rid, "is not an object")
    allowed, required = _ALLOWED[record or kind], _REQUIRED[record or kind]
    if doc.keys() == allowed:  # every field given: one comparison (most records of a large instance)
        return
    if not doc.keys() <= allowed:
        unknown = sorted(doc.keys() - allowed)
        raise InconsistentInstance(kind, rid, f"unknown field(s) {unknown}: only the documented criteria are inputs")
    if not required <= doc.keys():
        raise InconsistentInstance(kind, rid, f"missing field(s) {sorted(required - doc.keys())}")


def _location(kind: str, rid: str, doc: dict[str, Any]) -> Location:
    _fields(kind, rid, doc, "location")
    return Location(str(doc["pc4"]), float(doc["lat"]), float(doc["lon"]))


def wish_from_dict(doc: dict[str, Any]) -> Wish:
    """A Wish from its JSON object (strict)."""
    rid = str(doc.get("student_ref", "?")) if isinstance(doc, dict) else "?"
    _fields("wish", rid, doc)
    values = _tupled(Wish, dict(doc))  # every wish field is required: `_fields` left exactly the wish's fields
    values["home"] = _location("wish", rid, doc["home"])
    return frozen.build(Wish, values, normalised=True)


def place_from_dict(doc: dict[str, Any]) -> Place:
    """A Place from its JSON object (strict)."""
    rid = str(doc.get("place_id", "?")) if isinstance(doc, dict) else "?"
    _fields("place", rid, doc)
    reserved = []
    for r in doc.get("reserved", []):
        _fields("place", rid, r, "reservation")
        reserved.append(Reservation(str(r["school_id"]), int(r["slots"])))
    values = _tupled(Place, dict(doc))  # the place's fields only (`_fields`), `reserved` replaced below
    values.update(location=_location("place", rid, doc["location"]), reserved=tuple(reserved))
    return frozen.build(Place, values, normalised=True)


def _tupled(cls: type, values: dict[str, Any]) -> dict[str, Any]:
    """`values` with the record's sequence fields as tuples, as the record's own __post_init__ stores them: then
    `frozen.build` fills the record at once (for the 10,000 wishes of a bench round 0.027 s instead of the
    constructor's 0.072 s, issue 17.4, `matcher solve`)."""
    for name in sequence_fields(cls):
        if name in values:
            values[name] = tuple(values[name])
    return values


def round_from_dict(doc: dict[str, Any]) -> RoundInput:
    """A RoundInput from the instance document."""
    rid = str(doc.get("round_id", "?")) if isinstance(doc, dict) else "?"
    _fields("round", rid, doc)
    exclusions = []
    for e in doc.get("exclusions", []):
        _fields("exclusion", str(e.get("student_ref", "?")), e)
        exclusions.append(Exclusion(e["student_ref"], e.get("place_id"), e.get("organisation_id")))
    fixed = []
    for f in doc.get("fixed", []):
        _fields("fixed", str(f.get("student_ref", "?")), f)
        fixed.append(FixedPlacement(f["student_ref"], f["place_id"]))
    return RoundInput(
        round_id=str(doc["round_id"]), region_id=str(doc["region_id"]), period_ids=tuple(doc["period_ids"]),
        wishes=tuple(wish_from_dict(w) for w in doc["wishes"]), places=tuple(place_from_dict(p) for p in doc["places"]),
        seed=int(doc.get("seed", 0)), exclusions=tuple(exclusions), fixed=tuple(fixed),
    )


def _plain(obj: Any) -> Any:
    """Tuples to lists, recursively (JSON arrays)."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    return obj


def round_to_dict(rnd: RoundInput) -> dict[str, Any]:
    """The instance document of a round (inverse of `round_from_dict`)."""
    doc = _plain(asdict(rnd))
    doc["exclusions"] = [{k: v for k, v in e.items() if v is not None} for e in doc["exclusions"]]
    return doc


def solution_to_dict(sol: Solution) -> dict[str, Any]:
    """Assignments, explanations, shares, penalties and stats, for orjson: the records stay dataclasses,
    which orjson writes as the objects of their fields (tuples as arrays), the JSON of `_plain(asdict(...))`
    without building a dict per record and per relaxation (~10^6 values for a 50k-student solution)."""
    return {
        "round_id": sol.round_id, "seed": sol.seed, "stats": _plain(asdict(sol.stats)),
        "assignments": list(sol.assignments), "explanations": list(sol.explanations),
        "shares": [{**vars(g), "rate": round(g.rate, 6)} for g in sol.shares],
        "penalties": list(sol.penalties),
    }
