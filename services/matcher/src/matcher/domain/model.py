"""The matcher's input and output records: frozen dataclasses.

A wish and a place take the fields of the intake events the solver reads, with their rules, from the one
definition in `stagepool_shared.events.contract` (`solver_fields`); `Location` and `Reservation` are the
contract's own. Inputs carry only objective, relevant criteria (domain.md R43-R61): there is no field for
a name, gender, origin, religion or any other personal characteristic, and `matcher.domain.codec` refuses
unknown fields. Lists given by a caller are stored as tuples so every record is hashable and immutable.
Imports the standard library, the plain-Python contract (stagepool_shared.events.contract, .rules) and the
shared rule (stagepool_shared.eligibility).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from stagepool_shared.eligibility import effective_slots
from stagepool_shared.events import contract
from stagepool_shared.events.contract import PATHWAYS, TRANSPORT_MODES, Location, Reservation
from stagepool_shared.events.rules import rule_of, solver_fields

__all__ = [
    "PATHWAYS", "TRANSPORT_MODES", "WISH_RANKS", "Assignment", "Exclusion", "Explanation", "FixedPlacement",
    "GroupShare", "Location", "Penalty", "Place", "Relaxation", "Reservation", "RoundInput", "Solution",
    "SolveStats", "Wish",
]

WISH_RANKS = ("top-1", "top-2", "top-3", "preferred_type", "none")


_TUPLE_FIELDS: dict[type, tuple[str, ...]] = {}


def _is_sequence(f: Any) -> bool:
    rule = rule_of(f)
    return rule.kind == "list" if rule is not None else str(f.type).startswith("tuple")


def sequence_fields(cls: type) -> tuple[str, ...]:
    """The names of the sequence-valued fields of a record class (stored as tuples)."""
    names = _TUPLE_FIELDS.get(cls)
    if names is None:
        names = _TUPLE_FIELDS[cls] = tuple(f.name for f in fields(cls) if _is_sequence(f))
    return names


def _freeze(obj: Any) -> None:
    """Turn every sequence-valued field of a frozen dataclass into a tuple (callers may pass lists)."""
    for name in sequence_fields(type(obj)):
        value = getattr(obj, name)
        if not isinstance(value, tuple):
            object.__setattr__(obj, name, tuple(value))


@dataclass(frozen=True)
@solver_fields(contract.Wish)
class Wish:
    """One student's wish for one round: the fields of the `wish.submitted` payload (lists as tuples);
    the student is a pseudonym."""

    def __post_init__(self) -> None:
        _freeze(self)

    @property
    def pool(self) -> tuple[str, str, str]:
        """The fairness pool of the student: (region, period, sector)."""
        return (self.region_id, self.period_id, self.sector)


@dataclass(frozen=True)
@solver_fields(contract.Place)
class Place:
    """An organisation's internship position in one period: the fields of the `place.posted` payload the
    solver reads (not its name, address or start date), lists as tuples. `reserved` holds the
    bilateral agreements: `slots` of the place reserved for students of one school."""

    def __post_init__(self) -> None:
        _freeze(self)

    @property
    def effective_slots(self) -> int:
        """Slots that can really be filled: min(slots, supervision_capacity), never negative (the shared rule)."""
        return effective_slots(self)


@dataclass(frozen=True)
class Exclusion:
    """Student `student_ref` must never get this place, or any place of this organisation.

    Exactly one of `place_id` / `organisation_id` is set: a refused or withdrawn place, or a
    desk-report exclusion of a whole organisation.
    """

    student_ref: str
    place_id: str | None = None
    organisation_id: str | None = None


@dataclass(frozen=True)
class FixedPlacement:
    """An accepted placement kept in a re-match round; it consumes one slot of the place."""

    student_ref: str
    place_id: str


@dataclass(frozen=True)
class RoundInput:
    """One regional round: everything `solve` needs, nothing personal.

    `seed` drives the lottery that breaks the remaining ties (objective 5); the same input and seed
    always give the same allocation.
    """

    round_id: str
    region_id: str
    period_ids: tuple[str, ...]
    wishes: tuple[Wish, ...]
    places: tuple[Place, ...]
    seed: int = 0
    exclusions: tuple[Exclusion, ...] = ()
    fixed: tuple[FixedPlacement, ...] = ()

    def __post_init__(self) -> None:
        _freeze(self)


@dataclass(frozen=True)
class Assignment:
    """One student placed at one place."""

    student_ref: str
    place_id: str
    fixed: bool
    wish_rank: str
    travel_minutes: int
    activity_overlap: int
    reserved_slot: bool = False


@dataclass(frozen=True)
class Relaxation:
    """What relaxing one criterion for one student would open (counterfactual, nothing changes).

    `places_with_free_slot` counts the opened places that still have a free slot in this allocation;
    `extra_minutes` is set for travel time only.
    """

    criterion: str
    places_opened: int
    places_with_free_slot: int
    extra_minutes: int | None = None


@dataclass(frozen=True)
class Explanation:
    """Why a student got this place, or none.

    code: PLACED, PLACED_FIXED, NO_ELIGIBLE_PLACE or ALL_TAKEN_UNDER_FAIR_SHARE.
    """

    student_ref: str
    code: str
    place_id: str | None
    criteria_met: tuple[str, ...]
    wish_rank: str | None
    travel_minutes: int | None
    eligible_places: int
    binding_constraint: str | None = None
    nearest_change: Relaxation | None = None
    relaxations: tuple[Relaxation, ...] = ()
    priority: str | None = None  # placed with the scarce-options priority: "support" or "few_places"


@dataclass(frozen=True)
class GroupShare:
    """Placement rate of one school within one pool (region, period, sector)."""

    school_id: str
    region_id: str
    period_id: str
    sector: str
    demand: int
    placed: int

    @property
    def rate(self) -> float:
        """placed / demand (demand is at least 1 for every reported group)."""
        return self.placed / self.demand if self.demand else 0.0


@dataclass(frozen=True)
class Penalty:
    """A named penalty the allocation paid (style rule 7), e.g. a school's share deficit."""

    name: str
    value: int


@dataclass(frozen=True)
class SolveStats:
    """Counts describing the solve; `timings` (seconds per phase) is excluded from equality."""

    students: int
    placed: int
    max_flow: int
    eligible_pairs: int
    components: int
    released_slots: int
    wish_cost: int
    travel_minutes: int
    lottery_size: int = 1
    travel_quantum: int = 1
    wish_in_fair_pass: bool = True
    scarce_cutoff: int | None = None  # largest eligible count ranked on its own by the scarce level (None: all)
    timings: dict[str, float] = field(default_factory=dict, compare=False, hash=False)


@dataclass(frozen=True)
class Solution:
    """The allocation of one round, with an explanation for every student and the fairness figures."""

    round_id: str
    seed: int
    assignments: tuple[Assignment, ...]
    explanations: tuple[Explanation, ...]
    shares: tuple[GroupShare, ...]
    penalties: tuple[Penalty, ...]
    stats: SolveStats

    def placement_map(self) -> dict[str, str]:
        """student_ref -> place_id for every placed student."""
        return {a.student_ref: a.place_id for a in self.assignments}
