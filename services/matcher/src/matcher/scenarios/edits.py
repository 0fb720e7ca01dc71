"""The edits a scenario takes, checked against the pool they apply to, and applied to a copy of it.

  places    change the slots of the places of one organisation and/or one sector by N (+ or -): spread one
            slot at a time over the matching places in place-id order (supervision capacity follows); a
            decrease takes from the places in place-id order; reservations shrink to fit
  demand    a school's demand +x % (or -x %): its students are ordered by a fixed hash of the pseudonym;
            +x % copies the first round(n * x / 100) of them in that order (cycling past 100 %) as extra
            students "<ref>-x<k>" with the same wish; -x % removes the first ones
  travel    every student's (or one school's students') maximum travel minutes +/- N, kept in 0-240
  reserved  the slots of one place reserved for one school set to N (0 removes the reservation)

An edit that would make the pool inconsistent is refused with a field error (Dutch, English) and changes
nothing: negative places, an organisation, sector, school or place the pool does not have, reservations
above the place's slots. Imports the standard library, the shared events and the matcher's pool.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, replace
from typing import Any, Mapping, Union

from stagepool_shared.events.places import Place, Reservation

from ..rounds.pool import Pool

FieldErrors = dict[str, list[tuple[str, str]]]
MAX_TRAVEL = 240
UNKNOWN_SCHOOL = ("Deze school heeft geen studenten in de pool.", "This school has no students in the pool.")


@dataclass(frozen=True)
class PlacesEdit:
    change: int
    organisation_id: str | None = None
    sector: str | None = None
    kind: str = "places"


@dataclass(frozen=True)
class DemandEdit:
    school_id: str
    percent: int
    kind: str = "demand"


@dataclass(frozen=True)
class TravelEdit:
    minutes: int
    school_id: str | None = None
    kind: str = "travel"


@dataclass(frozen=True)
class ReservedEdit:
    place_id: str
    school_id: str
    slots: int
    kind: str = "reserved"


Edit = Union[PlacesEdit, DemandEdit, TravelEdit, ReservedEdit]
KINDS: dict[str, type] = {"places": PlacesEdit, "demand": DemandEdit, "travel": TravelEdit, "reserved": ReservedEdit}


def edit_to_dict(edit: Edit) -> dict[str, Any]:
    return asdict(edit)


def edit_from_dict(data: Mapping[str, Any]) -> Edit:
    return KINDS[data["kind"]](**data)


def _schools(pool: Pool) -> set[str]:
    return {w.school_id for w in pool.wishes}


def _scope(pool: Pool, edit: PlacesEdit) -> list[Place]:
    return sorted((p for p in pool.places if edit.organisation_id in (None, p.organisation_id)
                   and edit.sector in (None, p.sector)), key=lambda p: p.place_id)


def _effective(place: Place) -> int:
    return max(0, min(place.slots, place.supervision_capacity))


def check_edit(pool: Pool, edit: Edit) -> FieldErrors:
    """Field errors of `edit` on `pool` ({} when it applies cleanly)."""
    errors: FieldErrors = {}
    if isinstance(edit, PlacesEdit):
        if edit.organisation_id is None and edit.sector is None:
            errors["organisation_id"] = [("Kies een organisatie of een sector.", "Choose an organisation or a sector.")]
        elif edit.organisation_id is not None and edit.organisation_id not in {p.organisation_id for p in pool.places}:
            errors["organisation_id"] = [("Deze organisatie heeft geen plaatsen in de pool.",
                                          "This organisation has no places in the pool.")]
        elif not _scope(pool, edit):
            errors["sector"] = [("Geen plaatsen in deze sector (bij deze organisatie).",
                                 "No places in this sector (at this organisation).")]
        elif sum(_effective(p) for p in _scope(pool, edit)) + edit.change < 0:
            errors["change"] = [("Dan blijven er minder dan 0 plekken over.", "That would leave fewer than 0 places.")]
    elif isinstance(edit, DemandEdit):
        if edit.school_id not in _schools(pool):
            errors["school_id"] = [UNKNOWN_SCHOOL]
        if edit.percent < -100:
            errors["percent"] = [("Minder dan -100 % kan niet.", "Less than -100 % is not possible.")]
    elif isinstance(edit, TravelEdit):
        if edit.school_id is not None and edit.school_id not in _schools(pool):
            errors["school_id"] = [UNKNOWN_SCHOOL]
    else:
        errors.update(_check_reserved(pool, edit))
    return errors


def _check_reserved(pool: Pool, edit: ReservedEdit) -> FieldErrors:
    place = next((p for p in pool.places if p.place_id == edit.place_id), None)
    if place is None:
        return {"place_id": [("Deze plaats is niet in de pool.", "This place is not in the pool.")]}
    if edit.school_id not in _schools(pool) | {r.school_id for r in place.reserved}:
        return {"school_id": [UNKNOWN_SCHOOL]}
    if edit.slots < 0:
        return {"slots": [("Een negatief aantal plekken kan niet.", "A negative number of places is not possible.")]}
    others = sum(r.slots for r in place.reserved if r.school_id != edit.school_id)
    if others + edit.slots > _effective(place):
        return {"slots": [(f"Meer dan de {_effective(place)} plekken van de plaats.",
                           f"More than the place's {_effective(place)} slots.")]}
    return {}


def apply_edits(pool: Pool, edits: tuple[Edit, ...] | list[Edit]) -> Pool:
    """The pool after every edit in order (each was checked when it was added)."""
    for edit in edits:
        pool = apply_edit(pool, edit)
    return pool


def apply_edit(pool: Pool, edit: Edit) -> Pool:
    if isinstance(edit, PlacesEdit):
        return _apply_places(pool, edit)
    if isinstance(edit, DemandEdit):
        return _apply_demand(pool, edit)
    if isinstance(edit, TravelEdit):
        wishes = tuple(replace(w, max_travel_minutes=min(MAX_TRAVEL, max(0, w.max_travel_minutes + edit.minutes)))
                       if edit.school_id in (None, w.school_id) else w for w in pool.wishes)
        return replace(pool, wishes=wishes)
    return _apply_reserved(pool, edit)


def _fit_reserved(place: Place) -> Place:
    """Reservations trimmed (last school first) to fit the place's effective slots."""
    left, kept = _effective(place), []
    for r in place.reserved:
        take = min(r.slots, left)
        left -= take
        if take > 0:
            kept.append(replace(r, slots=take))
    return replace(place, reserved=kept)


def _apply_places(pool: Pool, edit: PlacesEdit) -> Pool:
    scope = _scope(pool, edit)
    new: dict[str, Place] = {}
    if edit.change >= 0:
        share, extra = divmod(edit.change, len(scope))
        for i, p in enumerate(scope):
            add = share + (1 if i < extra else 0)
            new[p.place_id] = replace(p, slots=p.slots + add, supervision_capacity=p.supervision_capacity + add)
    else:
        remove = -edit.change
        for p in scope:
            take = min(_effective(p), remove)
            remove -= take
            left = _effective(p) - take
            new[p.place_id] = _fit_reserved(replace(p, slots=left, supervision_capacity=left))
    return replace(pool, places=tuple(new.get(p.place_id, p) for p in pool.places))


def _order(ref: str) -> bytes:
    return hashlib.blake2b(ref.encode(), digest_size=8).digest()


def _apply_demand(pool: Pool, edit: DemandEdit) -> Pool:
    own = sorted((w for w in pool.wishes if w.school_id == edit.school_id), key=lambda w: _order(w.student_ref))
    count = round(len(own) * abs(edit.percent) / 100)
    if edit.percent < 0:
        gone = {w.student_ref for w in own[:count]}
        return replace(pool, wishes=tuple(w for w in pool.wishes if w.student_ref not in gone),
                       fixed={k: v for k, v in pool.fixed.items() if k not in gone},
                       exclusions={k: v for k, v in pool.exclusions.items() if k not in gone})
    copies = tuple(replace(own[i % len(own)], student_ref=f"{own[i % len(own)].student_ref}-x{i // len(own) + 1}")
                   for i in range(count)) if own else ()
    return replace(pool, wishes=pool.wishes + copies)


def _apply_reserved(pool: Pool, edit: ReservedEdit) -> Pool:
    def changed(place: Place) -> Place:
        others = [r for r in place.reserved if r.school_id != edit.school_id]
        mine = [Reservation(edit.school_id, edit.slots)] if edit.slots > 0 else []
        return replace(place, reserved=sorted(others + mine, key=lambda r: r.school_id))
    return replace(pool, places=tuple(changed(p) if p.place_id == edit.place_id else p for p in pool.places))


def describe(edit: Edit) -> tuple[str, str]:
    """The edit in words (Dutch, English), for the page and the export."""
    if isinstance(edit, PlacesEdit):
        where = " · ".join(x for x in (edit.organisation_id, edit.sector) if x)
        return f"Plekken {edit.change:+d} bij {where}", f"Places {edit.change:+d} at {where}"
    if isinstance(edit, DemandEdit):
        return f"Vraag van {edit.school_id} {edit.percent:+d} %", f"Demand of {edit.school_id} {edit.percent:+d} %"
    if isinstance(edit, TravelEdit):
        who = edit.school_id or "iedereen"
        return (f"Reistijd {edit.minutes:+d} min ({who})",
                f"Travel time {edit.minutes:+d} min ({edit.school_id or 'everyone'})")
    return (f"Gereserveerd bij {edit.place_id} voor {edit.school_id}: {edit.slots}",
            f"Reserved at {edit.place_id} for {edit.school_id}: {edit.slots}")
