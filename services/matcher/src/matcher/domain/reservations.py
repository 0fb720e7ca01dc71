"""Reserved slots (bilateral school-organisation agreements): who holds them, and how many were released.

A place with effective slots c may reserve k_X slots for school X (sum of k_X <= c); the other
c - sum(k_X) slots are general. With n_X students of X at the place:

    X's students sit in X's reserved slots first:      min(n_X, k_X)
    everyone else needs a general slot:                rest = sum over schools of (n_s - min(n_s, k_s))
    released = max(0, rest - general)                  reserved slots taken by another school

Released slots are attributed to the schools with unfilled reservations, in school_id order. The rule
keeps "released" as small as possible right after "most students placed" (two tiers: reserved for X
first; slots X cannot use are released to the pool). Imports the standard library only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping

from matcher.domain.model import Place, RoundInput


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
