"""Solver-agnostic checks of a Solution against its RoundInput (style rule 6: `assert_*` functions).

What is certified (docs/matching.md, "What the validator certifies"):
  * assert_feasible: one place per student, places exist, capacity (effective slots), every new pair
    passes every hard constraint (per-pair `pair_masks`, including exclusions),
    fixed placements kept, every student explained once with a code matching the allocation;
  * assert_reservations_honoured: no student of X eligible for p is left unplaced while another
    school's student holds one of X's reserved slots at p;
  * assert_max_placements: placed == the maximum on the plain bipartite graph: no augmenting path from the
    solution (`augmenting`, a breadth-first search), else an independent OR-tools SimpleMaxFlow
    (push-relabel) value; returns that value;
  * assert_min_release: released reserved slots == the minimum over maximum allocations (two max flows
    per part when their lower bound is reached, `release_bound`; else own MCF);
  * assert_fair_share: the worst group rate == t*, the largest t such that every group can get
    ceil(t * demand) placements in some maximum allocation with the fewest released reserved slots
    (quota bisection; max-flow probes, or min-cost-flow probes when reserved slots must be released);
  * assert_scarce_options: with the solution's school totals, no allocation with as many placed and the
    fewest released slots places lexicographically more students by scarce level (support need first,
    then eligible places from the fewest up); one min-cost flow per part (`scarce_bound`);
  * assert_no_improving_transfer (small instances, no reservations): no single transfer of a place
    from group b to group a improves the sorted rate vector - with the exchange property this is
    equivalent to lexicographic max-min fairness.
Imports ortools (graph), numpy and matcher.domain; never the solver's own graph code.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

import numpy as np
from ortools.graph.python import max_flow

from matcher.domain.eligibility import mask_criteria, pair_masks
from matcher.domain.model import RoundInput, Solution
from matcher.domain.reservations import released_by_place
from matcher.domain.tables import RoundTables
from matcher.errors import ValidationFailure
from matcher.solver import fair_bound as bound
from matcher.solver import augmenting, release_bound, scarce_bound
from matcher.solver.fair_bound import Reference
from matcher.solver.transfers import improving_transfer


def _fail(check: str, detail: str) -> None:
    raise ValidationFailure(check, detail)


def _placement(sol: Solution, ref: Reference | None) -> dict[str, str]:
    """`sol.placement_map()`, built once per validation and kept with its reference (the checks read it 7 times:
    0.14 s of a 50k-student validation when each built its own); the checks only read it."""
    if ref is None:
        return sol.placement_map()
    held = ref.cache.get("placement")
    if held is None or held[0] is not sol:
        held = ref.cache["placement"] = (sol, sol.placement_map())
    return held[1]


def _indices(sol: Solution, ref: Reference) -> tuple[np.ndarray, np.ndarray]:
    """Per assignment, in order: its student's and its place's index in the tables (-1: not in the round); read
    once per validation and kept with its reference, as `_placement`."""
    held = ref.cache.get("indices")
    if held is None or held[0] is not sol:
        rt, count = ref.tables, len(sol.assignments)
        s = np.fromiter((rt.student_index.get(a.student_ref, -1) for a in sol.assignments), dtype=np.int64,
                        count=count)
        p = np.fromiter((rt.place_index.get(a.place_id, -1) for a in sol.assignments), dtype=np.int64, count=count)
        held = ref.cache["indices"] = (sol, s, p)
    return held[1], held[2]


def _placed(sol: Solution, ref: Reference) -> np.ndarray:
    """Per student of the tables (canonical order): whether some assignment names it (three checks read it)."""
    s, _ = _indices(sol, ref)
    placed = np.zeros(ref.tables.students.n, dtype=bool)
    placed[s[s >= 0]] = True
    return placed


def _released(rnd: RoundInput, sol: Solution, ref: Reference | None) -> tuple[dict, dict]:
    """(the solution's released reserved slots, those its fixed placements alone release), per (place, school):
    computed once per validation and kept with its reference, as `_placement`."""
    if ref is None:
        return released_by_place(rnd, sol.placement_map()), released_by_place(rnd, _fixed_placement(rnd))
    held = ref.cache.get("released")
    if held is None or held[0] is not sol:
        held = ref.cache["released"] = (sol, released_by_place(rnd, _placement(sol, ref)),
                                        released_by_place(rnd, _fixed_placement(rnd)))
    return held[1], held[2]


def _fixed_placement(rnd: RoundInput) -> dict[str, str]:
    return {f.student_ref: f.place_id for f in rnd.fixed}


def assert_feasible(rnd: RoundInput, sol: Solution, ref: Reference | None = None, explained: bool = True) -> None:
    """Capacity, eligibility, exclusions, one place per student, fixed kept, every student explained.

    Eligibility of new placements is re-checked pair by pair with `pair_masks` (the per-pair reference,
    not the solver's blocked fast path); tests cross-check it against the plain-Python `pair_failures`.
    `explained` False leaves the explanations to `assert_explained` (a solution certified before they exist).
    """
    ref = ref or bound.reference(rnd)
    rt = ref.tables
    refs = [a.student_ref for a in sol.assignments]
    if len(refs) != len(set(refs)):
        _fail("one_place_per_student", f"{[r for r, n in Counter(refs).items() if n > 1][:3]} placed twice")
    s, p = _indices(sol, ref)
    flagged = np.fromiter((a.fixed for a in sol.assignments), dtype=bool, count=len(refs))
    _check_records_and_fixed(rnd, sol, rt, s, p, flagged)
    pt = rt.places  # capacity: each place's effective slots
    held = np.bincount(p, minlength=pt.n)
    for q in np.flatnonzero(held > pt.capacity)[:1]:
        _fail("capacity", f"{pt.ids[q]} holds {held[q]} students, effective slots {pt.capacity[q]}")
    _check_eligibility(sol, rt, s, p, ~flagged)
    if explained:
        assert_explained(rnd, sol, ref)


def _check_records_and_fixed(rnd: RoundInput, sol: Solution, rt: RoundTables, s: np.ndarray, p: np.ndarray,
                             flagged: np.ndarray) -> None:
    """Every assignment names a student and a place of the round (`s`, `p`: their indices, -1 unknown), and
    is flagged fixed exactly when it is its student's fixed placement, at that place; no fixed one is dropped.
    The first assignment that fails either is named, as one pass over them in order would."""
    known = (s >= 0) & (p >= 0)
    fixed_place = np.where(known, rt.students.fixed[np.maximum(s, 0)], -1)
    wrong_fixed = known & ((flagged != (fixed_place >= 0)) | ((fixed_place >= 0) & (fixed_place != p)))
    failing = np.flatnonzero(~known | wrong_fixed)
    if len(failing):
        a = sol.assignments[int(failing[0])]
        if not known[failing[0]]:
            _fail("known_records", f"{a.student_ref} -> {a.place_id} names an unknown record")
        fixed = {f.student_ref: f.place_id for f in rnd.fixed}
        _fail("fixed_kept", f"{a.student_ref} had fixed placement {fixed.get(a.student_ref)}")
    with_fixed = np.flatnonzero(rt.students.fixed >= 0)
    missing = with_fixed[~np.isin(with_fixed, s)]
    if len(missing):
        _fail("fixed_kept", f"fixed placements dropped: {sorted(rt.students.refs[i] for i in missing)[:3]}")


def _check_eligibility(sol: Solution, rt: RoundTables, s: np.ndarray, p: np.ndarray, new: np.ndarray) -> None:
    """Every new (not fixed) placement is an eligible pair, re-checked pair by pair (`pair_masks`)."""
    masks, _ = pair_masks(rt, s[new], p[new])
    bad = np.nonzero(masks)[0]
    if len(bad):
        a = sol.assignments[int(np.flatnonzero(new)[bad[0]])]
        _fail("eligibility", f"{a.student_ref} -> {a.place_id} fails {mask_criteria(int(masks[bad[0]]))}")


def assert_explained(rnd: RoundInput, sol: Solution, ref: Reference | None = None) -> None:
    """Every student explained once, with a code and place matching the allocation."""
    placed = _placement(sol, ref)
    codes = {e.student_ref: e for e in sol.explanations}
    students = ref.tables.student_index.keys() if ref is not None else {w.student_ref for w in rnd.wishes}
    if len(codes) != len(sol.explanations) or codes.keys() != students:
        _fail("explained", "not exactly one explanation per student")
    if {r: e.place_id for r, e in codes.items() if e.place_id is not None} == placed:
        return  # every explanation names its student's place, and only placed students have one
    for student, e in codes.items():
        if (e.place_id is not None) != (student in placed) or (e.place_id and e.place_id != placed[student]):
            _fail("explained", f"explanation of {student} does not match the allocation")


def assert_reservations_honoured(rnd: RoundInput, sol: Solution, ref: Reference | None = None) -> None:
    """No eligible student of X stays unplaced while X's reserved slots at that place went to others.

    Slots that kept (fixed) placements alone take from X are left out: no allocation may move them.
    """
    released, kept = _released(rnd, sol, ref)
    released = {k: n for k, n in released.items() if n > kept.get(k, 0)}
    if not released:
        return
    ref = ref or bound.reference(rnd)
    rt, pairs = ref.tables, ref.pairs
    unplaced = ~_placed(sol, ref)
    schools = sorted({w.school_id for w in rt.students.wishes} | {x for _, x in released})
    code = {x: i for i, x in enumerate(schools)}
    school = np.array([code[w.school_id] for w in rt.students.wishes], dtype=np.int64)
    keys = np.array(sorted(rt.place_index[pid] * len(schools) + code[x] for pid, x in released), dtype=np.int64)
    sel = unplaced[pairs.student]
    hit = np.isin(pairs.place[sel] * len(schools) + school[pairs.student[sel]], keys)
    if hit.any():
        k = int(np.nonzero(hit)[0][0])
        s, p = int(pairs.student[sel][k]), int(pairs.place[sel][k])
        _fail("reserved_slots", f"{rt.students.refs[s]} is unplaced but {rt.places.ids[p]} released a slot "
                                f"reserved for {rt.students.wishes[s].school_id}")


def _plain_max_flow(ref: Reference) -> int:
    """Maximum number of students placeable: fixed ones plus a max flow over the rest."""
    st, pt = ref.tables.students, ref.tables.places
    s, p, room = augmenting.plain_network(ref)
    source, sink, p0 = st.n + pt.n, st.n + pt.n + 1, st.n
    smf = max_flow.SimpleMaxFlow()
    students = np.flatnonzero(np.bincount(s, minlength=st.n))  # those with a free pair (no hashing `unique`)
    tails = np.concatenate([np.full(len(students), source), s, p0 + np.arange(pt.n)]).astype(np.int32)
    heads = np.concatenate([students, p0 + p, np.full(pt.n, sink)]).astype(np.int32)
    caps = np.concatenate([np.ones(len(students) + len(s)), room]).astype(np.int64)
    smf.add_arcs_with_capacity(tails, heads, caps)
    if len(tails) and smf.solve(source, sink) != smf.OPTIMAL:
        _fail("max_placements", "reference max flow did not solve")
    return (smf.optimal_flow() if len(tails) else 0) + int((st.fixed >= 0).sum())


def assert_max_placements(rnd: RoundInput, sol: Solution, ref: Reference | None = None,
                          with_release: bool = False) -> int:
    """Objective 1: the number placed equals an independent maximum flow; returns that maximum.

    First the solution's own certificate: no augmenting path in the validator's plain network
    (`augmenting`); then the count is the maximum, and the release bound's parts take their maximum flows
    from it. Otherwise the maximum flow: `with_release`, the release bound comes next (slots released beyond
    the fixed placements' own) and its per-part maximum flows give it (`release_bound.max_placeable`)."""
    ref = ref or bound.reference(rnd)
    found = augmenting.certificate(ref, _placement(sol, ref))
    if found is not None:
        ref.cache[release_bound.CERTIFICATE] = found
        best = int(found.per_group.sum()) + int((ref.tables.students.fixed >= 0).sum())
    else:
        best = release_bound.max_placeable(ref) if with_release else _plain_max_flow(ref)
    if len(sol.assignments) != best:
        _fail("max_placements", f"placed {len(sol.assignments)}, maximum is {best}")
    return best


def assert_min_release(rnd: RoundInput, sol: Solution, ref: Reference | None = None,
                       releases: tuple[int, int] | None = None) -> int:
    """Objective 1b: released reserved slots equal the minimum over maximum allocations; returns it.
    `releases`: `_releases(rnd, sol)` when the caller has it already."""
    ref = ref or bound.reference(rnd)
    got, by_fixed = releases or _releases(rnd, sol, ref)
    if got == by_fixed:
        return bound.no_release_beyond_fixed(ref, got)  # placing more never releases fewer: the minimum
    if release_bound.certified_by_bound(ref, len(sol.assignments), got):
        return got  # a lower bound per part is reached (a minimum cut's, or two max flows'): no min-cost flow
    best = bound.min_release(ref)
    if got != best:
        _fail("min_release", f"released {got} reserved slots, minimum is {best}")
    return best


def _releases(rnd: RoundInput, sol: Solution, ref: Reference | None = None) -> tuple[int, int]:
    """(reserved slots the solution releases, those its fixed placements alone release)."""
    released, kept = _released(rnd, sol, ref)
    return sum(released.values()), sum(kept.values())


def assert_fair_share(rnd: RoundInput, sol: Solution, ref: Reference | None = None) -> tuple[int, int] | None:
    """Objective 2, first level: the worst group rate a/b equals t*, the best any maximum, fewest-release
    allocation can reach; returns (a, b) (None without students).

    The allocation itself shows t* >= a/b; one quota probe per independent part (every group at the
    next candidate rate above a/b) shows t* <= a/b. `fair_bound.max_min_rate` computes t* outright.
    """
    if not rnd.wishes:
        return None
    ref = ref or bound.reference(rnd)
    a, b, worst = _worst_rate(rnd, sol, ref)
    if bound.rate_exceedable(ref, (a, b), ref.tables.groups.index(worst)):
        _fail("fair_share", f"worst rate {a}/{b} of {worst} can be exceeded for every group")
    return a, b


def _worst_rate(rnd: RoundInput, sol: Solution, ref: Reference) -> tuple[int, int, tuple]:
    """(placed, students, group key) of the group with the lowest placement rate; among equal rates the group
    whose first student comes first in the round."""
    rt = ref.tables
    placed = _placed(sol, ref)
    demand = np.bincount(rt.students.group, minlength=len(rt.groups))
    got = np.bincount(rt.students.group[placed], minlength=len(rt.groups))
    groups = np.flatnonzero(demand)
    rate = got[groups] / demand[groups]
    lowest = groups[rate == rate.min()]
    g = int(lowest[0]) if len(lowest) == 1 else _first_in_round(rnd, rt, lowest)
    return int(got[g]), int(demand[g]), rt.groups[g]


def _first_in_round(rnd: RoundInput, rt: RoundTables, groups: np.ndarray) -> int:
    """Of these groups, the one whose first student comes first in the round's own order (a tie of rates)."""
    in_round_order = rt.students.group[np.fromiter((rt.student_index[w.student_ref] for w in rnd.wishes),
                                                   dtype=np.int64, count=len(rnd.wishes))]
    return int(in_round_order[np.isin(in_round_order, groups)][0])


def assert_scarce_options(rnd: RoundInput, sol: Solution, ref: Reference | None = None) -> tuple[int, int]:
    """Objective 2b (scarce options): with the solution's school totals, as many placed and the fewest
    released slots, no allocation places more students with a support need, or then more with k eligible
    places (k from 1 up, up to the solver's `scarce_cutoff`); returns (support students placed, most placeable
    with those totals). Independent: one min-cost flow per part on fair_bound's network (`scarce_bound`).
    """
    ref = ref or bound.reference(rnd)
    placed = _placed(sol, ref)
    checks = scarce_bound.check(ref, placed, sol.stats.scarce_cutoff)
    for c in checks:
        if c.short is not None:
            key, best, got = c.short
            what = "students with a support need" if key == 0 else f"students with {key} eligible places"
            _fail("scarce_options", f"{got} {what} placed, {best} with the same school totals")
    kept = {f.student_ref for f in rnd.fixed}
    fixed = sum(1 for w in rnd.wishes if w.support_needs and w.student_ref in kept)
    return sum(c.support_got for c in checks) + fixed, sum(c.support_best for c in checks) + fixed


def assert_no_improving_transfer(rnd: RoundInput, sol: Solution, ref: Reference | None = None) -> None:
    """Objective 2, all levels (instances without reservations): no single transfer improves the rates."""
    ref = ref or bound.reference(rnd)
    problem = improving_transfer(ref, _placement(sol, ref))
    if problem:
        _fail("lexicographic_fairness", problem)


@dataclass(frozen=True)
class ValidationReport:
    """Outcome of `validate`: figures and the checks that failed (empty = certified)."""

    placed: int
    max_flow: int | None
    min_release: int | None
    fair_bound: tuple[int, int] | None
    problems: tuple[str, ...]
    scarce: tuple[int, int] | None = None  # (support students placed, most placeable with the same school totals)

    @property
    def ok(self) -> bool:
        return not self.problems

    def with_problems(self, *problems: str) -> "ValidationReport":
        """This report with more problems (found by checks outside `validate`)."""
        return replace(self, problems=self.problems + problems) if problems else self


def validate(rnd: RoundInput, sol: Solution, *, fairness: str = "none", tables: RoundTables | None = None,
             pairs: object | None = None, workers: int = 1, explained: bool = True) -> ValidationReport:
    """Run the checks and collect failures (never raises ValidationFailure; see `ValidationReport.ok`).

    fairness: "none" (feasibility, max placements, reservations honoured: cheap), "bound" (+ minimum
    release and the quota-bisection bound on the worst rate, ~log2(students) flow probes) or "full" (+ the
    improving-transfer search; small instances only, and only without reserved slots).
    tables, pairs: the round's canonical tables and eligible pairs if already built (`fair_bound.reference`).
    workers: processes that run a check's independent parts side by side (`fork.py`).
    explained: False for a solution whose explanations are still being written (`solve_validated`): the
    caller checks them with `assert_explained`.
    """
    ref = bound.reference(rnd, tables, pairs, workers)
    problems, figures = [], {"max_flow": None, "min_release": None, "fair_bound": None, "scarce": None}
    reserved = fairness in ("bound", "full") and ref.reserved
    releases = _releases(rnd, sol, ref) if reserved else (0, 0)
    bounded = releases[0] != releases[1]  # slots released beyond the fixed placements' own: the release bound runs
    checks = [("feasible", lambda: assert_feasible(rnd, sol, ref, explained)),
              ("reserved", lambda: assert_reservations_honoured(rnd, sol, ref)),
              ("max_flow", lambda: assert_max_placements(rnd, sol, ref, with_release=bounded))]
    if reserved:
        checks.append(("min_release", lambda: assert_min_release(rnd, sol, ref, releases)))
    if fairness in ("bound", "full"):
        checks.append(("fair_bound", lambda: assert_fair_share(rnd, sol, ref)))
        checks.append(("scarce", lambda: assert_scarce_options(rnd, sol, ref)))
    if fairness == "full" and not ref.reserved:
        checks.append(("transfer", lambda: assert_no_improving_transfer(rnd, sol, ref)))
    for name, check in checks:
        try:
            value = check()
        except ValidationFailure as err:
            problems.append(str(err))
            continue
        if name in figures:
            figures[name] = value
    return ValidationReport(len(sol.assignments), figures["max_flow"], figures["min_release"],
                            figures["fair_bound"], tuple(problems), figures["scarce"])
