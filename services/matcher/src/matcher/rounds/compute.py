"""Computing a round: solve one pool through the solver port and wrap the outcomes.

`compute_round(pool, seed, solver, code_version, at)` returns the outcomes, the fairness figures (`Summary`) and
the manifest that makes the round reproducible (hash of the canonical input, seed, solver and code version,
hash of the sorted outcomes). `at` is the round's request moment: only placements that bind then (accepted,
or released and still inside the answer window) are kept fixed. A solver result that is not exactly one
outcome per student of the pool is refused with a RoundError, and one that moves a binding placement with
BindingPlacementMoved (the round fails; it is never proposed). A student whose binding place was withdrawn
and who is not placed again is unplaced with reason code PLACE_WITHDRAWN. A solver may hand its outcomes
over while it still certifies them (`Solved.pending`; the service's validator in a forked child): the checks,
hashes and summary are made meanwhile, and the round waits for the certificate before it returns. A refused
certificate is the round's error, before any of this module's own.
Imports the standard library, the shared events and this layer's modules.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Callable

from stagepool_shared.events.rounds import Manifest, Outcome, Summary

from ..domain.variant2 import Offer
from ..errors import BindingPlacementMoved, RoundError
from .manifest import output_hash, sha256_json
from .pool import Pool
from .summary import summarise

if TYPE_CHECKING:
    from ..ports import RoundSolver


@dataclass(frozen=True)
class Solved:
    """What the solver port returns: one outcome per student, and what an independent check certified.

    `max_placeable` and `fair_bound` are None when the solver did not certify its result (a test double).
    A solver may hand the outcomes over while it is still certifying them: then `pending()` waits for the
    certificate (the same outcomes with the figures) and raises ValidationFailure when it is refused. Ask for
    it with `certified()`, always: it also reaps the process certifying them.
    """

    outcomes: list[Outcome]
    max_placeable: int | None = None
    fair_bound: float | None = None
    support_placeable: int | None = None
    offers: tuple[Offer, ...] = ()  # a candidates round's offers (variant 2), certified by the validator
    pending: Callable[[], "Solved"] | None = None

    def certified(self) -> "Solved":
        """This result with its certificate's figures (waiting for it when it is still pending)."""
        return self.pending() if self.pending is not None else self


@dataclass(frozen=True)
class RoundResult:
    """A computed round: outcomes sorted by student, figures, manifest, schools needing support approval."""

    outcomes: tuple[Outcome, ...]
    summary: Summary
    manifest: Manifest
    schools: tuple[str, ...]
    support_schools: tuple[str, ...]
    offers: tuple[Offer, ...] = ()
    status: str = "proposed"  # "offered" for a candidates round (never proposed nor released)


PLACE_WITHDRAWN = "PLACE_WITHDRAWN"
HOLDING = ("placed", "kept")


def compute_round(pool: Pool, seed: int, solver: "RoundSolver", code_version: str,
                  at: str | None = None, solve: Callable[[Pool, int], Solved] | None = None) -> RoundResult:
    """Solve the pool (with the placements binding at `at` kept fixed) and wrap the outcomes with the
    summary and the manifest. `solve` replaces `solver.solve` (variant 2's candidates and final rounds)."""
    narrowed = pool.narrowed()
    pool = narrowed.binding(at)
    solved = (solve or solver.solve)(pool, seed)
    try:
        outcomes, manifest = _checked(pool, narrowed, solved.outcomes, seed, solver, code_version)
        summary = summarise(outcomes, {w.student_ref: w.sector for w in pool.wishes})
    except Exception:  # the certificate's refusal comes first, as when the solver waited for it
        solved.certified()
        raise
    solved = solved.certified()
    schools = tuple(sorted({w.school_id for w in pool.wishes}))
    support = tuple(sorted({o.school_id for o in outcomes if o.support_needs}))
    summary = replace(summary, max_placeable=solved.max_placeable, fair_bound=solved.fair_bound,
                      support_placeable=solved.support_placeable)
    return RoundResult(outcomes, summary, manifest, schools, support, solved.offers)


def _checked(pool: Pool, narrowed: Pool, solved: list[Outcome], seed: int, solver: "RoundSolver",
             code_version: str) -> tuple[tuple[Outcome, ...], Manifest]:
    """The solver's outcomes sorted by student, checked (one per student, binding placements kept), with the
    withdrawn reason, and the round's manifest."""
    outcomes = tuple(sorted(solved, key=lambda o: o.student_ref))
    expected = {w.student_ref for w in pool.wishes}
    got = [o.student_ref for o in outcomes]
    if len(got) != len(set(got)) or set(got) != expected:
        raise RoundError("the solver did not return exactly one outcome per student of the pool")
    check_binding_kept(pool, outcomes)
    outcomes = with_withdrawn_reason(outcomes, narrowed.withdrawn_refs())
    manifest = Manifest(
        input_hash=sha256_json(solver.canonical_input(pool, seed)), seed=seed, solver=solver.name,
        solver_version=solver.version, code_version=code_version, output_hash=output_hash(outcomes),
    )
    return outcomes, manifest


def check_binding_kept(pool: Pool, outcomes: tuple[Outcome, ...]) -> None:
    """Refuse a result in which any binding placement the pool can keep is not at its place."""
    by_ref = {o.student_ref: o for o in outcomes}
    moved = [ref for ref, place_id in pool.keepable()
             if by_ref[ref].status not in HOLDING or by_ref[ref].place_id != place_id]
    if moved:
        raise BindingPlacementMoved(moved)


def with_withdrawn_reason(outcomes: tuple[Outcome, ...], withdrawn: frozenset[str]) -> tuple[Outcome, ...]:
    """An unplaced student whose binding place was withdrawn gets reason code PLACE_WITHDRAWN."""
    if not withdrawn:
        return outcomes
    return tuple(replace(o, reason_code=PLACE_WITHDRAWN) if o.status == "unplaced" and o.student_ref in withdrawn
                 else o for o in outcomes)
