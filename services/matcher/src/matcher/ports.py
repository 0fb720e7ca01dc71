"""The matcher's ports and its dependency bag `Deps`, handed to every handler, command and worker.

- `AbstractRoundStore`: the matcher's state (Redis in production, in memory for replay and unit tests);
- `RoundSolver`: the optimiser (OR-tools min-cost flow in production, a tiny greedy solver in unit tests);
- `RoundMetrics`: what a round reports to monitoring (Prometheus, or nothing);
- `AbstractStudentDirectory`: intake's names of a school's own students, for the review page only, and the
  schools' display names for the coordinator's pages (asked per page view over HTTP, never stored; a double
  in unit tests);
- `AbstractScenarioStore`: what-if scenarios, apart from the live state (Redis, in memory in unit tests);
- publishing goes through the shared `stagepool_shared.ports.Publisher` (acks=all).

Imports the standard library, the shared ports and events, and the service layer's records (matcher.rounds).
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, Callable, Protocol, Sequence

from stagepool_shared.events.places import Place
from stagepool_shared.events.rounds import OUTCOMES_PER_PART, Outcome, RoundReleaseScheduled, RoundRequested
from stagepool_shared.events.variants import VariantSet
from stagepool_shared.events.wishes import Wish
from stagepool_shared.ports import Publisher

from .rounds.approval import ApprovalVote
from .rounds.compute import RoundResult, Solved
from .rounds.moments import utc_now
from .rounds.objection import Objection
from .rounds.pool import KeptPlacement, Pool, StudentExclusions
from .rounds.record import RoundRecord
from .rounds.stale import Stale

if TYPE_CHECKING:
    from .scenarios.record import ScenarioRecord


class AbstractRoundStore(abc.ABC):
    """The matcher's state; implemented on Redis in production and in memory for tests and replay."""

    # --- projections -------------------------------------------------------------------------
    @abc.abstractmethod
    def put_wish(self, event_id: str, wish: Wish) -> bool: ...

    @abc.abstractmethod
    def remove_wish(self, event_id: str, region_id: str, period_id: str, student_ref: str) -> bool: ...

    @abc.abstractmethod
    def put_place(self, event_id: str, place: Place) -> bool: ...

    @abc.abstractmethod
    def remove_place(self, event_id: str, region_id: str, period_id: str, place_id: str,
                     withdrawn_at: str | None = None) -> bool:
        """Drop the place; with `withdrawn_at`, also mark the placements that bound to it then as withdrawn
        (`rounds.pool.withdrawn_marks`), in the same transaction."""

    @abc.abstractmethod
    def erase_student(self, event_id: str, region_id: str, student_ref: str) -> bool:
        """Drop the pseudonym from every period of the region and from the region's stored rounds."""

    @abc.abstractmethod
    def fix_placement(self, event_id: str, region_id: str, period_id: str, fixed: KeptPlacement) -> bool: ...

    @abc.abstractmethod
    def bind_released(self, event_id: str, region_id: str, period_id: str, released: list[KeptPlacement],
                      released_at: str) -> bool:
        """Record released placements as binding (`rounds.pool.released_to_bind`: one that still binds at
        the same place, accepted or inside its window, stays as it is)."""

    @abc.abstractmethod
    def exclude(self, event_id: str, region_id: str, period_id: str, student_ref: str,
                exclusion: StudentExclusions, unfix: bool) -> bool:
        """Add to the student's exclusions; `unfix` also drops an accepted placement kept fixed."""

    @abc.abstractmethod
    def periods(self, region_id: str) -> list[str]:
        """The periods of a region that have had wishes or places, sorted."""

    @abc.abstractmethod
    def period_of_place(self, region_id: str, place_id: str) -> str | None: ...

    @abc.abstractmethod
    def places_present(self, region_id: str, period_id: str, place_ids: Sequence[str]) -> set[str]:
        """Those of `place_ids` that are in the period's pool (not withdrawn)."""

    @abc.abstractmethod
    def put_variant(self, event_id: str, setting: VariantSet) -> bool:
        """Keep a school's matching variant of a programme in a period (issue 15.3), replacing the earlier one."""

    @abc.abstractmethod
    def variants(self, region_id: str, period_id: str) -> dict[tuple[str, str], tuple[int, int]]:
        """(school_id, crebo) -> (variant, k) set for the period; a programme not in it uses variant 1."""

    @abc.abstractmethod
    def load_pool(self, region_id: str, period_id: str, sector: str | None) -> Pool: ...

    # --- rounds -------------------------------------------------------------------------------
    @abc.abstractmethod
    def note_requested(self, request: RoundRequested, requested_at: str) -> None:
        """Remember a requested round (no-op when it is known already)."""

    @abc.abstractmethod
    def freeze_pool(self, round_id: str, frozen_at: str, source_round_id: str | None = None,
                    choices: dict[str, tuple[str, ...]] | None = None) -> tuple[Pool, str]:
        """The round's frozen input: taken from the projection once, then always the same. A final round
        (variant 2) takes its candidates round's (`source_round_id`) frozen input and offers, and `choices`."""

    @abc.abstractmethod
    def offers(self, round_id: str) -> dict[str, tuple[str, ...]]:
        """A candidates round's offers: student ref -> the candidates, the matcher's pick first ({} for others)."""

    @abc.abstractmethod
    def save_proposal(self, event_id: str, round_id: str, result: RoundResult, proposed_at: str) -> bool: ...

    @abc.abstractmethod
    def mark_proposal_published(self, round_id: str) -> None:
        """The stored proposal's round.proposed parts are acknowledged by the broker."""

    @abc.abstractmethod
    def fail_round(self, event_id: str, round_id: str, reason: str) -> bool:
        """Mark a round that cannot be computed (inconsistent input), with the reason naming the record."""

    @abc.abstractmethod
    def get_round(self, round_id: str) -> RoundRecord | None: ...

    @abc.abstractmethod
    def list_rounds(self, region_id: str) -> list[RoundRecord]: ...

    @abc.abstractmethod
    def outcomes(self, round_id: str) -> list[Outcome]:
        """The stored outcomes of a proposed round, sorted by student."""

    @abc.abstractmethod
    def add_approval(self, event_id: str, round_id: str, vote: ApprovalVote, at: str = "") -> bool:
        """Record the vote (a user counts once) and append it to the round's audit trail."""

    @abc.abstractmethod
    def add_objection(self, event_id: str, round_id: str, period_id: str, objection: Objection) -> bool:
        """In one transaction: exclude the (student, place) pair in the period's projection, keep the
        objection on the round, withdraw the objecting school's approvals and append both to the audit trail."""

    @abc.abstractmethod
    def round_places(self, round_id: str) -> dict[str, Place]:
        """The places of the round's frozen input by id ({} before it is frozen)."""

    @abc.abstractmethod
    def schedule_release(self, event_id: str, release: RoundReleaseScheduled, due_epoch: float) -> bool: ...

    @abc.abstractmethod
    def due_releases(self, now_epoch: float) -> list[str]: ...

    @abc.abstractmethod
    def mark_released(self, round_id: str, released_at: str) -> bool:
        """Mark the round released; False when it was released already (by another instance)."""

    @abc.abstractmethod
    def scheduled_releases(self) -> list[str]:
        """Every round whose release is scheduled and not yet published or held."""

    @abc.abstractmethod
    def hold_release(self, round_id: str, held: Stale) -> bool:
        """Take the round's release off the schedule and remember why; False when it was released already."""

    @abc.abstractmethod
    def queue_fast_track(self, event_id: str, region_id: str, period_id: str, student_refs: Sequence[str],
                         at_epoch: float) -> bool:
        """Queue students for the re-placement fast track (issue 20.3), with the event's processed marker; a
        student already queued keeps their first moment."""

    @abc.abstractmethod
    def queued_fast_tracks(self, before_epoch: float) -> list[tuple[str, str, list[str]]]:
        """(region, period, students) of every period with students queued before `before_epoch`."""

    @abc.abstractmethod
    def unqueue_fast_track(self, region_id: str, period_id: str, student_refs: Sequence[str]) -> None:
        """Take students off the fast-track queue (their fast track was requested, or they seek no more)."""


class RoundSolver(Protocol):
    """The port to the optimiser: a pool in, one outcome per student out (pure, deterministic per seed)."""

    name: str
    version: str

    def canonical_input(self, pool: Pool, seed: int) -> Any:
        """The JSON-able instance the solver really solves (hashed into the manifest)."""

    def solve(self, pool: Pool, seed: int) -> Solved:
        """Outcomes for every student of the pool, with explanations, and the figures certifying them."""

    def solve_candidates(self, pool: Pool, seed: int) -> Solved:
        """`solve`, plus the certified candidate offers to the pool's variant-2 students (issue 15.3)."""

    def solve_final(self, pool: Pool, seed: int) -> Solved:
        """The final round of variant 2: the pool's frozen offers and choices, each offered outcome's `choice`."""


class RoundMetrics(Protocol):
    """What a round reports to monitoring (labels region and period only)."""

    def solved(self, region_id: str, period_id: str, seconds: float, placed: int) -> None:
        """A round was computed in `seconds`, placing `placed` students."""

    def released(self, region_id: str, period_id: str) -> None:
        """A round was released."""



@dataclass(frozen=True)
class StudentName:
    """What the review page shows of one of the signed-in school's own students (issue 14.6): asked of intake
    for one page view; never stored, logged or published by the matcher."""

    student_ref: str
    name: str
    student_number: str


class AbstractStudentDirectory(abc.ABC):
    """Intake's names of a school's own students and the schools' display names: HTTP in production, a double
    in unit tests."""

    @abc.abstractmethod
    def names(self, school_id: str, student_refs: Sequence[str]) -> dict[str, StudentName]:
        """Name and number per pseudonym of `school_id` that intake knows (others are left out);
        StudentNamesUnavailable when intake cannot answer."""

    @abc.abstractmethod
    def school_names(self, school_ids: Sequence[str]) -> dict[str, str]:
        """Display name per school id that intake knows (others are left out; issue 14.16); a school's name
        is no personal data. StudentNamesUnavailable when intake cannot answer."""


class AbstractScenarioStore(abc.ABC):
    """What-if scenarios (issue 16.4): a copy of a live pool per scenario, its settings and its run, kept apart
    from the live projections (Redis keys under `matcher:scenario:`); it never writes a live key."""

    @abc.abstractmethod
    def create(self, record: "ScenarioRecord", pool: Pool) -> None:
        """Store a new scenario and its copy of the pool."""

    @abc.abstractmethod
    def get(self, scenario_id: str) -> "ScenarioRecord | None": ...

    @abc.abstractmethod
    def list_for(self, region_id: str) -> "list[ScenarioRecord]":
        """The region's scenarios, newest first."""

    @abc.abstractmethod
    def base_pool(self, scenario_id: str) -> Pool:
        """The copied pool, before the scenario's edits."""

    @abc.abstractmethod
    def save(self, record: "ScenarioRecord") -> None:
        """Write the scenario's settings, status, progress and results (replacing the stored ones)."""

    @abc.abstractmethod
    def enqueue(self, record: "ScenarioRecord") -> None:
        """Save the (queued) record and put it in the run queue, in one transaction."""

    @abc.abstractmethod
    def claim(self) -> str | None:
        """Take the next scenario to run off the queue (None when the queue is empty)."""


@dataclass
class Deps:
    """What every handler, command and worker works with; built by `bootstrap` (real adapters or doubles)."""

    store: AbstractRoundStore
    publisher: Publisher
    solver: RoundSolver
    metrics: RoundMetrics
    clock: Callable[[], datetime] = utc_now
    code_version: str = "unknown"
    per_part: int = OUTCOMES_PER_PART
    directory: AbstractStudentDirectory | None = None  # None: no intake to ask (the page shows no names)
    scenarios: AbstractScenarioStore | None = None  # None: no what-if scenarios (replay)
