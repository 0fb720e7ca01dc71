"""Variant 2 at scale (issue 15.3): k candidates per student and the final round, `make bench`'s "variant2" rows.

One generated region (`bench.generator.generate(n, 1)`), every programme on variant 2 with k = 3. Timed in
this process, after the rule's own solve (not counted): the candidates (`offer_candidates`), the final round
(`final_round`) with scripted choices (a seeded CHOOSE_SHARE of the offered students each choose one of their
candidates uniformly at random; the others keep the matcher's pick), and the certification: the final
allocation by `validate(..., fairness="bound")` and every offered pair by the validator (`candidate_bound`:
residual cycles of its own network, the forced min-cost flow for any pair they leave open; `forced_pairs`
of them, seeded, also by the forced flow alone, to time it). `chose_granted` is the share
of the students who chose that got their choice. BENCH_QUICK=1 runs 1,000 students.
"""

from __future__ import annotations

import os
import resource
import time
from typing import Any

import numpy as np

from bench.generator import generate
from bench.memory import peak_rss_mb

SIZES = (10_000,)
K = 3
CHOOSE_SHARE = 0.7
FORCED = 20
SEED = 1


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _choices(offers, seed: int) -> dict[str, list[str]]:
    rng = np.random.default_rng(seed)
    chooses = rng.random(len(offers)) < CHOOSE_SHARE
    which = rng.integers(0, 1 << 30, size=len(offers))
    return {o.student_ref: [o.place_ids[int(w) % len(o.place_ids)]]
            for o, c, w in zip(offers, chooses.tolist(), which.tolist()) if c}


def measure(n: int) -> dict[str, Any]:
    """One variant-2 run on a generated region of n students."""
    from matcher.domain.consistency import check_round
    from matcher.domain.eligibility import eligible_pairs
    from matcher.domain.tables import build_tables
    from matcher.solver import solve
    from matcher.solver.candidate_bound import assert_candidates_achievable
    from matcher.solver.candidates import offer_candidates
    from matcher.solver.choices import GRANTED, OTHER_CANDIDATE, final_round
    from matcher.solver.fair_bound import reference
    from matcher.solver.validation import validate

    rnd = generate(n, SEED)
    check_round(rnd)
    tables = build_tables(rnd)
    pairs = eligible_pairs(tables)
    t0 = time.perf_counter()
    sol = solve(rnd, tables, pairs)
    solve_s = time.perf_counter() - t0
    cpu0, t0 = _cpu(), time.perf_counter()
    offers = offer_candidates(rnd, sol, {w.student_ref: K for w in rnd.wishes}, tables, pairs)
    t1 = time.perf_counter()
    choices = _choices(offers, SEED)
    final, outcomes = final_round(rnd, sol, offers, choices, tables, pairs)
    t2 = time.perf_counter()
    cpu = _cpu() - cpu0
    report = validate(rnd, final, fairness="bound", tables=tables, pairs=pairs)
    t3 = time.perf_counter()
    problems = list(report.problems)
    try:
        ref = reference(rnd, tables, pairs)
        checked = assert_candidates_achievable(rnd, sol, offers, ref)
        t4 = time.perf_counter()
        sample = [offers[i] for i in np.random.default_rng(SEED).permutation(len(offers))[:FORCED].tolist()]
        forced = assert_candidates_achievable(rnd, sol, sample, ref, exact=True)
        t5 = time.perf_counter()
    except Exception as err:  # a refused candidate is a figure of the run, not a crash
        checked, forced, problems = 0, 0, problems + [str(err)]
        t4 = t5 = time.perf_counter()
    codes = [o.code for o in outcomes]
    chose = len(choices)
    return {
        "component": "matcher", "method": "variant2", "implementation": "residual SCC candidates + final min-cost flow",
        "students": n, "k": K, "wall_s": round(t2 - t0, 3), "cpu_s": round(cpu, 3), "peak_mb": round(peak_rss_mb(), 1),
        "candidates_s": round(t1 - t0, 3), "final_round_s": round(t2 - t1, 3),
        "certify_s": round(t4 - t2, 3), "validate_final_s": round(t3 - t2, 3),
        "certify_candidates_s": round(t4 - t3, 3), "candidate_pairs_certified": checked,
        "forced_pairs": forced, "forced_s": round(t5 - t4, 3),
        "rule_solve_s": round(solve_s, 3),
        "placed": len(sol.assignments), "placed_final": len(final.assignments), "offered": len(offers),
        "offered_full_k": round(sum(len(o.place_ids) == K for o in offers) / max(len(offers), 1), 4),
        "candidates_per_offer": round(sum(len(o.place_ids) for o in offers) / max(len(offers), 1), 3),
        "chose": chose, "chose_granted": round(codes.count(GRANTED) / max(chose, 1), 4),
        "chose_other_candidate": round(codes.count(OTHER_CANDIDATE) / max(chose, 1), 4),
        "certified": not problems and report.ok, "problems": problems,
    }


def run() -> list[dict[str, Any]]:
    sizes = (1_000,) if os.environ.get("BENCH_QUICK") == "1" else SIZES
    rows = []
    for n in sizes:
        row = measure(n)
        rows.append(row)
        print(f"  variant2 {n:>7} k={K}: candidates {row['candidates_s']} s, final round {row['final_round_s']} s, "
              f"certification {row['certify_s']} s ({row['candidate_pairs_certified']} pairs), chose "
              f"{row['chose']}, granted {row['chose_granted']:.3f}, certified {row['certified']}", flush=True)
    return rows
