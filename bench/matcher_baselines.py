"""The matcher's comparison methods: what Stagepool's fair rule is measured against.

All take a RoundInput and return {student_ref: place_id}; all start from the same domain eligibility
(`build_tables` + `eligible_pairs`, timed as part of each method) and respect capacity (effective slots,
reserved slots treated as general slots) and every hard constraint. A student's preference order over
eligible places is the rule's own order: wish cost, then travel minutes, then the seeded pair lottery.

  min_cost_flow        one OR-tools min-cost flow (max placements, then min total wish cost), no fairness
  first_come           today's practice: schools in a fixed order (school_id), each student in arrival
                       order (input order) takes the best eligible place that is still free
  deferred_acceptance  student-proposing DA with one lottery as every place's priority (DA-STB), plain
                       Python with heaps
  matching_da          the same DA through the `matching` package (1.4.3, HospitalResident); 1k only
Imports numpy, ortools, matching and matcher.domain.
"""

from __future__ import annotations

import sys
import threading

import numpy as np
from ortools.graph.python import min_cost_flow

from matcher.domain.eligibility import eligible_pairs
from matcher.domain.lottery import pair_lottery, stable_hash
from matcher.domain.model import RoundInput
from matcher.domain.preferences import pair_wish_costs
from matcher.domain.tables import RoundTables, build_tables


def _prepared(rnd: RoundInput, ordered: bool = True) -> tuple[RoundTables, np.ndarray, np.ndarray, np.ndarray]:
    """Tables, eligible pairs (student, place) and wish costs; `ordered`: sorted by each student's preference."""
    rt = build_tables(rnd)
    pairs = eligible_pairs(rt)
    wish, _, _ = pair_wish_costs(rt, pairs.student, pairs.place)
    if not ordered:
        return rt, pairs.student, pairs.place, wish
    lot = pair_lottery(rt.students.profile_hash[pairs.student], rt.places.place_hash[pairs.place], 1 << 20)
    order = np.lexsort((lot, pairs.minutes, wish, pairs.student))
    return rt, pairs.student[order], pairs.place[order], wish[order]


def _result(rt: RoundTables, student: np.ndarray, place: np.ndarray) -> dict[str, str]:
    return {rt.students.refs[s]: rt.places.ids[p] for s, p in zip(student.tolist(), place.tolist())}


def min_cost_flow_plain(rnd: RoundInput) -> dict[str, str]:
    """Max placements, then the least total wish cost; one OR-tools min-cost flow, no fairness."""
    rt, s, p, wish = _prepared(rnd, ordered=False)
    placed = plain_flow_mask(s, p, wish, rt.students.n, rt.places.capacity)
    return _result(rt, s[placed], p[placed])


def plain_flow_mask(s: np.ndarray, p: np.ndarray, wish: np.ndarray, n_s: int, capacity: np.ndarray) -> np.ndarray:
    """Which pairs (s[k], p[k]) the plain min-cost flow uses: max placements, then the least wish cost.

    Students are 0..n_s-1 and places 0..len(capacity)-1, each pair costing its wish cost; one unit of supply
    per student. Also the floor's flow per pool (matcher_floor), on the pool's local indices.
    """
    n_p = len(capacity)
    source, sink = n_s + n_p, n_s + n_p + 1
    tails = np.concatenate([np.full(n_s, source), s, n_s + np.arange(n_p)]).astype(np.int32)
    heads = np.concatenate([np.arange(n_s), n_s + p, np.full(n_p, sink)]).astype(np.int32)
    caps = np.concatenate([np.ones(n_s + len(s)), capacity]).astype(np.int64)
    costs = np.concatenate([np.zeros(n_s), wish, np.zeros(n_p)]).astype(np.int64)
    mcf = min_cost_flow.SimpleMinCostFlow()
    arcs = mcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    mcf.set_node_supply(source, n_s)
    mcf.set_node_supply(sink, -n_s)
    if mcf.solve_max_flow_with_min_cost() != mcf.OPTIMAL:
        raise RuntimeError("plain min-cost flow failed")
    return np.asarray(mcf.flows(np.asarray(arcs, dtype=np.int32)))[n_s:n_s + len(s)] > 0


def first_come(rnd: RoundInput) -> dict[str, str]:
    """Schools in school_id order; each school's students in arrival order take their best free place."""
    rt, s, p, _ = _prepared(rnd)
    starts = np.searchsorted(s, np.arange(rt.students.n + 1))
    free = rt.places.capacity.copy()
    arrival = {w.student_ref: i for i, w in enumerate(rnd.wishes)}
    queue = sorted(range(rt.students.n), key=lambda i: (rt.students.wishes[i].school_id, arrival[rt.students.refs[i]]))
    got_s, got_p = [], []
    places = p.tolist()
    for i in queue:
        for j in places[starts[i]:starts[i + 1]]:
            if free[j] > 0:
                free[j] -= 1
                got_s.append(i)
                got_p.append(j)
                break
    return _result(rt, np.array(got_s, dtype=np.int64), np.array(got_p, dtype=np.int64))


def deferred_acceptance(rnd: RoundInput) -> dict[str, str]:
    """Student-proposing deferred acceptance, single tie-break lottery (plain Python, heaps)."""
    import heapq

    rt, s, p, _ = _prepared(rnd)
    starts = np.searchsorted(s, np.arange(rt.students.n + 1)).tolist()
    prefs = p.tolist()
    ticket = [stable_hash(rnd.seed, "da", ref) for ref in rt.students.refs]
    cap = rt.places.capacity.tolist()
    held: list[list[tuple[int, int]]] = [[] for _ in range(rt.places.n)]  # max-heap by ticket via negation
    nxt = starts[:-1].copy()
    free = [i for i in range(rt.students.n) if starts[i] < starts[i + 1]]
    while free:
        i = free.pop()
        while nxt[i] < starts[i + 1]:
            j = prefs[nxt[i]]
            nxt[i] += 1
            if cap[j] <= 0:
                continue
            heap = held[j]
            if len(heap) < cap[j]:
                heapq.heappush(heap, (-ticket[i], i))
                break
            if -heap[0][0] > ticket[i]:
                _, out = heapq.heapreplace(heap, (-ticket[i], i))
                free.append(out)
                break
    pairs = [(i, j) for j, heap in enumerate(held) for _, i in heap]
    return _result(rt, np.array([a for a, _ in pairs], dtype=np.int64), np.array([b for _, b in pairs], dtype=np.int64))


def matching_da(rnd: RoundInput) -> dict[str, str]:
    """DA through the `matching` package as documented (needs a big thread stack: deep copies)."""
    from matching.games import HospitalResident

    rt, s, p, _ = _prepared(rnd)
    starts = np.searchsorted(s, np.arange(rt.students.n + 1)).tolist()
    refs, ids = rt.students.refs, rt.places.ids
    resident_prefs = {refs[i]: [ids[j] for j in p[starts[i]:starts[i + 1]].tolist()]
                      for i in range(rt.students.n) if starts[i] < starts[i + 1]}
    lottery = sorted(resident_prefs, key=lambda r: stable_hash(rnd.seed, "da", r))
    applicants: dict[str, list[str]] = {}
    for r in lottery:
        for h in resident_prefs[r]:
            applicants.setdefault(h, []).append(r)
    capacities = {h: int(rt.places.capacity[rt.place_index[h]]) for h in applicants}
    out: dict[str, str] = {}

    def work() -> None:
        game = HospitalResident.create_from_dictionaries(resident_prefs, applicants, capacities)
        for hospital, residents in game.solve(optimal="resident").items():
            for r in residents:
                out[r.name] = hospital.name

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 100_000))
    threading.stack_size(1 << 30)
    thread = threading.Thread(target=work)
    thread.start()
    thread.join()
    return out
