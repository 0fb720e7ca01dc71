"""Variant 2's final round (issue 15.3): the students' choices among their candidates as their top wishes.

`final_round(round, solution, offers, choices)` keeps the candidates round's levels 1, 1b, 2 and 2b: it
solves on the network of the allocations equivalent to `solution` (`equivalents.class_network`: as many
placed, the same (school group, scarce level) totals, the same released slots), so the number placed, the
school rates and the scarce-options protection stay exactly as certified, and every candidate offered is
still reachable. Within those allocations, in strict order:
  1. a student who did not choose (or had no offer) keeps the matcher's pick: moving one costs H, more than
     all choices together can gain, and the solution itself moves nobody;
  2. the choices as top wishes: cost = the place's position among the student's ranked choices, then the
     student's other candidates (in offer order, the pick first), then any other place;
  3. the seeded lottery of pass B decides exact ties (blind, like the rule).
So when choices collide the rule decides, and the student who loses gets another candidate where one is
possible. Each offered student gets a `ChoiceOutcome` saying what happened (`domain.variant2` words it).
Imports numpy and matcher (domain and solver).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from matcher.domain.consistency import check_round
from matcher.domain.eligibility import Pairs
from matcher.domain.lottery import pair_lottery
from matcher.domain.model import RoundInput, Solution
from matcher.domain.tables import RoundTables, build_tables
from matcher.domain.variant2 import GRANTED, KEPT_PICK, OTHER_CANDIDATE, OTHER_PLACE, ChoiceOutcome, Offer
from matcher.errors import InvalidChoice
from matcher.solver import constraints as rules
from matcher.solver import model
from matcher.solver.candidates import placement_of
from matcher.solver.components import Component, components
from matcher.solver.equivalents import ClassNet, class_network
from matcher.solver.instance import SolverInstance, build_instance, pair_figures

_LOTTERY = 1 << 8


def check_choices(offers: Sequence[Offer], choices: Mapping[str, Sequence[str]]) -> None:
    """Refuse a choice that is empty, repeats a place, names a place that was not offered, or comes from a
    student without an offer (InvalidChoice with the student and the field message)."""
    offered = {o.student_ref: set(o.place_ids) for o in offers}
    for ref, chosen in choices.items():
        if ref not in offered:
            raise InvalidChoice(ref, "no candidates were offered to this student")
        if not chosen:
            raise InvalidChoice(ref, "choose at least one candidate")
        if len(set(chosen)) != len(chosen):
            raise InvalidChoice(ref, "a candidate is chosen twice")
        for pid in chosen:
            if pid not in offered[ref]:
                raise InvalidChoice(ref, f"place {pid} is not one of the candidates offered")


def final_round(rnd: RoundInput, solution: Solution, offers: Sequence[Offer],
                choices: Mapping[str, Sequence[str]], tables: RoundTables | None = None,
                pairs: Pairs | None = None) -> tuple[Solution, tuple[ChoiceOutcome, ...]]:
    """The final allocation and one outcome per offered student (sorted by student ref)."""
    check_choices(offers, choices)
    if tables is None:
        check_round(rnd)
        tables = build_tables(rnd)
    inst = build_instance(tables, pairs)
    place_of = placement_of(inst, solution)
    final = place_of.copy()
    comps = components(inst)
    tiers = _tiers(inst, offers, choices)
    for comp in comps:
        if not (tiers[0][comp.students] >= 0).any():
            continue  # nobody chose here: the only optimum moves nobody
        net = class_network(inst, comp, place_of)
        costs = _pair_costs(inst, comp, net, place_of, tiers)
        arcs = replace(net.arcs, costs=[*net.arcs.costs[:1], costs, *net.arcs.costs[2:]])
        flows = model._run(arcs, net.lay, net.supplies, "final round", max_flow=False)
        lo, hi = arcs.spans["pairs"]
        used = comp.pairs[flows[lo:hi] > 0]
        final[comp.students] = -1
        final[inst.pairs.student[used]] = inst.pairs.place[used]
    return _solution(inst, solution, final, len(comps)), _outcomes(inst, final, offers, choices)


def _tiers(inst: SolverInstance, offers: Sequence[Offer], choices: Mapping[str, Sequence[str]]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(per round student: the tier of any place outside its ranking, -1 for a non-chooser; and the ranked
    entries as arrays student, place, tier): the choices first, then the other candidates in offer order."""
    rt = inst.tables
    base = np.full(rt.students.n, -1, dtype=np.int64)
    e_s, e_p, e_t = [], [], []
    for o in offers:
        chosen = list(choices.get(o.student_ref, ()))
        if not chosen:
            continue
        ranked = chosen + [q for q in o.place_ids if q not in chosen]
        i = rt.student_index[o.student_ref]
        base[i] = len(ranked)
        e_s += [i] * len(ranked)
        e_p += [rt.place_index[q] for q in ranked]
        e_t += list(range(len(ranked)))
    as_array = lambda xs: np.asarray(xs, dtype=np.int64)  # noqa: E731
    return base, as_array(e_s), as_array(e_p), as_array(e_t)


def _pair_costs(inst: SolverInstance, comp: Component, net: ClassNet, place_of: np.ndarray,
                tiers: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """Per component pair: H for moving a non-chooser, else tier * L + lottery for a chooser."""
    base, e_s, e_p, e_t = tiers
    rt = inst.tables
    s, p = inst.pairs.student[comp.pairs], inst.pairs.place[comp.pairs]
    tier = base[s].copy()
    keys = s.astype(np.int64) * rt.places.n + p  # int32 pair columns: the key needs 64 bits
    order = np.argsort(keys, kind="stable")
    want = e_s * rt.places.n + e_p
    pos = np.minimum(np.searchsorted(keys[order], want), max(len(keys) - 1, 0))
    hit = keys[order][pos] == want if len(keys) else np.zeros(len(want), dtype=bool)
    tier[order[pos[hit]]] = e_t[hit]
    chooser = tier >= 0
    n_ch, top = len(np.unique(s[chooser])), int(tier.max(initial=0))
    lot_size = _LOTTERY
    while True:
        weight = n_ch * (lot_size - 1) + 1
        stay = n_ch * ((top + 1) * weight + lot_size) + 1
        if rules.fits(stay, net.lay) or lot_size == 1:
            break
        lot_size //= 2
    lottery = pair_lottery(rt.students.profile_hash[s], rt.places.place_hash[p], lot_size)
    return np.where(chooser, tier * weight + lottery, np.where(place_of[s] == p, 0, stay)).astype(np.int64)


def _solution(inst: SolverInstance, solution: Solution, final: np.ndarray, n_comps: int) -> Solution:
    """The final allocation as a Solution: figures per pair, explanations and shares as the rule's."""
    n = inst.tables.students.n
    place, tier, minutes, overlap = (np.full(n, -1, dtype=np.int64) for _ in range(4))
    pair_figures(inst, np.nonzero(final[inst.pairs.student] == inst.pairs.place)[0], place, tier, minutes, overlap)
    model._fixed_figures(inst, place, tier, minutes, overlap)
    stats = solution.stats
    notes = {"lottery_size": stats.lottery_size, "travel_quantum": stats.travel_quantum,
             "wish_in_fair_pass": stats.wish_in_fair_pass, "scarce_cutoff": stats.scarce_cutoff,
             "max_flow": stats.max_flow - int((inst.tables.students.fixed >= 0).sum())}
    return model.allocation_of(inst, place, tier, minutes, overlap, notes, n_comps).explained()


def _outcomes(inst: SolverInstance, final: np.ndarray, offers: Sequence[Offer],
              choices: Mapping[str, Sequence[str]]) -> tuple[ChoiceOutcome, ...]:
    rt = inst.tables
    out = []
    for o in offers:
        q = int(final[rt.student_index[o.student_ref]])
        pid = rt.places.ids[q] if q >= 0 else None
        chosen = tuple(choices.get(o.student_ref, ()))
        if not chosen:
            out.append(ChoiceOutcome(o.student_ref, KEPT_PICK, pid, (), None))
        elif pid in chosen:
            out.append(ChoiceOutcome(o.student_ref, GRANTED, pid, chosen, chosen.index(pid) + 1))
        else:
            code = OTHER_CANDIDATE if pid in o.place_ids else OTHER_PLACE
            out.append(ChoiceOutcome(o.student_ref, code, pid, chosen, None))
    return tuple(sorted(out, key=lambda c: c.student_ref))
