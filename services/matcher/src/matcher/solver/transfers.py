"""Improving single transfers between groups: the full lexicographic max-min certificate (small rounds).

A transfer moves one placement from group b to group a along an alternating path (an unplaced student
of a takes a place, its occupant moves on, ..., a student of b ends unplaced). With the exchange
argument of docs/matching.md, "no improving transfer" is equivalent to lexicographic max-min rates.
Plain Python breadth-first search, O(groups x pairs): meant for tests and rounds of a few thousand.
Imports numpy and matcher.solver.fair_bound (the validator's reference data).
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from matcher.solver.fair_bound import Reference


def _improves(xa: int, da: int, xb: int, db: int) -> bool:
    """Moving one placement from group b to group a improves the sorted rate vector."""
    if xa * db != (xb - 1) * da:
        return xa * db < (xb - 1) * da
    return (xa + 1) * db > xb * da


def improving_transfer(ref: Reference, placement: dict[str, str]) -> str | None:
    """A description of an improving single transfer (or augmenting path), or None when there is none."""
    rt, pairs = ref.tables, ref.pairs
    st, pt = rt.students, rt.places
    options = defaultdict(list)
    for s, p in zip(pairs.student.tolist(), pairs.place.tolist()):
        if st.fixed[s] < 0:
            options[s].append(p)
    where = {rt.student_index[r]: rt.place_index[p] for r, p in placement.items()}
    occupants = defaultdict(list)
    for s, p in where.items():
        if st.fixed[s] < 0:
            occupants[p].append(s)
    free = pt.capacity - np.bincount(np.array(list(where.values()), dtype=np.int64), minlength=pt.n)
    x = np.bincount([st.group[s] for s in where], minlength=len(rt.groups))
    d = np.bincount(st.group, minlength=len(rt.groups))
    for a in range(len(rt.groups)):
        start = [s for s in range(st.n) if st.group[s] == a and s not in where and options[s]]
        seen, queue = set(start), list(start)
        while queue:
            i = queue.pop()
            for p in options[i]:
                if where.get(i) == p:
                    continue
                if free[p] > 0:
                    return f"augmenting path from group {rt.groups[a]} to free place {pt.ids[p]}"
                for j in occupants[p]:
                    if j not in seen:
                        seen.add(j)
                        queue.append(j)
        for j in seen - set(start):
            b = st.group[j]
            if b != a and _improves(x[a], d[a], x[b], d[b]):
                return f"moving a place from {rt.groups[b]} ({x[b]}/{d[b]}) to {rt.groups[a]} ({x[a]}/{d[a]}) improves"
    return None
