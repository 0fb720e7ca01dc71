"""The bridge from the service's pool to the pure OR-tools solver (`matcher.solver`) and back.

`OrToolsRoundSolver` implements the `RoundSolver` port: it turns a `Pool` of shared event payloads into
the solver's `RoundInput`, solves, runs the solver-agnostic validator, and turns the `Solution` with its
explanations into the shared `Outcome` records. Imports the matcher's domain and solver packages.
"""

from __future__ import annotations

from dataclasses import fields, replace
from importlib import metadata
from operator import itemgetter
from typing import TYPE_CHECKING

from stagepool_shared.events.rounds import Hint, Outcome

from ..domain import model
from ..domain.variant2 import GRANTED, ChoiceOutcome, Offer
from ..errors import ValidationFailure
from ..rounds.compute import Solved
from ..rounds.pool import Pool

if TYPE_CHECKING:
    from ..solver.validation import ValidationReport

WISH_MATCH = {"top-1": "top1", "top-2": "top2", "top-3": "top3", "preferred_type": "preferred_type"}
INPUT_ROUND_ID = "round"
#: The fields of a posted place the solver reads (not its name, address or start date), in the order of
#: the solver's record: read as one tuple, in C (a dict per record cost 0.2 s at 30,000 students).
_PLACE_FIELDS = itemgetter(*(f.name for f in fields(model.Place)))
#: The fields of a wish the solver reads (not a variant-2 choice: the final round passes choices apart).
_WISH_FIELDS = itemgetter(*(f.name for f in fields(model.Wish)))


def solver_version() -> str:
    """The versions of the two flow solvers a round's allocation depends on (OR-tools; LEMON's for pass S)."""
    return " + ".join(f"{name} {_version(name)}" for name in ("ortools", "pylmcf"))


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def to_round_input(pool: Pool, seed: int) -> model.RoundInput:
    """The solver's instance of a pool; the round id is left out of it, so the input hash is the pool's."""
    wishes = tuple(model.Wish(*_WISH_FIELDS(vars(w))) for w in pool.wishes)
    places = tuple(model.Place(*_PLACE_FIELDS(vars(p))) for p in pool.places)
    exclusions = tuple(
        [model.Exclusion(ref, place_id=pid) for ref, ex in sorted(pool.exclusions.items()) for pid in ex.place_ids]
        + [model.Exclusion(ref, organisation_id=oid) for ref, ex in sorted(pool.exclusions.items())
           for oid in ex.organisation_ids])
    fixed = tuple(model.FixedPlacement(ref, pid) for ref, pid in kept_placements(pool))
    return model.RoundInput(INPUT_ROUND_ID, pool.region_id, (pool.period_id,), wishes, places, seed,
                            exclusions, fixed)


def kept_placements(pool: Pool) -> list[tuple[str, str]]:
    """The binding placements the solver keeps fixed (`Pool.keepable`, which the round checks again)."""
    return pool.keepable()


class OrToolsRoundSolver:
    """The production solver behind the RoundSolver port."""

    name = "ortools-min-cost-flow"

    def __init__(self, workers: int = 1) -> None:
        from .. import solver  # numpy and OR-tools take a second to import: at start-up, not in a round

        self._solver = solver
        self.workers = workers  # processes solving components and running checks side by side
        self.version = solver_version()
        self._last: tuple[Pool, int, model.RoundInput] | None = None

    def canonical_input(self, pool: Pool, seed: int) -> model.RoundInput:
        """The instance of this pool (built once per pool and seed: hashing and solving share it)."""
        if self._last is None or self._last[0] is not pool or self._last[1] != seed:
            self._last = (pool, seed, to_round_input(pool, seed))
        return self._last[2]

    def solve(self, pool: Pool, seed: int) -> Solved:
        """Solve and certify: a round the validator does not certify (feasible, as many placed as a separate
        maximum flow allows, the fewest released reserved slots, the worst-off school at the fair-share
        bound, the most students with few options its school totals allow) raises ValidationFailure and is never
        proposed. The outcomes come back while the validator (a forked child with two workers) may still be at
        work: `Solved.certified()` waits for it."""
        instance = self.canonical_input(pool, seed)
        solution, report = self._solver.solve_validating(instance, fairness="bound", workers=self.workers)
        try:
            outcomes = to_outcomes(pool, solution)
        except BaseException:
            report()  # reaps the validation
            raise
        return Solved(outcomes, pending=lambda: _certified(outcomes, report()))

    def solve_candidates(self, pool: Pool, seed: int) -> Solved:
        """A candidates round (variant 2): the rule's solution, certified like `solve`, and the offers to the
        pool's variant-2 students (k of their school and crebo), every candidate certified achievable."""
        from ..solver.candidates import k_per_student
        from ..solver.variant2_round import candidates_validated

        instance = self.canonical_input(pool, seed)
        lines = {(school, crebo, pool.period_id): k for school, crebo, variant, k in pool.variants if variant == 2}
        solution, report, offers = candidates_validated(instance, k_per_student(instance, lines), self.workers)
        return replace(_certified(to_outcomes(pool, solution), report), offers=offers)

    def solve_final(self, pool: Pool, seed: int) -> Solved:
        """A final round (variant 2): the frozen offers and choices of the pool, the choices as top wishes
        (`final_round`), certified as the rule's round and against the candidates solution."""
        from ..solver.variant2_round import final_validated

        instance = self.canonical_input(pool, seed)
        offers = tuple(Offer(ref, ids[0], ids) for ref, ids in sorted(pool.offers.items()) if ids)
        solution, report, choices = final_validated(instance, offers, {k: v for k, v in pool.choices.items() if v},
                                                    self.workers)
        return _certified(with_choices(to_outcomes(pool, solution), choices), report)


def _certified(outcomes: list[Outcome], report: "ValidationReport") -> Solved:
    """The outcomes with the validator's figures; ValidationFailure when the report names any problem."""
    if not report.ok:
        raise ValidationFailure("validate", "; ".join(report.problems))
    bound = round(report.fair_bound[0] / report.fair_bound[1], 6) if report.fair_bound else None  # as the rates
    support = report.scarce[1] if report.scarce else None
    return Solved(outcomes, report.max_flow, bound, support)


def with_choices(outcomes: list[Outcome], choices: tuple[ChoiceOutcome, ...]) -> list[Outcome]:
    """Each offered student's outcome with what became of the choice; the student's choices are the top
    wishes, so a granted choice is `top<rank>` (named places), any other placement matches no choice."""
    by_ref = {c.student_ref: c for c in choices}
    out = []
    for o in outcomes:
        c = by_ref.get(o.student_ref)
        if c is None:
            out.append(o)
        elif c.code == GRANTED and c.granted_rank:
            out.append(replace(o, choice=c.code, wish_match=f"top{min(c.granted_rank, 3)}", named_places=True))
        elif c.chosen:
            keep = o.wish_match if o.wish_match in ("preferred_type", "activities") else "none"
            out.append(replace(o, choice=c.code, wish_match=keep, named_places=True))
        else:
            out.append(replace(o, choice=c.code))
    return out


def to_outcomes(pool: Pool, solution: model.Solution) -> list[Outcome]:
    """One shared Outcome per student of the pool, with the solver's explanation."""
    assigned = {a.student_ref: a for a in solution.assignments}
    explained = {e.student_ref: e for e in solution.explanations}
    organisation = {p.place_id: p.organisation_id for p in pool.places}
    outcomes = []
    for wish in pool.wishes:
        a, e = assigned.get(wish.student_ref), explained.get(wish.student_ref)
        base = dict(student_ref=wish.student_ref, school_id=wish.school_id, support_needs=list(wish.support_needs),
                    criteria_met=list(e.criteria_met) if e else [], named_places=bool(wish.top_places))
        if a is not None:
            match = WISH_MATCH.get(a.wish_rank, "activities" if a.activity_overlap > 0 else "none")
            outcomes.append(Outcome(status="kept" if a.fixed else "placed", place_id=a.place_id,
                                    organisation_id=organisation.get(a.place_id), wish_match=match,
                                    travel_minutes=a.travel_minutes, **base))
        else:
            outcomes.append(Outcome(status="unplaced", reason_code=e.code if e else "NO_ELIGIBLE_PLACE",
                                    binding_constraint=e.binding_constraint if e else None,
                                    hints=_hints(e), **base))
    return outcomes


def _hints(explanation: model.Explanation | None) -> list[Hint]:
    if explanation is None:
        return []
    changes = ([explanation.nearest_change] if explanation.nearest_change else []) + [
        r for r in explanation.relaxations if r != explanation.nearest_change]
    return [Hint(r.criterion, float(r.extra_minutes or 1), "minutes" if r.extra_minutes else "",
                 r.places_opened, r.places_with_free_slot) for r in changes]
