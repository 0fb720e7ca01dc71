"""All four policies on one scenario pool, side by side, with progress after each policy.

  stagepool     (a) the Stagepool rule: the production solver (`matcher.solver.solve`) on the same canonical
                tables and eligible pairs as the baselines (a scenario is no round: it is not certified)
  da_common     (b) deferred acceptance, one common lottery
  da_per_place  (c) deferred acceptance, a lottery per place ("per school" in the literature)
  first_come    (d) first come first served per school, today's practice

The priority each policy's justified envy is counted under: (a) and (b) the common lottery; (c) the lottery
of each place; (d) the turn in which the student came (reserved seats always rank their school first).
Pure: no store, no publisher. Imports numpy, the matcher's domain and solver (OR-tools, when the rule runs),
the service's pool and the pool-to-instance bridge of the solver adapter.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping

import numpy as np

from matcher.adapters.ortools_solver import to_round_input
from matcher.domain.consistency import check_round
from matcher.domain.tables import RoundTables, build_tables

from ..rounds.pool import Pool
from . import policies as pol
from .envy import justified_envy
from .figures import PolicyFigures, figures
from .market import Market, build_market, seats_of_places

POLICIES = ("stagepool", "da_common", "da_per_place", "first_come")
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Comparison:
    """The figures of every policy run, in POLICIES order, and the size of the pool."""

    students: int
    places: int
    slots: int
    policies: tuple[PolicyFigures, ...]
    prepare_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"students": self.students, "places": self.places, "slots": self.slots,
                "prepare_seconds": self.prepare_seconds, "policies": [p.as_dict() for p in self.policies]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Comparison":
        return cls(data["students"], data["places"], data["slots"],
                   tuple(PolicyFigures.from_dict(p) for p in data["policies"]), data.get("prepare_seconds", 0.0))

    def of(self, policy: str) -> PolicyFigures | None:
        return next((p for p in self.policies if p.policy == policy), None)


def compare(pool: Pool, seed: int, policies: tuple[str, ...] = POLICIES,
            progress: Progress | None = None) -> Comparison:
    """Run `policies` on `pool` (narrowed, binding placements chosen) and measure each; `progress(done, total)`
    is called after each policy. An inconsistent pool raises InconsistentInstance before anything runs."""
    t0 = time.perf_counter()
    rnd = to_round_input(pool, seed)
    check_round(rnd)
    rt = build_tables(rnd)
    market = build_market(rt)
    prepared = time.perf_counter() - t0
    out = []
    for done, name in enumerate(policies, start=1):
        start = time.perf_counter()
        place_of, reasons, seat, base, skip = _run(name, rt, market)
        envy = justified_envy(market, seat, base, skip_foreign=skip)
        out.append(figures(name, rt, place_of, market.eligible, envy, reasons,
                           time.perf_counter() - start + (0.0 if name == "stagepool" else prepared)))
        if progress:
            progress(done, len(policies))
    slots = int(rt.places.capacity.sum())
    return Comparison(rt.students.n, rt.places.n, slots, tuple(out), round(prepared, 3))


def _run(name: str, rt: RoundTables, market: Market):
    """(place per student, reasons or None, seat group per student, priority, skips foreign seats)."""
    if name == "stagepool":
        place_of, reasons = _rule(rt, market)
        return place_of, reasons, seats_of_places(market, place_of), pol.common_lottery(market), False
    if name == "first_come":
        seat = pol.first_come(market)
        return pol.places_of(market, seat), None, seat, pol.arrival_key(market), True
    base = pol.common_lottery(market) if name == "da_common" else pol.place_lottery(market)
    seat = pol.deferred_acceptance(market, base)
    return pol.places_of(market, seat), None, seat, base, False


def _rule(rt: RoundTables, market: Market) -> tuple[np.ndarray, dict[int, str]]:
    """The rule's allocation: place index per student, and the rule's reason per unplaced student."""
    from matcher.solver import solve  # OR-tools: imported when the rule runs, not with the pages

    solution = solve(rt.round, tables=rt, pairs=market.pairs)
    place_of = np.full(rt.students.n, -1, dtype=np.int64)
    for a in solution.assignments:
        place_of[rt.student_index[a.student_ref]] = rt.place_index[a.place_id]
    reasons = {rt.student_index[e.student_ref]: e.code for e in solution.explanations
               if place_of[rt.student_index[e.student_ref]] < 0}
    return place_of, reasons
