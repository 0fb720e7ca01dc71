"""Variant 2's two rounds, solved and certified (issue 15.3): the wiring of `candidates`, `choices` and the
validator, as `solve_validated` wires the plain rule.

- `candidates_validated(round, k_of)`: the rule's solution, its validation report, and the offers
  (`offer_candidates`), each candidate certified achievable by the validator's own flows
  (`candidate_bound.assert_candidates_achievable`);
- `final_validated(round, offers, choices)`: the same solution again (same input, same seed: the candidates
  round's), `final_round` on it, and the report of the final allocation: the rule's checks, the offers still
  certified against the candidates solution, and as many placed per school as that solution.
A refused certificate is a problem in the report, never a raise: the round then fails and is never proposed.
Imports matcher (domain and solver).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from matcher.domain.eligibility import Pairs
from matcher.domain.model import RoundInput, Solution
from matcher.domain.tables import RoundTables
from matcher.domain.variant2 import ChoiceOutcome, Offer
from matcher.errors import ValidationFailure
from matcher.solver.candidate_bound import assert_candidates_achievable
from matcher.solver.candidates import offer_candidates
from matcher.solver.choices import final_round
from matcher.solver.fair_bound import reference
from matcher.solver.model import solve
from matcher.solver.prepare import checked_tables
from matcher.solver.validation import ValidationReport, validate


def _solved(rnd: RoundInput, workers: int) -> tuple[RoundTables, Pairs, Solution]:
    tables, pairs = checked_tables(rnd, workers)
    return tables, pairs, solve(rnd, tables, pairs, workers=workers)


def _certify_offers(rnd: RoundInput, sol: Solution, offers: Sequence[Offer], tables: RoundTables,
                    pairs: Pairs) -> list[str]:
    try:
        assert_candidates_achievable(rnd, sol, offers, reference(rnd, tables, pairs))
    except ValidationFailure as err:
        return [str(err)]
    return []


def candidates_validated(rnd: RoundInput, k_of: Mapping[str, int], workers: int = 1
                         ) -> tuple[Solution, ValidationReport, tuple[Offer, ...]]:
    """The rule's solution, its report (offers certified) and the offers to the students in `k_of`;
    `workers` as in `solve_validated`."""
    tables, pairs, sol = _solved(rnd, workers)
    report = validate(rnd, sol, fairness="bound", tables=tables, pairs=pairs, workers=workers)
    offers = offer_candidates(rnd, sol, k_of, tables, pairs)
    return sol, report.with_problems(*_certify_offers(rnd, sol, offers, tables, pairs)), offers


def final_validated(rnd: RoundInput, offers: Sequence[Offer], choices: Mapping[str, Sequence[str]],
                    workers: int = 1) -> tuple[Solution, ValidationReport, tuple[ChoiceOutcome, ...]]:
    """The final allocation, its report and one outcome per offered student; `workers` as in
    `solve_validated`."""
    tables, pairs, sol = _solved(rnd, workers)
    final, outcomes = final_round(rnd, sol, offers, choices, tables, pairs)
    report = validate(rnd, final, fairness="bound", tables=tables, pairs=pairs, workers=workers)
    problems = _certify_offers(rnd, sol, offers, tables, pairs)
    school = {w.student_ref: w.school_id for w in rnd.wishes}
    before = Counter(school[a.student_ref] for a in sol.assignments)
    after = Counter(school[a.student_ref] for a in final.assignments)
    if before != after:
        problems.append("final: the final round does not place as many per school as the candidates round")
    return final, report.with_problems(*problems), outcomes
