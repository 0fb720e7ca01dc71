"""Matcher bench: Stagepool's fair rule against plain min-cost flow, first-come and deferred acceptance.

Issue 17 adds the like-for-like floor `min_cost_flow_per_pool` and the end-to-end `cli` (bench.matcher_floor:
eligibility timed apart as `eligibility_s`, the allocation as `rule_s`), `validate_s` for Stagepool and the
support figures (support students placed against the most placeable); the targets (full rule at 50k <= 1.5x
the floor, validate_s <= 0.5x the rule, cli < 1.5x the in-process solve at 10k and 50k, 250k peak < 2 GB) are
printed with the table. BENCH_SIZES=10000,50000 runs only those sizes.
Sizes 1k, 10k, 50k and 250k students (BENCH_QUICK=1: 1k only; BENCH_XL=0 leaves 250k out; it is also
left out, with a printed note, when the machine has less than XL_MEMORY_GB available; at 250k every method
runs once). Per size the parent
generates one seeded region (`bench.generator`, seed 1) and pickles it; every method then runs in a
fresh subprocess (`python -m bench.matcher --worker METHOD FILE`) that unpickles the instance, measures
wall time of the method (eligibility included for every method; Stagepool also builds explanations)
and the process's peak RSS (bench.memory: VmHWM, the child's own, interpreter and instance included), and
computes the outcome figures. Stagepool's child also certifies the result with matcher.solver.validation
(max-flow floor; fairness bound up to 50k).

Figures: placed and the max-flow floor; worst_school_rate = lowest placement rate of a (school, pool)
group with >= MIN_GROUP students that is not saturated (a saturated group has every student who has an
eligible place placed: the instance allows it no more); school_spread = largest (max - min) rate among
such groups of one pool (school_spread_with_saturated keeps them); top1 / top3 = share of students with
a top-3 list who got their first / one of their three places. cpu_s = user + system CPU of the method.
`run()` returns the rows for bench/results.json and prints the table and the targets.
"""

from __future__ import annotations

import json
import os
import pickle
import resource
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench.memory import peak_rss_mb

SIZES = (1_000, 10_000, 50_000)
XL_SIZE = 250_000
XL_MEMORY_GB = 8  # free memory wanted before the 250k run (its peak RSS is in the table)
TARGET_SIZE = 50_000  # issue 17: the full rule within 1.5x the per-pool min-cost flow at 50,000 students
FLOOR_RATIO, VALIDATE_RATIO, CLI_RATIO, XL_PEAK_MB = 1.5, 0.5, 1.5, 2000  # issue 17's targets (docs/matching.md 8)
CLI_SIZES = (10_000, 50_000)
SEED = 1
MIN_GROUP = 50
REPEATS = 3  # timed runs per method (round-robin, median reported); at 50k+ only the methods of the floor target
REPEATED_LARGE = ("stagepool", "stagepool_2p", "min_cost_flow_per_pool")
METHODS = (  # (method, implementation, largest size it runs at)
    ("stagepool", "fair min-cost flows A, S, B (S on LEMON)", None),
    ("stagepool_2p", "the same, components in 2 processes", 50_000),  # the service's MATCHER_SOLVER_WORKERS
    ("min_cost_flow_per_pool", "OR-tools MCF per pool, eligibility apart", None),
    ("min_cost_flow", "one OR-tools min-cost flow, wish cost", None),
    ("cli", "matcher solve --validate skip (process)", None),
    ("first_come", "plain Python, schools in id order", None),
    ("deferred_acceptance", "plain Python (heaps), single lottery", None),
    ("deferred_acceptance", "matching 1.4.3 HospitalResident", 1_000),
)


def _sizes() -> tuple[int, ...]:
    if os.environ.get("BENCH_SIZES"):  # e.g. BENCH_SIZES=10000,50000: only those sizes
        return tuple(int(x) for x in os.environ["BENCH_SIZES"].split(","))
    if os.environ.get("BENCH_QUICK") == "1":
        return (1_000,)
    if os.environ.get("BENCH_XL") == "0":
        return SIZES
    import psutil

    available = psutil.virtual_memory().available / 2**30
    if available < XL_MEMORY_GB:
        print(f"  250k left out: {available:.1f} GiB available, {XL_MEMORY_GB} GiB wanted")
        return SIZES
    return SIZES + (XL_SIZE,)


def placeable(rnd) -> dict[str, bool]:
    """student_ref -> has at least one eligible place (or a fixed placement)."""
    from matcher.domain.eligibility import eligible_pairs
    from matcher.domain.tables import build_tables

    rt = build_tables(rnd)
    has = set(eligible_pairs(rt).student.tolist())
    fixed = {f.student_ref for f in rnd.fixed}
    return {ref: i in has or ref in fixed for i, ref in enumerate(rt.students.refs)}


def _figures(rnd, placement: dict[str, str], can_place: dict[str, bool]) -> dict[str, Any]:
    """Outcome figures of any allocation of `rnd`; saturated groups (every student who has an eligible
    place is placed) are left out of worst rate and spread: the instance does not allow them more."""
    from matcher.domain.fairness import group_key, group_shares, summarise
    from matcher.domain.preferences import wish_tier

    shares = group_shares(rnd.wishes, placement)
    cap: dict[tuple, int] = {}
    for w in rnd.wishes:
        cap[group_key(w)] = cap.get(group_key(w), 0) + can_place[w.student_ref]
    open_groups = [g for g in shares if g.placed < cap[(g.school_id, g.region_id, g.period_id, g.sector)]]
    big = summarise(open_groups, MIN_GROUP)
    places = {p.place_id: p for p in rnd.places}
    with_top = [w for w in rnd.wishes if w.top_places]
    tiers = [wish_tier(w, places[placement[w.student_ref]]) for w in with_top if w.student_ref in placement]
    support = [w.student_ref for w in rnd.wishes if w.support_needs]
    return {
        "support_students": len(support), "support_placed": sum(r in placement for r in support),
        "placed": len(placement), "worst_school_rate": round(big.worst_rate, 4), "school_spread": round(big.spread, 4),
        "school_spread_with_saturated": round(summarise(shares, MIN_GROUP).spread, 4),
        "worst_rate_all_groups": round(summarise(shares).worst_rate, 4), "groups_counted": big.groups,
        "top1": round(sum(t == 0 for t in tiers) / max(1, len(with_top)), 4),
        "top3": round(sum(t <= 2 for t in tiers) / max(1, len(with_top)), 4),
    }


def _run_method(method: str, implementation: str, rnd) -> tuple[dict[str, str], Any, dict[str, Any]]:
    """Run one method; returns (placement, the Solution for Stagepool else None, phase figures)."""
    from bench import matcher_baselines as base
    from bench import matcher_floor as floor

    if method in ("stagepool", "stagepool_2p", "min_cost_flow_per_pool", "cli"):
        return {"stagepool": floor.stagepool_timed, "stagepool_2p": lambda r: floor.stagepool_timed(r, workers=2),
                "min_cost_flow_per_pool": floor.min_cost_flow_per_pool, "cli": floor.cli}[method](rnd)
    if method == "deferred_acceptance" and implementation.startswith("matching"):
        return base.matching_da(rnd), None, {}
    fn = {"min_cost_flow": base.min_cost_flow_plain, "first_come": base.first_come,
          "deferred_acceptance": base.deferred_acceptance}[method]
    return fn(rnd), None, {}


def _certify(rnd, solution) -> dict[str, Any]:
    """Stagepool only: independent max-flow floor and (up to 50k) the fairness bound."""
    from bench.matcher_floor import SHARED
    from matcher.solver.validation import validate

    level = "bound" if len(rnd.wishes) <= 50_000 else "none"
    t0 = time.perf_counter()  # tables and pairs shared with the solve, as `solve_validated` does in the service
    report = validate(rnd, solution, fairness=level, tables=SHARED.get("tables"), pairs=SHARED.get("pairs"))
    spent = round(time.perf_counter() - t0, 4)  # beside rule_s, to 0.1 ms (at 1k both are ~0.01 s)
    return {"floor": report.max_flow, "certified": report.ok, "problems": list(report.problems),
            "fair_bound": report.fair_bound and round(report.fair_bound[0] / report.fair_bound[1], 4),
            "validation_s": spent, "validate_s": spent, "validation_level": level,
            "support_placeable": report.scarce[1] if report.scarce else None}


def _cpu(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def worker(method: str, implementation: str, path: str, certify: bool = True) -> dict[str, Any]:
    """Child process: load the instance, time the method, report figures and peak RSS."""
    with open(path, "rb") as fh:
        rnd, can_place = pickle.load(fh)
    import bench.matcher_baselines  # noqa: F401  (imports, OR-tools included, are not part of the timing)
    import matcher.solver  # noqa: F401
    rss_before = peak_rss_mb()
    cpu0, kids0, t0 = _cpu(), _cpu(resource.RUSAGE_CHILDREN), time.perf_counter()
    placement, solution, phases = _run_method(method, implementation, rnd)
    wall, cpu = time.perf_counter() - t0, _cpu() - cpu0
    peak = peak_rss_mb()
    if "cli_wall_s" in phases:  # the solver ran in the `matcher solve` process: its time, CPU and peak
        wall, cpu = phases["cli_wall_s"], _cpu(resource.RUSAGE_CHILDREN) - kids0
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    elif method == "stagepool_2p":  # the forked solver's CPU and peak (its RSS counts the pages it shares)
        phases.update(child_cpu_s=round(_cpu(resource.RUSAGE_CHILDREN) - kids0, 3),
                      child_peak_mb=round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1))
    row = {"component": "matcher", "method": method, "implementation": implementation, "students": len(rnd.wishes),
           "wall_s": round(wall, 3), "cpu_s": round(cpu, 3), "peak_mb": round(peak, 1),
           "rss_before_mb": round(rss_before, 1),
           **_figures(rnd, placement, can_place), **phases}
    if solution is not None:
        row.update(phases=dict(solution.stats.timings), lottery_size=solution.stats.lottery_size)
        if certify:
            row.update(_certify(rnd, solution))
    return row


def _spawn(method: str, implementation: str, path: str, certify: bool = True) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "bench.matcher", "--worker", method, implementation, path] + ([] if certify else ["-"])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=root)
    if out.returncode != 0:
        return {"component": "matcher", "method": method, "implementation": implementation, "error": out.stderr[-2000:]}
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure(n: int, tmp: str) -> list[dict[str, Any]]:
    """Every method on one generated region of n students."""
    from bench.generator import generate

    path = os.path.join(tmp, f"region-{n}.pkl")
    t0 = time.perf_counter()
    rnd = generate(n, SEED)
    gen_s = time.perf_counter() - t0
    with open(path, "wb") as fh:
        pickle.dump((rnd, placeable(rnd)), fh)
    del rnd
    runs: dict[int, list[dict[str, Any]]] = {}
    for rep in range(REPEATS):
        for k, (method, implementation, limit) in enumerate(METHODS):
            if (limit is not None and n > limit) or (rep and n >= 50_000 and method not in REPEATED_LARGE) \
                    or (rep and n > TARGET_SIZE) or (method == "cli" and n not in CLI_SIZES):
                continue
            row = _spawn(method, implementation, path, certify=rep == 0)
            runs.setdefault(k, []).append(row)
            print(f"  {n:>7} {method:<20} run {rep + 1}: {row.get('wall_s', 'ERROR')} s", flush=True)
    rows = [_median_row(rs, gen_s) for _, rs in sorted(runs.items())]
    floor = next((r.get("floor") for r in rows if r["method"] == "stagepool"), None)
    for r in rows:
        r["floor"] = floor
    return rows


def _median_row(runs: list[dict[str, Any]], gen_s: float) -> dict[str, Any]:
    """The first run's figures with the median wall and CPU time (and largest peak RSS) of all runs."""
    ok = [r for r in runs if "error" not in r]
    if not ok:
        return runs[0]
    row = dict(ok[0])
    for key in ("wall_s", "cpu_s", "rule_s"):
        if key not in row:
            continue
        values = sorted(r[key] for r in ok)
        row[key] = values[len(values) // 2]
        row[key + "_runs"] = [r[key] for r in ok]
    row["peak_mb"] = max(r["peak_mb"] for r in ok)
    row["generate_s"] = round(gen_s, 2)
    row["load_avg_1m"] = round(os.getloadavg()[0], 2)
    return row


def targets(rows: list[dict[str, Any]]) -> list[tuple[str, bool, str]]:
    """(target, met, detail) for the issue's targets."""
    out = []
    by = {(r["students"], r["method"], r.get("implementation")): r for r in rows if "error" not in r}
    stag = [r for r in rows if r["method"] == "stagepool" and "error" not in r]
    big = TARGET_SIZE if any(r["students"] == TARGET_SIZE for r in stag) else max((r["students"] for r in stag), default=0)
    s, m = by.get((big, "stagepool", METHODS[0][1])), by.get((big, "min_cost_flow", METHODS[2][1]))
    if s and m:
        ratio, cpu = s["wall_s"] / m["wall_s"], s["cpu_s"] / m["cpu_s"]
        out.append((f"full rule at {big:,} within 2x one whole-graph min-cost flow (wall, eligibility included)",
                    ratio <= 2.0, f"{ratio:.2f}x wall, {cpu:.2f}x CPU"))
    from bench.matcher_floor import floor_targets

    out += floor_targets(rows, TARGET_SIZE, (FLOOR_RATIO, VALIDATE_RATIO, CLI_RATIO, XL_PEAK_MB))
    for r in stag:
        out.append((f"placed == max-flow floor at {r['students']:,}", r["placed"] == r.get("floor"),
                    f"{r['placed']} / {r.get('floor')}"))
        out.append((f"school spread <= 0.02 at {r['students']:,} (unsaturated groups >= {MIN_GROUP})", r["school_spread"] <= 0.02,
                    f"{r['school_spread']:.4f}"))
        if r.get("fair_bound") is not None:
            out.append((f"worst rate == certified max-min bound at {r['students']:,}", bool(r.get("certified")),
                        f"{r['worst_rate_all_groups']:.4f} vs bound {r['fair_bound']:.4f}"))
    return out


def print_table(rows: list[dict[str, Any]]) -> None:
    """The bench table and the targets."""
    print(f"\nmatcher (seed {SEED}; worst rate and spread over unsaturated groups with >= {MIN_GROUP} students)")
    print(f"{'students':>8} {'method':<20} {'implementation':<38} {'wall_s':>7} {'x mcf':>5} {'cpu_s':>7} {'x mcf':>5} "
          f"{'peak_mb':>7} {'placed':>7} {'floor':>7} {'worst':>6} {'spread':>6} {'top1':>6} {'top3':>6}")
    mcf = {r["students"]: r for r in rows if r["method"] == "min_cost_flow" and "wall_s" in r}
    for r in rows:
        if "error" in r:
            print(f"{'':>8} {r['method']:<20} {r['implementation'][:38]:<38} ERROR {r['error'][-200:]}")
            continue
        base = mcf.get(r["students"])
        wx = r["wall_s"] / base["wall_s"] if base else float("nan")
        cx = r["cpu_s"] / base["cpu_s"] if base else float("nan")
        print(f"{r['students']:>8} {r['method']:<20} {r['implementation'][:38]:<38} {r['wall_s']:>7.2f} {wx:>5.2f} "
              f"{r['cpu_s']:>7.2f} {cx:>5.2f} {r['peak_mb']:>7.0f} {r['placed']:>7} {r['floor'] or 0:>7} "
              f"{r['worst_school_rate']:>6.3f} {r['school_spread']:>6.3f} {r['top1']:>6.3f} {r['top3']:>6.3f}")
    from bench.matcher_floor import print_floor_table

    print_floor_table(rows)
    print("\ntargets")
    for name, met, detail in targets(rows):
        print(f"  [{'met' if met else 'NOT MET'}] {name}: {detail}")


def run() -> list[dict[str, Any]]:
    """All sizes, every method in a fresh process; prints the table; returns the result rows."""
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-matcher-") as tmp:
        for n in _sizes():
            rows += measure(n, tmp)
    print_table(rows)
    return rows


if __name__ == "__main__":
    if len(sys.argv) in (5, 6) and sys.argv[1] == "--worker":
        print(json.dumps(worker(sys.argv[2], sys.argv[3], sys.argv[4], certify=len(sys.argv) == 5)))
    else:
        run()
