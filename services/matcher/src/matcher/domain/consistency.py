"""Refuse an inconsistent round before solving, naming the record (InconsistentInstance).

Checked: every value of a wish or a place against the bounds the solver relies on, declared once with the
field in `stagepool_shared.events.contract` (`solver=`, turned into checks by `value_checks`;
docs/instance.schema.json states the same bounds): crebos, levels, transport modes, pathways, ranges of ages,
travel times, slots and capacities, at most three distinct top places, postcode areas and coordinates.
Then: duplicate ids; wishes and places outside the round's region or periods; reservations naming a school
twice or more slots than the place has; exclusions naming neither or both of place and organisation; fixed
placements for unknown students or places, repeated, excluded, or beyond capacity.
Tolerated on purpose: top places and exclusions naming a place that is not in the round (withdrawn
places) and exclusions of students that are not in the round (desk exclusions are kept across rounds).
Imports the standard library and the matcher's domain only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from operator import attrgetter

from matcher.domain.model import Place, RoundInput, Wish
from matcher.domain.value_checks import ValueCheck, first_breaking, value_checks
from matcher.errors import InconsistentInstance

WISH_CHECKS = value_checks(Wish)
PLACE_CHECKS = value_checks(Place)


def _fail(kind: str, rid: str, reason: str) -> None:
    raise InconsistentInstance(kind, rid, reason)


def _check_unique(kind: str, ids: list[str]) -> None:
    dup = [i for i, n in Counter(ids).items() if n > 1]
    if dup:
        _fail(kind, sorted(dup)[0], f"duplicate {kind} id")


def _check_links(kind: str, rid: str, record: Wish | Place, rnd: RoundInput) -> None:
    """The record belongs to the round's region and periods; a place reserves each school once, within
    its effective slots."""
    if record.region_id != rnd.region_id:
        _fail(kind, rid, f"region {record.region_id!r} is not the round's region {rnd.region_id!r}")
    if record.period_id not in rnd.period_ids:
        _fail(kind, rid, f"period {record.period_id!r} is not in the round (periods {list(rnd.period_ids)})")
    if isinstance(record, Place) and record.reserved:
        schools = [r.school_id for r in record.reserved]
        if len(set(schools)) != len(schools):
            _fail(kind, rid, "reservations must name each school once")
        if sum(r.slots for r in record.reserved) > record.effective_slots:
            _fail(kind, rid, f"reserves {sum(r.slots for r in record.reserved)} slots but has {record.effective_slots}")


def _check_record(kind: str, rid: str, record: Wish | Place, rnd: RoundInput, checks: tuple[ValueCheck, ...]) -> None:
    for check in checks:
        reason = check.failure(record)
        if reason is not None:
            _fail(kind, rid, reason)
    _check_links(kind, rid, record, rnd)


def check_wish(rnd: RoundInput, w: Wish) -> None:
    """Raise InconsistentInstance when one wish does not fit the round or is out of range."""
    _check_record("wish", w.student_ref, w, rnd, WISH_CHECKS)


def check_place(rnd: RoundInput, p: Place) -> None:
    """Raise InconsistentInstance when one place does not fit the round or is out of range."""
    _check_record("place", p.place_id, p, rnd, PLACE_CHECKS)


def _check_records(kind: str, records: Sequence[Wish | Place], rnd: RoundInput) -> None:
    """Every wish or every place, as `check_wish` / `check_place` one after the other would: the first
    record with a problem is named, with its first problem. The values are checked a field at a time."""
    checks, rid = (WISH_CHECKS, "student_ref") if kind == "wish" else (PLACE_CHECKS, "place_id")
    end = first_breaking(records, checks)
    regions = set(map(attrgetter("region_id"), records[:end]))
    periods = set(map(attrgetter("period_id"), records[:end]))
    if kind == "place" or not regions <= {rnd.region_id} or not periods <= set(rnd.period_ids):
        for record in records[:end]:  # a stray region or period, or a place's reservations
            _check_links(kind, getattr(record, rid), record, rnd)
    if end < len(records):
        _check_record(kind, getattr(records[end], rid), records[end], rnd, checks)


def check_fixed(rnd: RoundInput) -> None:
    """Fixed placements name known students and places, once each, not excluded, within capacity."""
    students = {w.student_ref: w for w in rnd.wishes}
    places = {p.place_id: p for p in rnd.places}
    _check_unique("fixed", [f.student_ref for f in rnd.fixed])
    excluded = {(e.student_ref, e.place_id) for e in rnd.exclusions if e.place_id}
    excluded_org = {(e.student_ref, e.organisation_id) for e in rnd.exclusions if e.organisation_id}
    for f in rnd.fixed:
        if f.student_ref not in students:
            _fail("fixed", f.student_ref, "fixed placement for a student without a wish in this round")
        place = places.get(f.place_id)
        if place is None:
            _fail("fixed", f.student_ref, f"fixed placement at unknown place {f.place_id!r}")
        if (f.student_ref, f.place_id) in excluded or (f.student_ref, place.organisation_id) in excluded_org:
            _fail("fixed", f.student_ref, f"fixed placement at {f.place_id!r} is also excluded")
    for pid, n in Counter(f.place_id for f in rnd.fixed).items():
        if n > places[pid].effective_slots:
            _fail("place", pid, f"{n} fixed placements exceed its {places[pid].effective_slots} effective slots")


def check_round(rnd: RoundInput) -> None:
    """Raise InconsistentInstance (naming the record) unless the round is consistent."""
    if not rnd.period_ids:
        _fail("round", rnd.round_id, "no periods")
    _check_unique("wish", [w.student_ref for w in rnd.wishes])
    _check_unique("place", [p.place_id for p in rnd.places])
    _check_records("wish", rnd.wishes, rnd)
    _check_records("place", rnd.places, rnd)
    for e in rnd.exclusions:
        if (e.place_id is None) == (e.organisation_id is None):
            _fail("exclusion", e.student_ref, "an exclusion names exactly one of place_id / organisation_id")
    check_fixed(rnd)
