"""Split a round into independent sub-problems ("super-components").

Two students interact only through places they can both take, and through their school's share of a
pool. So the union of (group -- place) links over all eligible pairs splits the round into components
that share no place and no group; the whole objective (placements, per-group convex fairness cost,
wish/travel/lottery costs) is a sum over components, and each is solved on its own. Fairness is *not*
relaxed by this: a group lies entirely inside one component. `split` gives each component pair
columns of its own, for a solve that frees them component by component.
Imports numpy, matcher.domain.eligibility (Pairs, the links) and matcher.solver's instance and heap.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from matcher.domain.eligibility import Pairs, group_place_links, runs
from matcher.solver import heap
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


def _links(inst: SolverInstance) -> tuple[np.ndarray, np.ndarray]:
    """Distinct (group, place) links of the eligible pairs (`group_place_links`)."""
    return group_place_links(inst.tables.students.group, inst.pairs.student, inst.pairs.place, len(inst.demand),
                             inst.tables.places.n)


@dataclass(frozen=True)
class Component:
    """Index arrays (canonical order) of one independent sub-problem."""

    groups: np.ndarray
    students: np.ndarray
    places: np.ndarray
    pairs: np.ndarray         # indices into SolverInstance.pairs (int32, ascending)
    reservations: np.ndarray  # indices into SolverInstance.reservations


def components(inst: SolverInstance) -> list[Component]:
    """Independent components that contain at least one eligible pair, in canonical order.

    A component's pairs are the pair ranges of its students (the pairs are sorted by student), so no sort
    of the round's pairs is needed: at 250,000 students that sort held ~0.5 GB of temporaries.
    """
    n_groups, n_places = len(inst.demand), inst.tables.places.n
    if inst.pairs.n == 0:
        return []
    g_link, p_link = _links(inst)
    root = _labels(n_groups + n_places, g_link, p_link + n_groups)
    count = np.bincount(inst.pairs.student, minlength=inst.tables.students.n)
    start = np.cumsum(count) - count  # the first pair of each student
    student_root = np.where(count > 0, root[:n_groups][inst.tables.students.group], -1)
    result = []
    for r in np.unique(student_root[student_root >= 0]):
        students = np.nonzero(student_root == r)[0].astype(inst.pairs.student.dtype)
        places = np.nonzero(root[n_groups:] == r)[0]
        result.append(Component(
            groups=np.nonzero(root[:n_groups] == r)[0],
            students=students,
            places=places,
            pairs=runs(start[students], count[students]),
            reservations=np.nonzero(np.isin(inst.reservations.place, places))[0],
        ))
    return result


@dataclass(frozen=True)
class Part:
    """A component with pair columns of its own (its pairs are all of them, in the round's pair order)."""

    comp: Component  # `pairs` left empty: `narrowed` numbers the part's own pairs
    pairs: Pairs
    wish: np.ndarray

    def narrowed(self, inst: SolverInstance) -> tuple[SolverInstance, Component]:
        """The instance narrowed to this part's pair columns, and the component over them: the solver's
        arcs, costs and flows are the same as on the round's columns."""
        return (replace(inst, pairs=self.pairs, wish=self.wish),
                replace(self.comp, pairs=np.arange(self.pairs.n, dtype=np.int32)))


def split(inst: SolverInstance, comps: list[Component]) -> tuple[SolverInstance, list[Part]]:
    """The instance without pair columns, and each component with its own (issue 17.4, memory).

    The round's columns are cut one at a time and each is dropped once cut, so at most one column is held
    twice; a part's columns go when the caller drops the part. Frees memory only when nothing else holds
    the round's columns (the solve computed them itself).
    """
    columns = {"student": inst.pairs.student, "place": inst.pairs.place, "minutes": inst.pairs.minutes,
               "wish": inst.wish}
    none = np.zeros(0, dtype=np.int32)
    inst = replace(inst, pairs=Pairs(none, none, none.astype(inst.pairs.minutes.dtype)), wish=none)
    cut = {}
    for name in list(columns):
        heap.give_back()  # the pages of the column dropped before (and of the components' temporaries)
        cut[name] = [columns[name][c.pairs] for c in comps]
        del columns[name]
    return inst, [Part(replace(c, pairs=none), Pairs(s, p, m), w)
                  for c, s, p, m, w in zip(comps, cut["student"], cut["place"], cut["minutes"], cut["wish"])]
