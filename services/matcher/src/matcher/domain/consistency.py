"""Refuse an inconsistent round before solving, naming the record (InconsistentInstance).

Checked: duplicate ids; wishes and places outside the round's region or periods; values out of range
(level, slots, capacities, ages, travel, reservations); unknown transport modes or pathways; malformed
crebos; more than three or repeated top places; exclusions naming neither or both of place and
organisation; fixed placements for unknown students or places, repeated, excluded, or beyond capacity.
Tolerated on purpose: top places and exclusions naming a place that is not in the round (withdrawn
places) and exclusions of students that are not in the round (desk exclusions are kept across rounds).
Imports the standard library only.
"""

from __future__ import annotations

from collections import Counter

from matcher.domain.model import PATHWAYS, TRANSPORT_MODES, Place, RoundInput, Wish
from matcher.errors import InconsistentInstance

MAX_TRAVEL_MINUTES = 240


def _fail(kind: str, rid: str, reason: str) -> None:
    raise InconsistentInstance(kind, rid, reason)


def _check_unique(kind: str, ids: list[str]) -> None:
    dup = [i for i, n in Counter(ids).items() if n > 1]
    if dup:
        _fail(kind, sorted(dup)[0], f"duplicate {kind} id")


def check_wish(rnd: RoundInput, w: Wish) -> None:
    """Raise InconsistentInstance when one wish does not fit the round or is out of range."""
    rid = w.student_ref
    if not rid:
        _fail("wish", rid, "empty student_ref")
    if w.region_id != rnd.region_id:
        _fail("wish", rid, f"region {w.region_id!r} is not the round's region {rnd.region_id!r}")
    if w.period_id not in rnd.period_ids:
        _fail("wish", rid, f"period {w.period_id!r} is not in the round (periods {list(rnd.period_ids)})")
    if not (isinstance(w.crebo, str) and len(w.crebo) == 5 and w.crebo.isdigit()):
        _fail("wish", rid, f"crebo {w.crebo!r} is not a 5-digit code")
    if w.level not in (1, 2, 3, 4):
        _fail("wish", rid, f"level {w.level!r} is not 1-4")
    if w.pathway not in PATHWAYS:
        _fail("wish", rid, f"pathway {w.pathway!r} is not one of {PATHWAYS}")
    if w.transport_mode not in TRANSPORT_MODES:
        _fail("wish", rid, f"transport_mode {w.transport_mode!r} is not one of {TRANSPORT_MODES}")
    if not 0 <= w.max_travel_minutes <= MAX_TRAVEL_MINUTES:
        _fail("wish", rid, f"max_travel_minutes {w.max_travel_minutes} is not within 0-{MAX_TRAVEL_MINUTES}")
    if not 0 <= w.age_at_start <= 120 or w.study_year < 0:
        _fail("wish", rid, "age_at_start or study_year out of range")
    if len(w.top_places) > 3 or len(set(w.top_places)) != len(w.top_places):
        _fail("wish", rid, "top_places must hold at most 3 distinct place ids")
    _check_coords("wish", rid, w.home.lat, w.home.lon)


def check_place(rnd: RoundInput, p: Place) -> None:
    """Raise InconsistentInstance when one place does not fit the round or is out of range."""
    rid = p.place_id
    if not rid:
        _fail("place", rid, "empty place_id")
    if p.region_id != rnd.region_id:
        _fail("place", rid, f"region {p.region_id!r} is not the round's region {rnd.region_id!r}")
    if p.period_id not in rnd.period_ids:
        _fail("place", rid, f"period {p.period_id!r} is not in the round (periods {list(rnd.period_ids)})")
    if p.slots < 0 or p.supervision_capacity < 0:
        _fail("place", rid, f"negative slots ({p.slots}) or supervision_capacity ({p.supervision_capacity})")
    if p.min_age < 0 or any(lv not in (1, 2, 3, 4) for lv in p.levels):
        _fail("place", rid, "min_age negative or a level outside 1-4")
    if any(not (len(c) == 5 and c.isdigit()) for c in p.crebos):
        _fail("place", rid, "a crebo is not a 5-digit code")
    schools = [r.school_id for r in p.reserved]
    if len(set(schools)) != len(schools) or any(r.slots < 0 for r in p.reserved):
        _fail("place", rid, "reservations must name each school once with slots >= 0")
    if sum(r.slots for r in p.reserved) > p.effective_slots:
        _fail("place", rid, f"reserves {sum(r.slots for r in p.reserved)} slots but has {p.effective_slots}")
    _check_coords("place", rid, p.location.lat, p.location.lon)


def _check_coords(kind: str, rid: str, lat: float, lon: float) -> None:
    if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0):
        _fail(kind, rid, f"coordinates ({lat}, {lon}) out of range")


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
    for w in rnd.wishes:
        check_wish(rnd, w)
    for p in rnd.places:
        check_place(rnd, p)
    for e in rnd.exclusions:
        if (e.place_id is None) == (e.organisation_id is None):
            _fail("exclusion", e.student_ref, "an exclusion names exactly one of place_id / organisation_id")
    check_fixed(rnd)
