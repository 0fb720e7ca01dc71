"""Split a round into independent sub-problems ("super-components").

Two students interact only through places they can both take, and through their school's share of a
pool. So the union of (group -- place) links over all eligible pairs splits the round into components
that share no place and no group; the whole objective (placements, per-group convex fairness cost,
wish/travel/lottery costs) is a sum over components, and each is solved on its own. Fairness is *not*
relaxed by this: a group lies entirely inside one component.
Imports numpy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.solver.instance import SolverInstance


def _find(parent: list[int], x: int) -> int:
    root = x
    while parent[root] != root:
        root = parent[root]
    while parent[x] != root:
        parent[x], x = root, parent[x]
    return root


@dataclass(frozen=True)
class Component:
    """Index arrays (canonical order) of one independent sub-problem."""

    groups: np.ndarray
    students: np.ndarray
    places: np.ndarray
    pairs: np.ndarray         # indices into SolverInstance.pairs
    reservations: np.ndarray  # indices into SolverInstance.reservations


def components(inst: SolverInstance) -> list[Component]:
    """Independent components that contain at least one eligible pair, in canonical order."""
    n_groups, n_places = len(inst.demand), inst.tables.places.n
    if inst.pairs.n == 0:
        return []
    group_of_pair = inst.tables.students.group[inst.pairs.student]
    links = np.unique(group_of_pair * n_places + inst.pairs.place)
    parent = list(range(n_groups + n_places))
    for g, p in zip((links // n_places).tolist(), (links % n_places + n_groups).tolist()):
        rg, rp = _find(parent, g), _find(parent, p)
        if rg != rp:
            parent[max(rg, rp)] = min(rg, rp)
    root = np.array([_find(parent, i) for i in range(n_groups + n_places)], dtype=np.int64)
    pair_root = root[group_of_pair]
    order = np.argsort(pair_root, kind="stable")
    bounds = np.flatnonzero(np.diff(pair_root[order])) + 1
    result = []
    for chunk in np.split(order, bounds):
        r = pair_root[chunk[0]]
        places = np.nonzero(root[n_groups:] == r)[0]
        result.append(Component(
            groups=np.nonzero(root[:n_groups] == r)[0],
            students=np.unique(inst.pairs.student[chunk]),
            places=places,
            pairs=np.sort(chunk),
            reservations=np.nonzero(np.isin(inst.reservations.place, places))[0],
        ))
    return result
