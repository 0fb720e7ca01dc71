"""Issue 17.4 (memory): eligible pairs, wish costs and flow networks are compact numpy columns, built in
bounded blocks, and the block size never changes a pair, a cost or an explanation."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from bench.generator import generate
from matcher.domain import eligibility
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


def test_the_instance_shares_the_pairs_and_keeps_narrow_wish_columns(region) -> None:
    rnd, rt = region
    assert not rnd.fixed
    pairs = eligibility.eligible_pairs(rt)
    inst = build_instance(rt, pairs)
    assert inst.pairs is pairs  # no student is fixed: no copy of the pairs
    assert (inst.wish.dtype, inst.tier.dtype, inst.overlap.dtype) == (np.int16, np.int8, np.int8)
    assert np.array_equal(inst.wish, 101 * inst.tier.astype(np.int64) + 100 - inst.overlap)


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
    solve(region[0])
    assert seen and all(not (a.tails or a.heads or a.caps or a.costs) for a in seen)
