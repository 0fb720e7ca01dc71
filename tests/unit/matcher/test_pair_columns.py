"""Issue 17.4 (memory): eligible pairs, wish costs and flow networks are compact numpy columns, built in
bounded blocks, and the block size never changes a pair, a cost or an explanation."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bench.generator import generate
from matcher.domain import eligibility
from matcher.domain.model import WISH_RANKS
from matcher.domain.preferences import pair_overlaps, pair_tiers
from matcher.domain.tables import build_tables
from matcher.solver import solve
from matcher.solver.instance import build_instance
from matcher.solver.variables import ArcSet


@pytest.fixture(scope="module")
def region():
    rnd = generate(1500, 3)
    return rnd, build_tables(rnd)


def test_eligible_pairs_are_compact_columns_in_student_then_place_order(region) -> None:
    _, rt = region
    pairs = eligibility.eligible_pairs(rt)
    assert pairs.n > 0
    assert (pairs.student.dtype, pairs.place.dtype, pairs.minutes.dtype) == (np.int32, np.int32, np.int16)
    keys = pairs.student.astype(np.int64) * rt.places.n + pairs.place
    assert np.all(np.diff(keys) > 0)  # sorted by (student, place), no pair twice
    assert np.array_equal(pairs.minutes, eligibility.travel_minutes_pairs(rt, pairs.student, pairs.place))


def test_the_block_size_changes_no_pair(region, monkeypatch) -> None:
    _, rt = region
    whole = eligibility.eligible_pairs(rt)
    monkeypatch.setattr(eligibility, "_CELLS", 1)  # 64 students per block: many blocks per programme
    small = eligibility.eligible_pairs(rt)
    for column in ("student", "place", "minutes"):
        assert np.array_equal(getattr(whole, column), getattr(small, column))


def test_the_block_size_changes_no_explanation(region, monkeypatch) -> None:
    rnd, rt = region
    whole = solve(rnd).explanations
    assert any(e.relaxations for e in whole)  # the counterfactual scan ran on unplaced students
    monkeypatch.setattr(eligibility, "_CELLS", 1)  # the block size explain uses too (block_rows)
    assert solve(rnd).explanations == whole


def test_the_instance_shares_the_pairs_and_keeps_one_narrow_wish_column(region) -> None:
    rnd, rt = region
    assert not rnd.fixed
    pairs = eligibility.eligible_pairs(rt)
    inst = build_instance(rt, pairs)
    assert inst.pairs is pairs  # no student is fixed: no copy of the pairs
    assert inst.wish.dtype == np.int16 and not hasattr(inst, "tier") and not hasattr(inst, "overlap")
    tier, overlap = pair_tiers(rt, pairs.student, pairs.place), pair_overlaps(rt, pairs.student, pairs.place)
    assert np.array_equal(inst.wish, 101 * tier.astype(np.int64) + 100 - overlap)


def test_the_chosen_pairs_get_their_tier_and_overlap(region) -> None:
    rnd, rt = region
    solution = solve(rnd)
    pairs = eligibility.eligible_pairs(rt)
    index = {(rt.students.refs[s], rt.places.ids[p]): k for k, (s, p) in enumerate(zip(pairs.student, pairs.place))}
    chosen = [index[(a.student_ref, a.place_id)] for a in solution.assignments]
    tier, overlap = pair_tiers(rt, pairs.student[chosen], pairs.place[chosen]), pair_overlaps(rt, pairs.student[chosen],
                                                                                             pairs.place[chosen])
    assert [a.wish_rank for a in solution.assignments] == [WISH_RANKS[t] for t in tier]
    assert [a.activity_overlap for a in solution.assignments] == overlap.tolist()
    assert [a.travel_minutes for a in solution.assignments] == pairs.minutes[chosen].tolist()


def test_an_arc_set_releases_its_blocks_and_a_copy_keeps_its_own() -> None:
    arcs = ArcSet()
    arcs.add("a", np.arange(3), 7, 1, np.array([5, 6, 7]))
    arcs.add("b", np.arange(2), np.array([8, 9]), np.array([2, 3]), 0)
    copy = replace(arcs, costs=[*arcs.costs])  # as the final round re-costs a network (solver.choices)
    tails, heads, caps, costs = arcs.arrays()
    arcs.release()
    assert (arcs.tails, arcs.heads, arcs.caps, arcs.costs) == ([], [], [], [])
    assert arcs.spans == {"a": (0, 3), "b": (3, 5)} and arcs.size == 5
    assert [a.tolist() for a in copy.arrays()] == [a.tolist() for a in (tails, heads, caps, costs)]
    assert tails.tolist() == [0, 1, 2, 0, 1] and heads.tolist() == [7, 7, 7, 8, 9]
    assert caps.tolist() == [1, 1, 1, 2, 3] and costs.tolist() == [5, 6, 7, 0, 0]


def test_a_solved_pass_leaves_no_blocks_behind(region, monkeypatch) -> None:
    from matcher.solver import model

    seen = []
    run = model._run
    monkeypatch.setattr(model, "_run", lambda arcs, *a, **k: (seen.append(arcs), run(arcs, *a, **k))[1])
    monkeypatch.setattr(model, "SIMPLEX_ARCS", 0)  # passes S and B in OR-tools too, as from a million arcs on
    solve(region[0])
    assert seen and all(not (a.tails or a.heads or a.caps or a.costs) for a in seen)


def test_components_do_not_depend_on_how_the_links_are_read(region, monkeypatch) -> None:
    from matcher.solver import components as split

    _, rt = region
    inst = build_instance(rt, eligibility.eligible_pairs(rt))
    whole = split.components(inst)
    assert len(whole) > 1 and sum(len(c.pairs) for c in whole) == inst.pairs.n
    for c in whole:  # a component's pairs are exactly those of its students, in pair order
        assert np.all(np.diff(c.pairs) > 0)
        assert np.array_equal(np.unique(inst.pairs.student[c.pairs]), c.students)
        assert np.isin(inst.pairs.place[c.pairs], c.places).all()
    monkeypatch.setattr(eligibility, "LINK_SLICE", 1000)  # many slices
    monkeypatch.setattr(eligibility, "DENSE_LINKS", 0)  # sorted keys instead of the dense matrix
    again = split.components(inst)
    assert len(again) == len(whole)
    for a, b in zip(whole, again):
        for name in ("groups", "students", "places", "pairs", "reservations"):
            assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_a_solve_that_frees_each_component_s_pairs_gives_the_same_solution(region) -> None:
    from matcher.solver import components as split

    rnd, rt = region
    shared = eligibility.eligible_pairs(rt)
    kept = solve(rnd, rt, shared)  # the validator's way: the caller keeps the pairs
    assert solve(rnd) == kept  # the solve's own pairs, split into components and freed one by one
    assert solve(rnd, rt, eligibility.eligible_pairs(rt), release_pairs=True) == kept
    inst = build_instance(rt, shared)
    comps = split.components(inst)
    bare, parts = split.split(inst, comps)
    assert bare.pairs.n == 0 and len(bare.wish) == 0 and shared.n == inst.pairs.n  # the caller's columns untouched
    for comp, part in zip(comps, parts):
        narrow, own = part.narrowed(bare)
        assert np.array_equal(narrow.pairs.student[own.pairs], inst.pairs.student[comp.pairs])
        assert np.array_equal(narrow.pairs.place[own.pairs], inst.pairs.place[comp.pairs])
        assert np.array_equal(narrow.wish[own.pairs], inst.wish[comp.pairs])
        assert np.array_equal(own.students, comp.students) and np.array_equal(own.places, comp.places)


@pytest.mark.parametrize("handed_over", [True, False])
def test_pairs_handed_over_are_gone_while_the_components_are_solved(region, monkeypatch, handed_over) -> None:
    import weakref

    from matcher.solver import model

    rnd, rt = region
    handed = [eligibility.eligible_pairs(rt)]
    column = weakref.ref(handed[0].student)
    alive, real = [], model._solve_component
    monkeypatch.setattr(model, "_solve_component", lambda *args: alive.append(column() is not None) or real(*args))
    if handed_over:  # the national-scale bench's way: nothing but the solve holds them
        solve(rnd, rt, handed.pop(), release_pairs=True)
    else:  # the caller keeps them (the validator shares them): they stay
        solve(rnd, rt, handed[0])
    assert len(alive) > 1 and set(alive) == {not handed_over}


def _rss_mb() -> float:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) / 1024


def test_give_back_returns_freed_heap_arrays_to_the_system() -> None:
    from matcher.solver import heap

    np.ones(30 << 17)  # a freed 30 MB block raises glibc's mmap threshold: the arrays below come from the heap
    arrays = [np.ones(1 << 17) for _ in range(200)]  # 200 arrays of 1 MB
    last = arrays.pop()  # holds the heap's top, so free() alone cannot shrink the heap
    del arrays
    before = _rss_mb()
    assert heap.give_back()
    assert before - _rss_mb() > 100  # ~199 MB were free inside the heap
    del last


def test_only_networks_from_give_back_arcs_on_trim_the_heap_and_the_solution_stays(region, monkeypatch) -> None:
    from matcher.solver import decomposition, heap, model

    rnd, _ = region
    calls = []
    monkeypatch.setattr(heap, "give_back", lambda: calls.append(1) or True)
    plain = solve(rnd)
    split_cuts = len(calls)  # one per pair column cut (the solve's own pairs)
    assert split_cuts == 4
    runs, run, network = [], model._run, decomposition._Network
    monkeypatch.setattr(model, "_run", lambda *args, **kw: runs.append(1) or run(*args, **kw))
    monkeypatch.setattr(decomposition, "_Network", lambda *args: runs.append(1) or network(*args))
    monkeypatch.setattr(heap, "GIVE_BACK_ARCS", 1)  # every network is "large"
    assert solve(rnd) == plain
    assert len(runs) >= 4 and len(calls) == 2 * split_cuts + len(runs)  # one trim before every pass's solve


def test_a_split_solve_keeps_fixed_placements_and_reservations_as_the_shared_one(region) -> None:
    from matcher.domain.model import FixedPlacement, Reservation

    rnd, _ = region
    first = solve(rnd)
    fixed = tuple(FixedPlacement(a.student_ref, a.place_id) for a in first.assignments[::7])
    school = {w.student_ref: w.school_id for w in rnd.wishes}
    reserved = {a.place_id: school[a.student_ref] for a in first.assignments[1::5]}
    places = tuple(replace(p, reserved=(Reservation(reserved[p.place_id], 1),)) if p.place_id in reserved else p
                   for p in rnd.places)
    hard = replace(rnd, fixed=fixed, places=places)
    rt = build_tables(hard)
    kept = solve(hard, rt, eligibility.eligible_pairs(rt))
    assert solve(hard) == kept
    assert len(fixed) > 50 and len(reserved) > 50
    assert {f.student_ref: f.place_id for f in fixed}.items() <= kept.placement_map().items()


def test_component_positions_are_the_same_from_the_lookup_table_and_the_binary_search(region, monkeypatch) -> None:
    from matcher.solver import constraints

    rnd, rt = region
    rng = np.random.default_rng(5)
    ids = np.sort(rng.choice(5000, 800, replace=False))
    wanted = rng.choice(ids, 20000)
    assert np.array_equal(constraints.local(ids, wanted), np.searchsorted(ids, wanted))  # the table
    assert np.array_equal(constraints.local(ids, wanted[:10]), np.searchsorted(ids, wanted[:10]))  # the search
    assert constraints.local(ids[:0], wanted[:0]).size == 0
    table = solve(rnd, rt)
    monkeypatch.setattr(constraints, "DENSE_LOOKUP", 0)  # always the binary search
    assert solve(rnd, rt).assignments == table.assignments


@pytest.mark.parametrize("shuffled", [False, True])
def test_the_largest_value_per_student_is_that_of_an_unbuffered_maximum(shuffled) -> None:
    from matcher.solver.constraints import largest_per_student

    rng = np.random.default_rng(9)
    s_loc = np.sort(rng.integers(0, 300, 5000))
    s_loc = s_loc[s_loc != 17]  # a student without pairs keeps 0
    values = rng.integers(0, 10**6, len(s_loc))
    if shuffled:  # any order other than by student takes the unbuffered maximum
        order = rng.permutation(len(s_loc))
        s_loc, values = s_loc[order], values[order]
    expected = np.zeros(300, dtype=np.int64)
    np.maximum.at(expected, s_loc, values)
    got = largest_per_student(s_loc, values, 300)
    assert np.array_equal(got, expected) and got[17] == 0
    assert not largest_per_student(s_loc[:0], values[:0], 4).any()
