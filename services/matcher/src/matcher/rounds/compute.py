"""Computing a round: solve one pool through the solver port and wrap the outcomes.

`compute_round(pool, seed, solver, code_version)` returns the outcomes, the fairness figures (`Summary`) and
the manifest that makes the round reproducible (hash of the canonical input, seed, solver and code version,
hash of the sorted outcomes). A solver result that is not exactly one outcome per student of the pool is
refused with a RoundError. Imports the standard library, the shared events and this layer's modules.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from stagepool_shared.events.rounds import Manifest, Outcome, Summary

from ..errors import RoundError
from .manifest import output_hash, sha256_json
from .pool import Pool
from .summary import summarise

if TYPE_CHECKING:
    from ..ports import RoundSolver


@dataclass(frozen=True)
class Solved:
    """What the solver port returns: one outcome per student, and what an independent check certified.

    `max_placeable` and `fair_bound` are None when the solver did not certify its result (a test double).
    """

    outcomes: list[Outcome]
    max_placeable: int | None = None
    fair_bound: float | None = None


@dataclass(frozen=True)
class RoundResult:
    """A computed round: outcomes sorted by student, figures, manifest, schools needing support approval."""

    outcomes: tuple[Outcome, ...]
    summary: Summary
    manifest: Manifest
    schools: tuple[str, ...]
    support_schools: tuple[str, ...]


def compute_round(pool: Pool, seed: int, solver: "RoundSolver", code_version: str) -> RoundResult:
    """Solve the pool and wrap the outcomes with the summary and the manifest."""
    pool = pool.narrowed()
    solved = solver.solve(pool, seed)
    outcomes = tuple(sorted(solved.outcomes, key=lambda o: o.student_ref))
    expected = {w.student_ref for w in pool.wishes}
    got = [o.student_ref for o in outcomes]
    if len(got) != len(set(got)) or set(got) != expected:
        raise RoundError("the solver did not return exactly one outcome per student of the pool")
    manifest = Manifest(
        input_hash=sha256_json(solver.canonical_input(pool, seed)), seed=seed, solver=solver.name,
        solver_version=solver.version, code_version=code_version, output_hash=output_hash(outcomes),
    )
    schools = tuple(sorted({w.school_id for w in pool.wishes}))
    support = tuple(sorted({o.school_id for o in outcomes if o.support_needs}))
    sector_of = {w.student_ref: w.sector for w in pool.wishes}
    summary = replace(summarise(outcomes, sector_of), max_placeable=solved.max_placeable, fair_bound=solved.fair_bound)
    return RoundResult(outcomes, summary, manifest, schools, support)
