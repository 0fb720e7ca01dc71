"""The baseline policies a scenario compares with the Stagepool rule, on a `market.Market`.

  da_common      (b) student-proposing deferred acceptance, one common lottery: every seat group ranks the
                 students by the same seeded draw (the tables' canonical order, itself a seeded lottery blind
                 to names and input order)
  da_per_place   (c) the same, with a lottery per place: every place draws its own order (a seeded hash of
                 the student's profile and the place; the literature calls this "a lottery per school",
                 multiple tie-breaking)
  first_come     (d) today's practice, first come first served per school: each school sends its students
                 one by one in the order they signed up, the schools at the same pace (the k-th student of
                 every school before the (k+1)-th of any); each student takes the best eligible place with a
                 free slot at that moment. Reserved slots stay with their school (nobody else takes them).
                 The matcher keeps no moment of sign-up (matching is blind), so a seeded draw per school
                 stands for it.

Every policy returns the seat group per student (-1: none). Deferred acceptance runs in rounds on numpy
arrays: all free students propose at once, and each seat group keeps its best applicants up to capacity.
Imports numpy and matcher.domain only.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from matcher.domain.lottery import pair_lottery

from .market import STUDENT_BITS, Market

#: base key of (students, seat groups) before the reserved-seat precedence (lower is better)
BaseKey = Callable[[np.ndarray, np.ndarray], np.ndarray]
LOTTERY_BITS = 39
_ARRIVAL_MIX = np.uint64(0xD1B54A32D192ED03)


def common_lottery(market: Market) -> BaseKey:
    """(b): the student's place in the canonical order, the same at every seat group."""
    return lambda students, seats: students.astype(np.int64)


def place_lottery(market: Market) -> BaseKey:
    """(c): a draw per place: a seeded hash of (student profile, place), ties by the canonical order."""
    st, pt = market.tables.students, market.tables.places

    def key(students: np.ndarray, seats: np.ndarray) -> np.ndarray:
        places = market.seat_place[seats]
        draw = pair_lottery(st.profile_hash[students], pt.place_hash[places], 1 << LOTTERY_BITS)
        return (draw << STUDENT_BITS) | students.astype(np.int64)
    return key


def arrival_order(market: Market) -> np.ndarray:
    """(d): per student its turn (0 first): the k-th of every school before the (k+1)-th of any school;
    within a school a seeded draw, among the k-th students the schools in a seeded order."""
    st = market.tables.students
    n = market.n_students
    draw = pair_lottery(st.profile_hash, np.full(n, _ARRIVAL_MIX, dtype=np.uint64), 1 << LOTTERY_BITS)
    within = np.lexsort((np.arange(n), draw, market.student_school))
    k = np.empty(n, dtype=np.int64)
    school_sorted = market.student_school[within]
    first = np.searchsorted(school_sorted, school_sorted)
    k[within] = np.arange(n) - first
    school_draw = pair_lottery(np.arange(len(market.schools), dtype=np.uint64) + np.uint64(1),
                               np.full(len(market.schools), _ARRIVAL_MIX, dtype=np.uint64), 1 << 30)
    turn = np.empty(n, dtype=np.int64)
    turn[np.lexsort((np.arange(n), school_draw[market.student_school], k))] = np.arange(n)
    return turn


def arrival_key(market: Market) -> BaseKey:
    """(d) as a priority: the student's turn, the same at every seat group (used to count envy)."""
    turn = arrival_order(market)
    return lambda students, seats: turn[students]


def deferred_acceptance(market: Market, base: BaseKey) -> np.ndarray:
    """Student-proposing deferred acceptance; returns the seat group per student (-1: none)."""
    starts, end, prefs, cap = market.starts, market.starts[1:], market.pref_seat, market.seat_cap
    nxt = starts[:-1].copy()
    held_s = held_q = held_k = np.zeros(0, dtype=np.int64)
    active = np.nonzero(nxt < end)[0]
    touched = np.zeros(len(cap), dtype=bool)
    while active.size:
        seats = prefs[nxt[active]]
        keys = market.keys(active, seats, base(active, seats))
        nxt[active] += 1
        touched[seats] = True
        at = touched[held_q]  # only the seat groups asked this round are sorted again
        touched[seats] = False
        all_s, all_q, all_k = (np.concatenate(x) for x in ((held_s[at], active), (held_q[at], seats),
                                                            (held_k[at], keys)))
        order = np.lexsort((all_k, all_q))
        all_s, all_q, all_k = all_s[order], all_q[order], all_k[order]
        rank = np.arange(len(all_q)) - np.searchsorted(all_q, all_q)
        ok = rank < cap[all_q]
        keep = ~at
        held_s, held_q, held_k = (np.concatenate(x) for x in ((held_s[keep], all_s[ok]), (held_q[keep], all_q[ok]),
                                                               (held_k[keep], all_k[ok])))
        rejected = all_s[~ok]
        active = rejected[nxt[rejected] < end[rejected]]
    seat = np.full(market.n_students, -1, dtype=np.int64)
    seat[held_s] = held_q
    return seat


def first_come(market: Market) -> np.ndarray:
    """(d): students in turn take the best eligible seat group with a free slot, never another school's
    reserved seats; returns the seat group per student (-1: none)."""
    free = market.seat_cap.tolist()
    prefs, foreign, starts = market.pref_seat.tolist(), market.foreign.tolist(), market.starts.tolist()
    seat = [-1] * market.n_students
    for s in np.argsort(arrival_order(market), kind="stable").tolist():
        for e in range(starts[s], starts[s + 1]):
            q = prefs[e]
            if not foreign[e] and free[q] > 0:
                free[q] -= 1
                seat[s] = q
                break
    return np.array(seat, dtype=np.int64)


def places_of(market: Market, seat: np.ndarray) -> np.ndarray:
    """Place index per student: the seat group's place, or the binding placement's; -1 when unplaced."""
    place = np.full(len(seat), -1, dtype=np.int64)
    place[seat >= 0] = market.seat_place[seat[seat >= 0]]
    return np.where(market.fixed >= 0, market.fixed, place)
