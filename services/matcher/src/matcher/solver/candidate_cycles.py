"""The validator's cheap certificate of variant 2's candidates at scale: residual cycles on its own network.

Built from the domain tables and eligible pairs (never the solver's networks): one node per bin (school
group, scarce level with the solution's cutoff), student, place, reservation entry and reservation slot,
and the sink. Bins supply their placed students; each reservation's released slots (what the place's
general slots cannot hold, filled into its spare reserved slots in order) are moved from the place node to
the slot node as fixed supplies. Every flow of this network is an allocation with the solution's group
totals, scarce-level counts and released slots. The solution's own flow is written down arc by arc; an
offered pair it leaves empty is used by another such flow when the pair arc lies on a residual cycle, i.e.
when its two ends share a strongly connected component. That is sufficient, not necessary (bins and the
release pattern are fixed): a pair it does not certify goes to the exact forced min-cost flow
(`candidate_bound.forced_pair_achievable`).
Imports numpy and matcher.domain, and the generic strongly-connected-components routine.
"""

from __future__ import annotations

import numpy as np

from matcher.domain.model import Solution
from matcher.domain.reservations import residual_slots
from matcher.solver.equivalents import strong_components
from matcher.solver.fair_bound import Reference


def _bins(ref: Reference, cutoff: int | None) -> np.ndarray:
    """Per student: its bin (group, scarce key with the keys above the cutoff merged)."""
    from matcher.solver.scarce_bound import keys_of

    keys = keys_of(ref)
    if cutoff is not None:
        keys = np.minimum(keys, cutoff + 1)
    return np.unique(ref.tables.students.group * (int(keys.max(initial=0)) + 2) + keys, return_inverse=True)[1]


def cycle_certified(ref: Reference, sol: Solution, todo: list[tuple[int, int]]) -> list[bool]:
    """Per (student index, place index) of `todo`: certified by a residual cycle of the solution's flow."""
    rt = ref.tables
    st, pt = rt.students, rt.places
    keep = st.fixed[ref.pairs.student] < 0
    s, p = ref.pairs.student[keep], ref.pairs.place[keep]
    at = np.full(st.n, -1, dtype=np.int64)
    for a in sol.assignments:
        if not a.fixed:
            at[rt.student_index[a.student_ref]] = rt.place_index[a.place_id]
    residual = residual_slots(rt)
    r_keys = sorted(residual.reserved)
    bins = _bins(ref, sol.stats.scarce_cutoff)
    n_bins = int(bins.max(initial=-1)) + 1
    s0 = n_bins
    p0, e0 = s0 + st.n, s0 + st.n + pt.n
    t0, sink = e0 + len(r_keys), e0 + 2 * len(r_keys)
    heads = _heads(ref, s, p, r_keys, p0, e0)
    used = at[s] == p
    arrive = np.bincount(heads[used], minlength=sink + 1)
    slots = np.array([residual.reserved[k] for k in r_keys], dtype=np.int64)
    own = np.minimum(arrive[e0:t0], slots)
    place_in = arrive[p0:e0].copy()
    r_place = np.array([k[0] for k in r_keys], dtype=np.int64)
    np.add.at(place_in, r_place, arrive[e0:t0] - own)
    excess = np.maximum(place_in - residual.general, 0)
    released = np.zeros(len(r_keys), dtype=np.int64)
    for i, q in enumerate(r_place.tolist()):
        released[i] = min(int(slots[i] - own[i]), int(excess[q]))
        excess[q] -= released[i]
    general_flow = place_in.copy()
    np.subtract.at(general_flow, r_place, released)
    flow_students = np.unique(s)
    tails = np.concatenate([bins[flow_students], s0 + s, p0 + np.arange(pt.n), e0 + np.arange(len(r_keys)),
                            e0 + np.arange(len(r_keys)), t0 + np.arange(len(r_keys))])
    heads_all = np.concatenate([s0 + flow_students, heads, np.full(pt.n, sink), t0 + np.arange(len(r_keys)),
                                p0 + r_place, np.full(len(r_keys), sink)])
    caps = np.concatenate([np.ones(len(flow_students) + len(s), dtype=np.int64), np.maximum(residual.general, 0),
                           slots, np.full(len(r_keys), st.n + 1), slots])
    flows = np.concatenate([at[flow_students] >= 0, used, general_flow, own, arrive[e0:t0] - own, own + released])
    fwd, back = flows < caps, flows > 0
    label = strong_components(sink + 1, np.concatenate([tails[fwd], heads_all[back]]),
                              np.concatenate([heads_all[fwd], tails[back]]))
    keys = s.astype(np.int64) * pt.n + p  # int32 pair columns: the key needs 64 bits
    order = np.argsort(keys, kind="stable")
    want = np.array([a * pt.n + b for a, b in todo], dtype=np.int64)
    pos = np.minimum(np.searchsorted(keys[order], want), max(len(keys) - 1, 0))
    hit = (keys[order][pos] == want) if len(keys) else np.zeros(len(want), dtype=bool)
    ok = hit & (label[s0 + want // pt.n] == label[heads[order][pos]]) if len(keys) else hit
    return ok.tolist()


def _heads(ref: Reference, s: np.ndarray, p: np.ndarray, r_keys: list, p0: int, e0: int) -> np.ndarray:
    """Head node of each pair arc: the entry of (place, the student's school)'s reservation, else the place."""
    heads = p0 + p
    if not r_keys:
        return heads
    names = sorted({w.school_id for w in ref.tables.students.wishes} | {x for _, x in r_keys})
    code = {x: i for i, x in enumerate(names)}
    school = np.array([code[w.school_id] for w in ref.tables.students.wishes], dtype=np.int64)
    r_code = np.array([q * len(names) + code[x] for q, x in r_keys], dtype=np.int64)  # sorted like r_keys
    want = p * len(names) + school[s]
    pos = np.minimum(np.searchsorted(r_code, want), len(r_code) - 1)
    return np.where(r_code[pos] == want, e0 + pos, heads)
