"""Scenario bench (issue 16.5): one what-if scenario of 10,000 students under all four policies, target < 15 s.

The parent generates nothing itself: a fresh child (`python -m bench.scenario --worker N`) generates the seeded
region (`bench.generator`, seed 1), turns it into a matcher pool, and times `matcher.scenarios.compare.compare`
(the production solver for the Stagepool rule, the scenario baselines for the others) with the figures of each
policy. BENCH_QUICK=1 runs 1,000 students. Rows: component "scenario", method = the policy, the usual fields
(implementation, students, wall_s, cpu_s, peak_mb, placed, worst_school_rate, school_spread, top1, top3) plus
envy_pairs, travel_total and, on every row, the scenario's total wall time (`scenario_wall_s`, the target's
figure) and the shared preparation (`prepare_s`: canonical tables, eligible pairs, seats and preferences,
counted in each baseline's wall_s). `run()` prints the table and returns the rows for bench/results.json.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from typing import Any

SIZE, QUICK_SIZE, SEED = 10_000, 1_000, 1
TARGET_S = 15.0
IMPLEMENTATION = {
    "stagepool": "OR-tools two-pass fair min-cost flow (production solver)",
    "da_common": "numpy deferred acceptance in rounds, one lottery",
    "da_per_place": "numpy deferred acceptance in rounds, lottery per place",
    "first_come": "plain Python serial first-come over numpy preference lists",
}


def pool_of(rnd):
    """The matcher pool (shared event records) of a generated round."""
    from stagepool_shared.events.places import Place
    from stagepool_shared.events.wishes import Wish

    from matcher.rounds.pool import Pool, StudentExclusions

    wishes = tuple(Wish(**vars(w)) for w in rnd.wishes)
    places = tuple(Place(**{**vars(p), "organisation_name": p.organisation_id, "address": "", "reserved": list(p.reserved)})
                   for p in rnd.places)
    exclusions: dict[str, StudentExclusions] = {}
    for e in rnd.exclusions:
        old = exclusions.get(e.student_ref, StudentExclusions())
        exclusions[e.student_ref] = old.merged([e.place_id] if e.place_id else [],
                                               [e.organisation_id] if e.organisation_id else [])
    return Pool(rnd.region_id, rnd.period_ids[0], None, wishes, places, {}, exclusions)


def worker(n: int) -> list[dict[str, Any]]:
    """Child: generate, compare all four policies, report one row per policy."""
    from bench.generator import generate
    from bench.memory import peak_rss_mb
    from matcher.scenarios.compare import compare
    import matcher.solver  # noqa: F401  (OR-tools' import is not part of the timing)

    pool = pool_of(generate(n, SEED)).narrowed()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu0, t0 = usage.ru_utime + usage.ru_stime, time.perf_counter()
    result = compare(pool, SEED)
    wall = time.perf_counter() - t0
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu = usage.ru_utime + usage.ru_stime - cpu0
    rows = []
    for p in result.policies:
        named = result.students or 1
        rows.append({
            "component": "scenario", "method": p.policy, "implementation": IMPLEMENTATION[p.policy],
            "students": result.students, "places": result.places, "slots": result.slots,
            "wall_s": p.seconds, "scenario_wall_s": round(wall, 3), "scenario_cpu_s": round(cpu, 3),
            "prepare_s": result.prepare_seconds, "peak_mb": round(peak_rss_mb(), 1),
            "placed": p.placed, "worst_school_rate": round(p.worst_rate, 4), "school_spread": round(p.spread, 4),
            "top1": round(p.ranks["top1"] / named, 4), "top3": round(p.ranks["top3"] / named, 4),
            "envy_pairs": p.envy_pairs, "envy_students": p.envy_students, "travel_total": p.travel_total,
            "travel_median": p.travel_median, "target_s": TARGET_S, "target_met": wall < TARGET_S,
            "load_avg_1m": round(os.getloadavg()[0], 2),
        })
    return rows


def run() -> list[dict[str, Any]]:
    """The scenario bench in a fresh process; prints the table; returns the rows."""
    n = QUICK_SIZE if os.environ.get("BENCH_QUICK") == "1" else SIZE
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run([sys.executable, "-m", "bench.scenario", "--worker", str(n)], capture_output=True,
                         text=True, check=False, cwd=root)
    if out.returncode != 0:
        print(f"bench.scenario failed: {out.stderr[-2000:]}", file=sys.stderr)
        return [{"component": "scenario", "method": "all", "students": n, "error": out.stderr[-2000:]}]
    rows = json.loads(out.stdout.strip().splitlines()[-1])
    print(f"\nscenario: {n:,} students, all four policies (seed {SEED}; target < {TARGET_S:.0f} s in total)")
    print(f"{'method':<14} {'wall_s':>7} {'placed':>7} {'worst':>6} {'spread':>6} {'top1':>6} {'top3':>6} "
          f"{'envy':>8} {'travel':>9}")
    for r in rows:
        print(f"{r['method']:<14} {r['wall_s']:>7.2f} {r['placed']:>7} {r['worst_school_rate']:>6.3f} "
              f"{r['school_spread']:>6.3f} {r['top1']:>6.3f} {r['top3']:>6.3f} {r['envy_pairs']:>8} "
              f"{r['travel_total']:>9}")
    total = rows[0]["scenario_wall_s"]
    print(f"  [{'met' if total < TARGET_S else 'NOT MET'}] all four policies at {n:,} in {total:.2f} s "
          f"(preparation {rows[0]['prepare_s']:.2f} s, CPU {rows[0]['scenario_cpu_s']:.2f} s, "
          f"peak {rows[0]['peak_mb']:.0f} MB, load {rows[0]['load_avg_1m']})")
    return rows


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        print(json.dumps(worker(int(sys.argv[2]))))
    else:
        run()
