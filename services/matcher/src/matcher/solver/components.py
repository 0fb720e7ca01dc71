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


def _labels(n_nodes: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Connected-component label (smallest node id) of every node, by min-label propagation on links a-b."""
    label = np.arange(n_nodes)
    while True:
        m = np.minimum(label[a], label[b])
        new = label.copy()
        np.minimum.at(new, a, m)
        np.minimum.at(new, b, m)
        new = new[new]  # pointer jumping: follow labels to their own labels
        if np.array_equal(new, label):
            return label
        label = new


def _links(group: np.ndarray, place: np.ndarray, n_groups: int, n_places: int) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (group, place) links; a dense mark matrix when small enough, else a sort."""
    if n_groups * n_places <= 50_000_000:
        mark = np.zeros((n_groups, n_places), dtype=bool)
        mark[group, place] = True
        return np.nonzero(mark)
    keys = np.unique(group.astype(np.int64) * n_places + place)
    return keys // n_places, keys % n_places


@dataclass(frozen=True)
class Component:
    """Index arrays (canonical order) of one independent sub-problem."""

    groups: np.ndarray
    students: np.ndarray
    places: np.ndarray
    pairs: np.ndarray         # indices into SolverInstance.pairs (int32, ascending)
    reservations: np.ndarray  # indices into SolverInstance.reservations


def components(inst: SolverInstance) -> list[Component]:
    """Independent components that contain at least one eligible pair, in canonical order."""
    n_groups, n_places = len(inst.demand), inst.tables.places.n
    if inst.pairs.n == 0:
        return []
    group_of_pair = inst.tables.students.group.astype(np.int32)[inst.pairs.student]
    g_link, p_link = _links(group_of_pair, inst.pairs.place, n_groups, n_places)
    root = _labels(n_groups + n_places, g_link, p_link + n_groups)
    pair_root = root[:n_groups].astype(np.int32)[group_of_pair]
    del group_of_pair
    order = np.argsort(pair_root, kind="stable").astype(np.int32)
    bounds = np.flatnonzero(np.diff(pair_root[order])) + 1
    result = []
    for chunk in np.split(order, bounds):
        r = pair_root[chunk[0]]
        places = np.nonzero(root[n_groups:] == r)[0]
        chunk = np.sort(chunk)
        s = inst.pairs.student[chunk]  # pairs are sorted by student, so s is non-decreasing
        result.append(Component(
            groups=np.nonzero(root[:n_groups] == r)[0],
            students=s[np.r_[True, s[1:] != s[:-1]]] if len(s) else s,
            places=places,
            pairs=chunk,
            reservations=np.nonzero(np.isin(inst.reservations.place, places))[0],
        ))
    return result
