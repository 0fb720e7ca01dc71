"""The common ground of the baseline policies: seats, every student's preference list, and priorities.

Built once per scenario run from the round's canonical tables (`matcher.domain.tables`), so every policy sees
the same eligible pairs, the same capacities and the same preferences:

* **seats**: every place has one *general* seat group (the slots open to every school) and one *reserved*
  seat group per school with a bilateral reservation there; capacities are the residual slots after the
  binding placements took theirs (`domain.reservations.residual_slots`). Groups without a slot are dropped.
* **preferences**: a student ranks every eligible place (the hard criteria of the rule) in the rule's own
  wish order: wish cost (top-1, top-2, top-3, preferred organisation type, the rest; then the share of wanted
  activities offered), then travel minutes, then place id. At a place, a student of a school holding a
  reservation there asks for the school's reserved seats first, then the general ones; any other student asks
  for the general seats first, then the other schools' reserved seats (school order). Students with a
  binding placement keep it and take no part.
* **priorities**: a key per (student, seat group), lower is better. A reserved seat group ranks the students
  of its school before everyone else; within that, the policy's own order decides (see `policies`).

Imports numpy and matcher.domain only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.domain.eligibility import Pairs, eligible_pairs
from matcher.domain.preferences import pair_wish_costs
from matcher.domain.reservations import residual_slots
from matcher.domain.tables import RoundTables

PRECEDENCE_SHIFT = 61  # a key's top bit: the student is not of the school a reserved seat group is kept for
STUDENT_BITS = 20      # a key's low bits: the student's index (makes every key unique)
MAX_STUDENTS = 1 << STUDENT_BITS


@dataclass(frozen=True)
class Market:
    """Seat groups and preference lists of one round, in the canonical order of its tables.

    The preference lists are one array `pref_seat` cut per student by `starts` (student s asks for
    `pref_seat[starts[s]:starts[s + 1]]`, best first); `entry_student` names the student of each entry and
    `foreign` marks entries of a seat group reserved for another school.
    """

    tables: RoundTables
    schools: tuple[str, ...]
    student_school: np.ndarray
    seat_place: np.ndarray
    seat_school: np.ndarray   # school index the seat group is reserved for, -1 for the general seats
    seat_cap: np.ndarray
    starts: np.ndarray
    pref_seat: np.ndarray
    entry_student: np.ndarray
    foreign: np.ndarray
    eligible: np.ndarray      # per student: eligible places (a fixed student's own place included)
    fixed: np.ndarray         # per student: place index of the binding placement kept, -1 if none
    pairs: Pairs              # every eligible pair of the round (the rule's solver takes them as they are)

    @property
    def n_students(self) -> int:
        return len(self.student_school)

    def keys(self, students: np.ndarray, seats: np.ndarray, base: np.ndarray) -> np.ndarray:
        """Priority keys of (student, seat group) pairs from the policy's `base` key of each pair (< 2**60)."""
        outsider = (self.seat_school[seats] >= 0) & (self.seat_school[seats] != self.student_school[students])
        return (outsider.astype(np.int64) << PRECEDENCE_SHIFT) | base

    def positions(self, seat_of: np.ndarray) -> np.ndarray:
        """Per student: the index of the entry of its seat group in `pref_seat` (its end when it has none)."""
        n_seats = max(len(self.seat_cap), 1)
        codes = self.entry_student * n_seats + self.pref_seat
        order = np.argsort(codes, kind="stable")
        pos = self.starts[1:].copy()
        placed = np.nonzero(seat_of >= 0)[0]
        wanted = placed * n_seats + seat_of[placed]
        at = np.minimum(np.searchsorted(codes[order], wanted), max(len(codes) - 1, 0))
        found = codes[order][at] == wanted if len(codes) else np.zeros(len(placed), dtype=bool)
        pos[placed[found]] = order[at[found]]
        return pos


def build_market(rt: RoundTables) -> Market:
    """Seat groups and preference lists of a round's canonical tables."""
    st, pt = rt.students, rt.places
    if st.n >= MAX_STUDENTS:
        raise ValueError(f"a scenario takes fewer than {MAX_STUDENTS} students")
    residual = residual_slots(rt)
    schools = tuple(sorted({w.school_id for w in st.wishes} | {x for _, x in residual.reserved}))
    index = {x: i for i, x in enumerate(schools)}
    student_school = np.array([index[w.school_id] for w in st.wishes], dtype=np.int64)
    reserved = sorted(residual.reserved)
    seat_place = np.concatenate([np.arange(pt.n), [p for p, _ in reserved]]).astype(np.int64)
    seat_school = np.concatenate([np.full(pt.n, -1), [index[x] for _, x in reserved]]).astype(np.int64)
    seat_cap = np.maximum(np.concatenate([residual.general, [residual.reserved[k] for k in reserved]]), 0)
    pairs = eligible_pairs(rt)
    eligible = np.bincount(pairs.student, minlength=st.n).astype(np.int64)
    free = st.fixed[pairs.student] < 0
    s, p, minutes = pairs.student[free], pairs.place[free], pairs.minutes[free]
    wish, _, _ = pair_wish_costs(rt, s, p)
    order = np.lexsort((p, minutes, wish, s))
    s, p = s[order], p[order]
    groups = {}
    for q, (place, school) in enumerate(reserved, start=pt.n):
        groups.setdefault(place, []).append((q, index[school]))
    pair, seat, sub, foreign = _entries(s, p, student_school, groups)
    keep = seat_cap[seat] > 0
    pair, seat, sub, foreign = pair[keep], seat[keep], sub[keep], foreign[keep]
    ranked = np.lexsort((sub, pair))
    entry_student = s[pair[ranked]]
    return Market(
        tables=rt, schools=schools, student_school=student_school, seat_place=seat_place,
        seat_school=seat_school, seat_cap=seat_cap.astype(np.int64),
        starts=np.searchsorted(entry_student, np.arange(st.n + 1)).astype(np.int64),
        pref_seat=seat[ranked], entry_student=entry_student, foreign=foreign[ranked], eligible=eligible,
        fixed=st.fixed.copy(), pairs=pairs)


def _entries(s: np.ndarray, p: np.ndarray, school: np.ndarray, groups: dict[int, list[tuple[int, int]]]
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(pair index, seat group, order within the pair, foreign) of every preference entry.

    Pairs at a place without reservations give one entry (its general seats); at a reserving place the
    student's own school's reserved seats come first, then the general seats, then the others' reserved seats.
    """
    k = np.arange(len(s), dtype=np.int64)
    pair, seat, sub, foreign = [k], [p.copy()], [np.ones(len(s), dtype=np.int64)], [np.zeros(len(s), dtype=bool)]
    at = np.nonzero(np.isin(p, np.array(sorted(groups), dtype=np.int64)))[0] if groups else np.zeros(0, np.int64)
    extra: list[tuple[int, int, int, bool]] = []
    for i in at.tolist():
        own = int(school[s[i]])
        for rank, (q, holder) in enumerate(groups[int(p[i])]):
            extra.append((i, q, 0 if holder == own else 2 + rank, holder != own))
    if extra:
        cols = list(zip(*extra))
        pair.append(np.array(cols[0], dtype=np.int64))
        seat.append(np.array(cols[1], dtype=np.int64))
        sub.append(np.array(cols[2], dtype=np.int64))
        foreign.append(np.array(cols[3], dtype=bool))
    return np.concatenate(pair), np.concatenate(seat), np.concatenate(sub), np.concatenate(foreign)


def seats_of_places(market: Market, place_of: np.ndarray) -> np.ndarray:
    """Seat group per student of an allocation given per place (the rule's): at a reserving place the
    school's own reserved seats first, then general seats, then other schools' reserved seats; -1 for an
    unplaced student or one with a binding placement."""
    seat = np.where((place_of >= 0) & (market.fixed < 0), place_of, -1)
    reserving = np.unique(market.seat_place[len(market.tables.places.ids):])
    left = market.seat_cap.copy()
    by_place: dict[int, list[int]] = {}
    for q in range(len(market.tables.places.ids), len(left)):
        by_place.setdefault(int(market.seat_place[q]), []).append(q)
    for s in np.nonzero(np.isin(seat, reserving))[0].tolist():
        p, own = int(seat[s]), int(market.student_school[s])
        groups = by_place[p]
        mine = [q for q in groups if market.seat_school[q] == own]
        for q in mine + [p] + [q for q in groups if q not in mine]:
            if left[q] > 0:
                left[q] -= 1
                seat[s] = q
                break
    return seat
