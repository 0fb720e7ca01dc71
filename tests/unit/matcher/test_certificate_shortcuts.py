"""The validator's cheap certificates (issue 17.4): max flows instead of min-cost flows where they suffice.

* the most placed: no augmenting path from the solution itself, instead of a max flow (`augmenting`);
* the fewest released slots: the minimum cut of that certificate bounds it from below, else two max flows per
  part (`release_bound`);
* the fair-share probe: a max flow that cannot meet the quotas at all settles it before any min-cost flow;
* the scarce-options level: per ranked level, the students of that level and the ones before it placed as
  many as a max flow can place of them alone within the school totals (`scarce_bound._prefix_bounds_met`).
Each test makes the min-cost flow raise, so it fails where the validator still needs one; the figures are
compared with the min-cost flows on generated regions.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from solver_support import Reservation, generate, place, round_of, wish

from matcher.domain import eligibility
from matcher.solver import augmenting, fair_bound, release_bound, scarce_bound
from matcher.solver import solve
from matcher.solver.validation import validate


def _no_min_cost_flow(*_args, **_kwargs):
    raise AssertionError("a min-cost flow ran where max flows certify the figure")


def _released_round():
    # A: 1 slot reserved for X; B: 1 general slot. x (X) can take A or B; y1, y2 (Y) only A: placing two
    # students releases A's reserved slot once, and school Y cannot reach 2/2.
    return round_of([wish("x", school_id="X"), wish("y1", school_id="Y", crebo="25491"),
                     wish("y2", school_id="Y", crebo="25491")],
                    [place("A", crebos=("25480", "25491"), reserved=(Reservation("X", 1),)), place("B")])


def test_release_fair_share_and_scarce_options_are_certified_without_a_min_cost_flow(monkeypatch) -> None:
    # The release bound needs no max flow either: the unplaced y reaches A, full, and no student of X it reaches
    # can use A's reserved slot, so the certificate's minimum cut shows that every maximum allocation releases it.
    rnd = _released_round()
    sol = solve(rnd)
    monkeypatch.setattr(fair_bound, "_mcf", _no_min_cost_flow)
    monkeypatch.setattr(scarce_bound, "_optimum", _no_min_cost_flow)
    monkeypatch.setattr(release_bound, "part_figures", _no_min_cost_flow)
    report = validate(rnd, sol, fairness="bound")
    assert report.ok, report.problems
    assert (report.placed, report.min_release, report.fair_bound) == (2, 1, (1, 2))


def test_with_every_student_placed_the_cut_shows_nothing_and_the_two_max_flows_bound_the_release() -> None:
    # y (Y) can only take A, whose slot X keeps; x takes B. Both placed: nothing is left to search from, so the
    # certificate's cut bounds no release; the max flows with and without releases (2 and 1) show one.
    rnd = round_of([wish("x", school_id="X"), wish("y", school_id="Y", crebo="25491")],
                   [place("A", crebos=("25480", "25491"), reserved=(Reservation("X", 1),)), place("B")])
    sol = solve(rnd)
    assert len(sol.assignments) == 2 and sol.stats.released_slots == 1
    ref = fair_bound.reference(rnd)
    found = augmenting.certificate(ref, sol.placement_map())
    ref.cache[release_bound.CERTIFICATE] = found
    assert release_bound.cut_figures(ref) == [0]
    assert release_bound.certified_by_bound(ref, 2, 1)
    assert validate(rnd, sol, fairness="bound").min_release == 1


def test_the_scarce_check_needs_no_min_cost_flow_when_the_prefix_bounds_are_met(monkeypatch) -> None:
    rnd = _released_round()
    sol = solve(rnd)
    ref = fair_bound.reference(rnd)
    placed = np.array([r in sol.placement_map() for r in ref.tables.students.refs])
    monkeypatch.setattr(scarce_bound, "_optimum", _no_min_cost_flow)
    checks = scarce_bound.check(ref, placed, sol.stats.scarce_cutoff)
    assert [c.short for c in checks] == [None]


def test_a_release_bound_below_the_minimum_falls_back_to_the_min_cost_flow() -> None:
    # s1 (X1) can take P (reserved for X2) or Q (reserved for X1); s2 (Y) only Q. Both placed needs two
    # released slots, while the two max flows only show one (2 placeable, 1 without releases).
    rnd = round_of([wish("s1", school_id="X1"), wish("s2", school_id="Y", crebo="25491")],
                   [place("P", reserved=(Reservation("X2", 1),)),
                    place("Q", crebos=("25480", "25491"), reserved=(Reservation("X1", 1),))])
    sol = solve(rnd)
    ref = fair_bound.reference(rnd)
    assert len(sol.assignments) == 2 and sol.stats.released_slots == 2
    assert not release_bound.certified_by_bound(ref, 2, 2)
    report = validate(rnd, sol, fairness="bound")
    assert report.ok and report.min_release == 2


def _union_find_parts(ref) -> list[list[int]]:
    """Groups linked through shared places, by plain breadth-first search (the reference for the numpy one)."""
    s, p = fair_bound._free_pairs(ref)
    g = ref.tables.students.group[s]
    by_group, by_place = {}, {}
    for a, b in zip(g.tolist(), p.tolist()):
        by_group.setdefault(a, set()).add(b)
        by_place.setdefault(b, set()).add(a)
    seen, parts = set(), []
    for start in sorted(by_group):
        if start in seen:
            continue
        seen.add(start)
        queue, part = [start], []
        while queue:
            a = queue.pop()
            part.append(a)
            for b in by_group[a]:
                for c in by_place[b] - seen:
                    seen.add(c)
                    queue.append(c)
        parts.append(sorted(part))
    return parts


@pytest.mark.parametrize("seed", [3, 11, 29])
def test_the_shortcuts_give_the_min_cost_flows_figures_on_generated_regions(seed, monkeypatch) -> None:
    rnd = generate(400, seed)
    sol = solve(rnd)
    ref = fair_bound.reference(rnd)
    assert [np.nonzero(m)[0].tolist() for m in fair_bound._parts(ref)] == _union_find_parts(ref)
    report = validate(rnd, sol, fairness="bound")
    assert report.ok, report.problems
    if any(p.reserved for p in rnd.places):
        assert report.min_release == fair_bound.min_release(fair_bound.reference(rnd))  # min-cost flows
    placed = np.array([r in sol.placement_map() for r in ref.tables.students.refs])
    quick = scarce_bound.check(fair_bound.reference(rnd), placed, sol.stats.scarce_cutoff)
    monkeypatch.setattr(scarce_bound, "_prefix_bounds_met", lambda *a: False)
    assert scarce_bound.check(fair_bound.reference(rnd), placed, sol.stats.scarce_cutoff) == quick


@pytest.mark.parametrize("seed", [5, 13, 21])
def test_the_prefix_check_skipping_the_levels_placed_whole_agrees_with_the_min_cost_flow(seed, monkeypatch) -> None:
    # Students dropped from the solver's allocation (a feasible one, with lower school totals) leave levels with
    # a student out: some a better allocation with the same totals exists for, some not.
    rnd = generate(400, seed, support_share=0.3)
    sol = solve(rnd)
    ref = fair_bound.reference(rnd)
    solved = np.array([r in sol.placement_map() for r in ref.tables.students.refs])
    droppable = np.flatnonzero(solved & (ref.tables.students.fixed < 0))
    rng = np.random.default_rng(seed)
    flows, shorts = [], 0
    real_max_flow = fair_bound._Net.max_flow
    for k in range(12):
        placed = solved.copy()
        placed[rng.choice(droppable, size=k, replace=False)] = False
        monkeypatch.setattr(fair_bound._Net, "max_flow", lambda net, caps: flows.append(1) or real_max_flow(net, caps))
        quick = scarce_bound.check(fair_bound.reference(rnd), placed, sol.stats.scarce_cutoff)
        monkeypatch.setattr(fair_bound._Net, "max_flow", real_max_flow)
        with monkeypatch.context() as m:
            m.setattr(scarce_bound, "_prefix_bounds_met", lambda *a: False)
            assert scarce_bound.check(fair_bound.reference(rnd), placed, sol.stats.scarce_cutoff) == quick
        shorts += any(c.short for c in quick)
    assert 0 < shorts < 12 and flows


@pytest.mark.parametrize("seed", [3, 11])
def test_which_part_the_fair_share_probe_asks_first_changes_no_answer(seed) -> None:
    rnd = generate(400, seed)
    ref = fair_bound.reference(rnd)
    best = fair_bound.max_min_rate(ref)
    groups = range(len(ref.tables.groups))
    for rate in (best, (best[0] - 1, best[1]), (0, 1), (1, 1)):
        answer = fair_bound.rate_exceedable(fair_bound.reference(rnd), rate)
        assert all(fair_bound.rate_exceedable(fair_bound.reference(rnd), rate, g) == answer for g in groups)
        assert answer == (rate[0] * best[1] < best[0] * rate[1])  # below the best rate, and only there


@pytest.mark.parametrize("seed", [3, 11, 29])
def test_the_release_bounds_max_flows_give_the_plain_max_flow_the_max_placements_check_reads(seed) -> None:
    from matcher.solver.validation import _plain_max_flow

    rnd = generate(400, seed)
    ref = fair_bound.reference(rnd)
    assert release_bound.max_placeable(ref) == _plain_max_flow(fair_bound.reference(rnd))
    assert release_bound.max_placeable(ref) == len(solve(rnd).assignments)  # the solver's count, certified


def test_the_max_placements_check_on_the_release_bound_refuses_one_placement_short() -> None:
    from dataclasses import replace

    from matcher.errors import ValidationFailure
    from matcher.solver.validation import assert_max_placements

    rnd = _released_round()
    short = replace(solve(rnd), assignments=solve(rnd).assignments[:1])
    with pytest.raises(ValidationFailure, match="placed 1, maximum is 2"):
        assert_max_placements(rnd, short, fair_bound.reference(rnd), with_release=True)


@pytest.mark.parametrize("seed", [3, 8])
def test_the_validator_s_parts_are_the_same_from_a_dense_link_matrix_and_from_sorted_keys(monkeypatch, seed) -> None:
    rnd = generate(1500, seed)
    dense = [part.tolist() for part in fair_bound._compute_parts(fair_bound.reference(rnd))]
    monkeypatch.setattr(eligibility, "DENSE_LINKS", 0)  # the national-scale path: np.unique over the pair keys
    sparse = [part.tolist() for part in fair_bound._compute_parts(fair_bound.reference(rnd))]
    assert dense == sparse and len(dense) > 1


def _path_round(p2_slots: int):
    # a wants only P1; b can take P1 or P2
    return round_of([wish("a", crebo="25491"), wish("b")],
                    [place("P1", crebos=("25480", "25491")), place("P2", slots=p2_slots)])


def _moved(sol, placement: dict):
    """`sol` with its assignments at `placement` (student -> place) instead."""
    from dataclasses import replace

    by_ref = {a.student_ref: a for a in sol.assignments}
    return replace(sol, assignments=tuple(replace(by_ref[r], place_id=p) for r, p in sorted(placement.items())))


def _certified(rnd, placement: dict):
    """The certificate's new placements per group, or None."""
    found = augmenting.certificate(fair_bound.reference(rnd), placement)
    return None if found is None else found.per_group


def test_an_augmenting_path_through_a_placed_student_shows_the_solution_is_not_the_most_placed() -> None:
    from matcher.errors import ValidationFailure
    from matcher.solver.validation import assert_max_placements

    rnd = _path_round(p2_slots=1)
    sol = solve(rnd)
    assert sol.placement_map() == {"a": "P1", "b": "P2"}
    assert _certified(rnd, sol.placement_map()).tolist() == [2]
    assert _certified(rnd, {"b": "P1"}) is None  # a -> P1 -> b -> P2, which has a slot to spare
    with pytest.raises(ValidationFailure, match="placed 1, maximum is 2"):
        assert_max_placements(rnd, _moved(sol, {"b": "P1"}), fair_bound.reference(rnd))


def test_without_a_spare_slot_at_the_end_of_the_path_one_placed_is_the_most() -> None:
    rnd = _path_round(p2_slots=0)
    assert _certified(rnd, {"b": "P1"}).tolist() == [1]
    assert _certified(rnd, {"a": "P1"}).tolist() == [1]


def test_a_placement_outside_the_pairs_or_the_slots_is_never_certified() -> None:
    rnd = _path_round(p2_slots=1)
    assert _certified(rnd, {"a": "P2", "b": "P1"}) is None  # a is not eligible for P2
    assert _certified(rnd, {"a": "P1", "b": "P1"}) is None  # P1 has one slot
    assert _certified(rnd, {"a": "P9"}) is None  # no such place


@pytest.mark.parametrize("seed", [3, 11, 29])
def test_the_solver_s_allocation_is_certified_the_most_placed_without_a_max_flow(seed, monkeypatch) -> None:
    from matcher.solver import validation

    rnd = generate(400, seed)
    sol = solve(rnd)
    ref = fair_bound.reference(rnd)
    found = augmenting.certificate(ref, sol.placement_map())
    fixed = int((ref.tables.students.fixed >= 0).sum())
    assert found is not None
    assert int(found.per_group.sum()) + fixed == validation._plain_max_flow(ref) == len(sol.assignments)
    # the release bound's parts read their maximum flows from the certified counts: the same figures
    plain = release_bound.part_figures(fair_bound.reference(rnd))
    ref.cache[release_bound.CERTIFICATE] = found
    assert release_bound.part_figures(ref) == plain
    def no_max_flow(_ref):
        raise AssertionError("the plain max flow ran although no augmenting path certifies the count")

    monkeypatch.setattr(validation, "_plain_max_flow", no_max_flow)
    report = validate(rnd, sol, fairness="bound")
    assert report.ok and report.max_flow == len(sol.assignments), report.problems


def test_a_reference_checks_each_solution_with_its_own_placements_and_shares_its_networks_read_only() -> None:
    # the placement map and the networks' arrays are built once per reference (issue 17.4): a second solution
    # validated with the same reference is read anew, and no check can change a shared network
    from dataclasses import replace

    from matcher.solver.validation import assert_max_placements

    rnd = generate(200, 47)
    sol = solve(rnd)
    ref = fair_bound.reference(rnd)
    assert assert_max_placements(rnd, sol, ref) == len(sol.assignments)
    dropped = next(a for a in sol.assignments if not a.fixed)
    fewer = replace(sol, assignments=tuple(a for a in sol.assignments if a is not dropped))
    with pytest.raises(Exception, match=f"placed {len(sol.assignments) - 1}, maximum is {len(sol.assignments)}"):
        assert_max_placements(rnd, fewer, ref)
    net = fair_bound._network(ref, release=True, part=fair_bound._parts(ref)[0])
    tails, _, caps, _ = net.arrays()
    assert net.arrays()[0] is tails  # joined once
    with pytest.raises(ValueError):
        caps[0] = 0
    s, _ = fair_bound._free_pairs(ref)
    with pytest.raises(ValueError):
        s[0] = 0


def _whole_network_max_flow(net, caps: np.ndarray) -> int:
    """The max flow over every arc of the network, as OR-tools gets it without the validator's pruning."""
    from ortools.graph.python import max_flow

    smf = max_flow.SimpleMaxFlow()
    smf.add_arcs_with_capacity(*net.ends32(), caps)
    assert smf.solve(0, 1) == smf.OPTIMAL
    return int(smf.optimal_flow())


@pytest.mark.parametrize("seed", [2, 9])
def test_a_probe_s_max_flow_without_the_arcs_that_cannot_carry_flow_is_the_whole_network_s(seed) -> None:
    rnd = generate(500, seed, scarcity=0.8)
    rnd = replace(rnd, places=tuple(
        replace(p, reserved=(Reservation(rnd.wishes[0].school_id, p.effective_slots - 1),))
        if i % 3 == 0 and p.effective_slots > 1 else p for i, p in enumerate(rnd.places)))
    ref = fair_bound.reference(rnd)
    rng = np.random.default_rng(seed)
    probes = 0
    for part in fair_bound._parts(ref):
        net = fair_bound._network(ref, release=True, part=part)
        caps = net.arrays()[2]
        enrol = slice(2 * net.n_groups, 2 * net.n_groups + len(net.enrol_students))
        for share in (0.0, 0.1, 0.5, 1.0):  # students whose enrol arc a probe closes, groups without quota
            probe = caps.copy()
            probe[enrol] = rng.random(len(net.enrol_students)) >= share
            probe[:net.n_groups] = np.where(rng.random(net.n_groups) < share / 2, 0, probe[:net.n_groups])
            assert net.max_flow(probe) == _whole_network_max_flow(net, probe)
            probes += 1
    assert probes >= 8


@pytest.mark.parametrize("seed", [1, 4, 7])
def test_the_worst_rate_is_the_lowest_and_ties_go_to_the_group_first_in_the_round(seed) -> None:
    from collections import Counter

    from matcher.domain.fairness import group_key
    from matcher.solver.validation import _worst_rate

    rnd = generate(300, seed, scarcity=1.1)
    sol = solve(rnd)
    demand = Counter(group_key(w) for w in rnd.wishes)
    placed = sol.placement_map()
    got = Counter(group_key(w) for w in rnd.wishes if w.student_ref in placed)
    worst = min(demand, key=lambda g: got[g] / demand[g])  # the first of the lowest, in the round's order
    assert _worst_rate(rnd, sol, fair_bound.reference(rnd)) == (got[worst], demand[worst], worst)
    # every group at 0 placed: all tie, and the group of the round's first student is the worst
    empty = replace(sol, assignments=())
    assert _worst_rate(rnd, empty, fair_bound.reference(rnd))[2] == group_key(rnd.wishes[0])
