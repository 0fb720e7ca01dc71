"""The most placed, certified from the solution itself: no augmenting path (validator side).

A flow is a maximum flow exactly when its residual network has no path from the source to the sink
(max-flow min-cut). On the plain placement network (student -> eligible place -> sink, a place's capacity its
slots left after the fixed placements), such a path starts at an unplaced student, alternates between an
eligible place the student does not hold and a student who holds that place, and ends at a place with a slot
to spare. One breadth-first search over the validator's own eligible pairs finds one or shows that there is
none, so the solution's count is the maximum without solving a max flow. When the solution is not a feasible
flow of that network, or a path exists, the answer is None and the caller solves the max flow.
Imports numpy, matcher.domain.eligibility (`runs`) and the validator's reference (`fair_bound`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from matcher.domain.eligibility import runs
from matcher.solver.fair_bound import Reference, _free_pairs


def plain_network(ref: Reference) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The plain placement network: the pairs of the students still to place (sorted by student, then place) and
    each place's slots left after the fixed placements (never below 0)."""
    st, pt = ref.tables.students, ref.tables.places
    s, p = _free_pairs(ref)
    return s, p, np.maximum(pt.capacity - np.bincount(st.fixed[st.fixed >= 0], minlength=pt.n), 0)


@dataclass(frozen=True)
class Certificate:
    """The solution's own proof that it places the most: no augmenting path. `per_group`: the students it places
    beyond the fixed ones, per group; `students`, `places`: what the search reached (the unplaced students with
    a pair among them), the source side of a minimum cut of the plain network, every one of those places full."""

    per_group: np.ndarray
    students: np.ndarray
    places: np.ndarray


def certificate(ref: Reference, placement: Mapping[str, str]) -> Certificate | None:
    """The Certificate when no allocation places more (no augmenting path); None when one may, or when the
    placements are not eligible pairs within the slots."""
    tables = ref.tables
    st, pt = tables.students, tables.places
    place_of = _new_places(tables, placement)
    if place_of is None:
        return None
    s, p, room = plain_network(ref)
    held = place_of >= 0
    if not _are_pairs(s, p, np.flatnonzero(held), place_of[held], pt.n):
        return None
    spare = room - np.bincount(place_of[held], minlength=pt.n)
    reached = None if (spare < 0).any() else _reach(s, p, place_of, spare, st.n)
    if reached is None:
        return None
    return Certificate(np.bincount(st.group[held], minlength=len(tables.groups)), *reached)


def _new_places(tables, placement: Mapping[str, str]) -> np.ndarray | None:
    """Per student, the place index the solution gives it when it is not fixed (-1: none or fixed)."""
    place_of = np.full(tables.students.n, -1, dtype=np.int64)
    for ref, place_id in placement.items():
        s, p = tables.student_index.get(ref), tables.place_index.get(place_id)
        if s is None or p is None:
            return None
        place_of[s] = p
    place_of[tables.students.fixed >= 0] = -1
    return place_of


def _are_pairs(s: np.ndarray, p: np.ndarray, students: np.ndarray, places: np.ndarray, n_places: int) -> bool:
    """Whether every (students[i], places[i]) is one of the pairs (s, p) (sorted by student, then place)."""
    keys = s.astype(np.int64) * n_places + p
    want = students.astype(np.int64) * n_places + places
    pos = np.minimum(np.searchsorted(keys, want), max(len(keys) - 1, 0))
    return bool(len(want) == 0 or (len(keys) and (keys[pos] == want).all()))


def _reach(s: np.ndarray, p: np.ndarray, place_of: np.ndarray, spare: np.ndarray,
           n: int) -> tuple[np.ndarray, np.ndarray] | None:
    """The breadth-first search, level by level: from the unplaced students with a pair to their places; from
    those places to the students who hold them; on, until a place with a spare slot is reached (None: an
    augmenting path) or no new place is (the students and places reached). `s` is sorted, so each student's
    pairs are one range."""
    count = np.bincount(s, minlength=n)
    first = np.cumsum(count) - count
    holders = np.argsort(place_of, kind="stable")
    holders = holders[place_of[holders] >= 0]  # the placed students, by their place
    held_count = np.bincount(place_of[holders], minlength=len(spare))
    held_first = np.cumsum(held_count) - held_count
    seen_student, seen_place = np.zeros(n, dtype=bool), np.zeros(len(spare), dtype=bool)
    frontier = np.flatnonzero((place_of < 0) & (count > 0))
    while len(frontier):
        seen_student[frontier] = True
        reached = np.zeros(len(spare), dtype=bool)
        reached[p[runs(first[frontier], count[frontier])]] = True
        places = np.flatnonzero(reached & ~seen_place)
        if (spare[places] > 0).any():
            return None
        seen_place[places] = True
        students = holders[runs(held_first[places], held_count[places])]
        frontier = students[~seen_student[students]]
    return seen_student, seen_place
