"""Reserved slots (bilateral school-organisation agreements): who holds them, and how many were released.

A place with effective slots c may reserve k_X slots for school X (sum of k_X <= c); the other
c - sum(k_X) slots are general. With n_X students of X at the place:

    X's students sit in X's reserved slots first:      min(n_X, k_X)
    everyone else needs a general slot:                rest = sum over schools of (n_s - min(n_s, k_s))
    released = max(0, rest - general)                  reserved slots taken by another school

Released slots are attributed to the schools with unfilled reservations, in school_id order. The rule
keeps "released" as small as possible right after "most students placed" (two tiers: reserved for X
first; slots X cannot use are released to the pool). Imports the standard library, numpy and the domain.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from matcher.domain.model import Place, RoundInput
from matcher.domain.tables import RoundTables


@dataclass(frozen=True)
class ResidualSlots:
    """Slots still open after the fixed placements of a re-match took theirs."""

    general: np.ndarray                     # per place (canonical order): slots open to every school
    reserved: dict[tuple[int, str], int]    # (place index, school_id) -> reserved slots left (> 0 only)
    fixed_released: int                     # fixed placements that had to take another school's reserved slot


def residual_slots(rt: RoundTables) -> ResidualSlots:
    """Take each fixed placement's slot: a reserved slot of its own school first, then a general slot,
    then another school's reserved slot (school_id order; that one counts as released)."""
    general = rt.places.capacity.copy()
    reserved: dict[tuple[int, str], int] = {}
    for p, place in enumerate(rt.places.places):
        for r in place.reserved:
            reserved[(p, r.school_id)] = r.slots
            general[p] -= r.slots
    released = 0
    for s in np.nonzero(rt.students.fixed >= 0)[0]:
        p, x = int(rt.students.fixed[s]), rt.students.wishes[s].school_id
        if reserved.get((p, x), 0) > 0:
            reserved[(p, x)] -= 1
        elif general[p] > 0:
            general[p] -= 1
        else:
            key = next(k for k in sorted(reserved) if k[0] == p and reserved[k] > 0)
            reserved[key] -= 1
            released += 1
    return ResidualSlots(general, {k: v for k, v in sorted(reserved.items()) if v > 0}, released)


def released_slots(place: Place, occupant_schools: Iterable[str]) -> dict[str, int]:
    """school_id -> reserved slots of that school taken by other schools' students at `place`."""
    if not place.reserved:
        return {}
    n = Counter(occupant_schools)
    k = {r.school_id: r.slots for r in place.reserved}
    general = place.effective_slots - sum(k.values())
    over = max(0, sum(n[s] - min(n[s], k.get(s, 0)) for s in n) - general)
    out: dict[str, int] = {}
    for school in sorted(k):
        take = min(over, k[school] - min(n[school], k[school]))
        if take > 0:
            out[school] = take
            over -= take
    return out


def released_by_place(rnd: RoundInput, placement: Mapping[str, str]) -> dict[tuple[str, str], int]:
    """(place_id, school_id) -> released reserved slots, for a student_ref -> place_id placement."""
    reserving = {p.place_id: p for p in rnd.places if p.reserved}
    if not reserving:
        return {}
    occupants: dict[str, list[str]] = {}
    for ref, pid in placement.items():
        if pid in reserving:
            occupants.setdefault(pid, []).append(ref)
    wanted = {ref for refs in occupants.values() for ref in refs}
    school = {w.student_ref: w.school_id for w in rnd.wishes if w.student_ref in wanted}
    out = {}
    for pid in sorted(reserving):
        schools = [school[ref] for ref in occupants.get(pid, ())]
        for x, count in released_slots(reserving[pid], schools).items():
            out[(pid, x)] = count
    return out
