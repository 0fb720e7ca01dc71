"""The same round always gives the same allocation, whatever the input order or the pseudonyms."""

from __future__ import annotations

import random
from dataclasses import replace

from solver_support import generate

from matcher.domain.model import Exclusion, RoundInput
from matcher.solver import solve


def renamed(rnd: RoundInput, names: dict[str, str]) -> RoundInput:
    """The same round with every student_ref replaced consistently."""
    return replace(
        rnd, wishes=tuple(replace(w, student_ref=names[w.student_ref]) for w in rnd.wishes),
        exclusions=tuple(replace(e, student_ref=names.get(e.student_ref, e.student_ref)) for e in rnd.exclusions),
        fixed=tuple(replace(f, student_ref=names[f.student_ref]) for f in rnd.fixed),
    )


def shuffled(rnd: RoundInput, rng: random.Random) -> RoundInput:
    parts = {k: list(getattr(rnd, k)) for k in ("wishes", "places", "exclusions", "fixed")}
    for v in parts.values():
        rng.shuffle(v)
    return replace(rnd, **{k: tuple(v) for k, v in parts.items()})


def test_solving_twice_gives_the_same_solution() -> None:
    rnd = generate(500, 21)
    assert solve(rnd) == solve(rnd)


def test_shuffled_records_and_new_pseudonyms_give_the_same_placements() -> None:
    rnd = generate(500, 22)
    names = {w.student_ref: f"p{random.Random(i).getrandbits(48):x}" for i, w in enumerate(rnd.wishes)}
    other = shuffled(renamed(rnd, names), random.Random(5))
    base = solve(rnd).placement_map()
    again = solve(other).placement_map()
    assert {names[r]: p for r, p in base.items()} == again


def test_the_seed_only_breaks_ties() -> None:
    rnd = generate(400, 23)
    a, b = solve(rnd), solve(replace(rnd, seed=rnd.seed + 1))
    assert a.stats.placed == b.stats.placed
    assert sorted(round(g.rate, 9) for g in a.shares) == sorted(round(g.rate, 9) for g in b.shares)
    assert a.stats.wish_cost == b.stats.wish_cost and a.stats.travel_minutes == b.stats.travel_minutes


def test_inputs_are_not_mutated() -> None:
    rnd = generate(200, 24)
    rnd = replace(rnd, exclusions=rnd.exclusions + (Exclusion(rnd.wishes[0].student_ref, place_id="nope"),))
    before = repr(rnd)
    solve(rnd)
    assert repr(rnd) == before


def test_the_allocation_does_not_depend_on_the_process_hash_seed() -> None:
    import os
    import subprocess
    import sys

    from solver_support import ROOT

    code = ("import sys; sys.path.insert(0, %r); from bench.generator import generate; "
            "from matcher.solver import solve; print(sorted(solve(generate(300, 9)).placement_map().items()))" % str(ROOT))
    outputs = {
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed}).stdout
        for seed in ("1", "2")
    }
    assert len(outputs) == 1
