"""The solver's view of one regional round: canonical tables, eligible pairs, costs and residual capacity.

Built once from a consistent `RoundInput`; frozen afterwards. Fixed placements are taken out here: they
consume their slot (a reserved slot of their own school first, then a general slot, then another
school's reserved slot) and count as already placed for their school's share.
Imports numpy and matcher.domain only (no ortools), so it is as pure as the domain.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from matcher.domain.eligibility import Pairs, eligible_pairs
from matcher.domain.preferences import pair_wish_costs
from matcher.domain.reservations import ResidualSlots, residual_slots
from matcher.domain.scarcity import scarcity_keys
from matcher.domain.tables import RoundTables

_SLICE = 1 << 20  # pairs per slice of the wish-cost computation


@dataclass(frozen=True)
class Reservations:
    """Residual reserved slots after fixed placements: one row per (place, school) with slots left."""

    place: np.ndarray
    school: np.ndarray        # index into SolverInstance.schools
    slots: np.ndarray
    fixed_released: int       # fixed placements that had to take another school's reserved slot


@dataclass(frozen=True)
class SolverInstance:
    """Everything the flow model needs, as arrays in canonical order."""

    tables: RoundTables
    pairs: Pairs              # eligible pairs of students still to place (fixed students removed)
    wish: np.ndarray          # per pair: wish cost (int16); tier and overlap are computed for chosen pairs only
    schools: tuple[str, ...]
    student_school: np.ndarray
    group_school: np.ndarray
    demand: np.ndarray        # per group
    fixed_count: np.ndarray   # per group: students already placed by a fixed placement
    general: np.ndarray       # per place: residual slots open to every school
    reservations: Reservations
    all_pairs: int            # eligible pairs before fixed students were removed
    eligible_count: np.ndarray  # per student: eligible places (fixed students included)
    scarce_key: np.ndarray      # per student: 0 with a support need, else eligible places (domain.scarcity)


def _reservations(residual: ResidualSlots, schools: dict[str, int]) -> Reservations:
    rows = sorted(residual.reserved)  # (place, school_id): the same order as by school index
    return Reservations(
        place=np.array([p for p, _ in rows], dtype=np.int64),
        school=np.array([schools[x] for _, x in rows], dtype=np.int64),
        slots=np.array([residual.reserved[k] for k in rows], dtype=np.int64),
        fixed_released=residual.fixed_released,
    )


def wish_column(rt: RoundTables, pairs: Pairs) -> np.ndarray:
    """The wish cost per pair (int16: at most MAX_WISH_COST), computed in slices of _SLICE pairs so the
    temporaries of `pair_wish_costs` stay slice-sized. Tier and overlap are not kept per pair (2 bytes a pair,
    82 MB at 250,000 students): `pair_figures` computes them for the chosen pairs."""
    wish = np.empty(pairs.n, np.int16)
    for lo in range(0, pairs.n, _SLICE):
        hi = lo + _SLICE
        wish[lo:hi] = pair_wish_costs(rt, pairs.student[lo:hi], pairs.place[lo:hi])[0]
    return wish


def pair_figures(inst: SolverInstance, idx: np.ndarray, place: np.ndarray, tier: np.ndarray, minutes: np.ndarray,
                 overlap: np.ndarray) -> None:
    """Write the place, wish tier, travel minutes and activity overlap of the chosen pairs `idx` (indices into
    `inst.pairs`, one per student) into the per-student arrays."""
    s, p = inst.pairs.student[idx], inst.pairs.place[idx]
    _, tier[s], overlap[s] = pair_wish_costs(inst.tables, s, p)
    place[s], minutes[s] = p, inst.pairs.minutes[idx]


def build_instance(rt: RoundTables, pairs: Pairs | None = None) -> SolverInstance:
    """Eligible pairs and residual capacities around the canonical tables of a consistent round.

    pairs: the round's eligible pairs when the caller already computed them (`eligible_pairs(rt)`).
    """
    rnd, st = rt.round, rt.students
    school_names = tuple(sorted({g[0] for g in rt.groups} | {r.school_id for p in rnd.places for r in p.reserved}))
    schools = {s: i for i, s in enumerate(school_names)}
    pairs = eligible_pairs(rt) if pairs is None else pairs
    free = st.fixed[pairs.student] < 0
    pairs_free = pairs if free.all() else Pairs(pairs.student[free], pairs.place[free], pairs.minutes[free])
    del free
    wish = wish_column(rt, pairs_free)
    n_groups = len(rt.groups)
    residual = residual_slots(rt)
    eligible = np.bincount(pairs.student, minlength=st.n).astype(np.int64)
    group_school = np.array([schools[g[0]] for g in rt.groups], dtype=np.int64)
    return SolverInstance(
        tables=rt, pairs=pairs_free, wish=wish, schools=school_names,
        student_school=group_school[st.group],  # a group is (school, region, period, sector)
        group_school=group_school,
        demand=np.bincount(st.group, minlength=n_groups).astype(np.int64),
        fixed_count=np.bincount(st.group[st.fixed >= 0], minlength=n_groups).astype(np.int64),
        general=residual.general, reservations=_reservations(residual, schools), all_pairs=pairs.n,
        eligible_count=eligible,
        scarce_key=scarcity_keys(st.support, eligible),
    )
