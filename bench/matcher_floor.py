"""The matcher bench's like-for-like floor and end-to-end rows (issue 17, point 4).

  stagepool_timed        Stagepool's rule with eligibility computed first and timed apart: `eligibility_s`
                         (consistency check, tables, eligible pairs), `rule_s` (instance, components, the
                         passes A, S and B: the allocation), `explain_s` (explanations, shares, counts);
                         wall_s is their sum, as before (RoundInput to explained allocation)
  min_cost_flow_per_pool one plain OR-tools min-cost flow (max placements, then the least wish cost) per
                         pool (period, sector: no eligible pair crosses pools), on the same eligible pairs,
                         computed first and timed apart (`eligibility_s`); `rule_s` = the pairs' wish costs
                         (`wish_costs_s`, also apart), splitting, building and solving the flows: the floor the
                         full rule is compared with. Only eligibility is precomputed for both: the rule's
                         `rule_s` computes its wish costs too (in its build)
  cli                    `python -m matcher solve --instance FILE --out FILE --validate skip` in a subprocess
                         (interpreter start, JSON in, schema check, solve, explanations, JSON out); the
                         instance file is written before the clock starts
Imports numpy and matcher; the plain flow itself is bench.matcher_baselines' (`plain_flow_mask`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

CLI_FLAGS = ("--validate", "skip")
SHARED: dict = {}  # the tables and eligible pairs of the last Stagepool run: the validator reuses them, as in the service
#: Up to this many students the validator reuses the solve's eligible pairs (the service's `solve_validated`); above
#: it the solve takes them over and frees them component by component (the 250,000-student peak, issue 17.4),
#: and the certification computes its own.
SHARE_PAIRS_UP_TO = 50_000


def stagepool_timed(rnd, workers: int = 1):
    """(placement, Solution, phases) with eligibility computed before the rule and timed apart; `workers`
    processes solve the components side by side (the national-scale path stays in one)."""
    from matcher.domain.consistency import check_round
    from matcher.domain.eligibility import eligible_pairs
    from matcher.domain.tables import build_tables
    from matcher.solver import solve

    t0 = time.perf_counter()
    check_round(rnd)
    rt = build_tables(rnd)
    handed = [eligible_pairs(rt)]
    elig = time.perf_counter() - t0
    if len(rnd.wishes) > SHARE_PAIRS_UP_TO:  # national scale: the solve frees each component's pairs when done
        sol = solve(rnd, rt, handed.pop(), release_pairs=True)
    else:
        sol = solve(rnd, rt, handed[0], workers=workers)
    SHARED.update(tables=rt, pairs=handed[0] if handed else None)
    t = sol.stats.timings
    phases = {"eligibility_s": round(elig, 4), "rule_s": round(t["build"] + t["solve"], 4),  # 4 places: 1k takes ~0.01 s
              "explain_s": round(t["explain"], 4)}
    return sol.placement_map(), sol, phases


def _pool_flow(s: np.ndarray, p: np.ndarray, wish: np.ndarray, capacity: np.ndarray) -> np.ndarray:
    """Pair mask of one pool's plain min-cost flow (max placements, then the least wish cost)."""
    from bench.matcher_baselines import plain_flow_mask

    students, s_loc = np.unique(s, return_inverse=True)
    places, p_loc = np.unique(p, return_inverse=True)
    return plain_flow_mask(s_loc, p_loc, wish, len(students), capacity[places])


def min_cost_flow_per_pool(rnd):
    """(placement, None, phases): the floor, one plain min-cost flow per pool on precomputed eligibility."""
    from matcher.domain.eligibility import eligible_pairs
    from matcher.domain.tables import build_tables
    from matcher.solver.instance import wish_column

    t0 = time.perf_counter()
    rt = build_tables(rnd)
    pairs = eligible_pairs(rt)
    t1 = time.perf_counter()
    wish = wish_column(rt, pairs)  # the flows' costs, timed: the rule's build computes them with this function
    t_wish = time.perf_counter()
    st = rt.students
    pool = st.period[pairs.student].astype(np.int64) * (int(st.sector.max(initial=0)) + 1) + st.sector[pairs.student]
    order = np.argsort(pool, kind="stable")
    cuts = np.flatnonzero(np.diff(pool[order])) + 1
    chosen = []
    for idx in np.split(order, cuts):
        if len(idx):
            chosen.append(idx[_pool_flow(pairs.student[idx], pairs.place[idx], wish[idx], rt.places.capacity)])
    pick = np.concatenate(chosen) if chosen else np.zeros(0, dtype=np.int64)
    t2 = time.perf_counter()
    placement = {st.refs[s]: rt.places.ids[p] for s, p in zip(pairs.student[pick].tolist(), pairs.place[pick].tolist())}
    return placement, None, {"eligibility_s": round(t1 - t0, 3), "rule_s": round(t2 - t1, 3),
                             "wish_costs_s": round(t_wish - t1, 3), "pools": len(chosen)}


def cli(rnd):
    """(placement, None, phases): `matcher solve` end to end in a subprocess, timed from start to exit."""
    from matcher.domain.codec import round_to_dict

    with tempfile.TemporaryDirectory(prefix="bench-cli-") as tmp:
        inst, out = os.path.join(tmp, "round.json"), os.path.join(tmp, "out.json")
        with open(inst, "w", encoding="utf-8") as fh:
            json.dump(round_to_dict(rnd), fh)
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        t0 = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "matcher", "solve", "--instance", inst, "--out", out, *CLI_FLAGS],
                              capture_output=True, text=True, check=False, cwd=root)
        wall = time.perf_counter() - t0
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-500:])
        with open(out, encoding="utf-8") as fh:
            doc = json.load(fh)
    placement = {a["student_ref"]: a["place_id"] for a in doc["assignments"]}
    return placement, None, {"cli_wall_s": round(wall, 3), "cli_flags": " ".join(CLI_FLAGS)}


def _row(rows, n: int, method: str):
    return next((r for r in rows if r["students"] == n and r["method"] == method and "error" not in r), None)


def floor_targets(rows, target_size: int, ratios: tuple[float, float, float, float]) -> list[tuple[str, bool, str]]:
    """Issue 17's targets: rule vs per-pool floor, validate_s vs rule, cli vs in-process, 250k peak, support."""
    floor_x, validate_x, cli_x, xl_peak = ratios
    out = []
    for n in sorted({r["students"] for r in rows}):
        s, f, c = _row(rows, n, "stagepool"), _row(rows, n, "min_cost_flow_per_pool"), _row(rows, n, "cli")
        if s and f and n == target_size:
            ratio = s["rule_s"] / f["rule_s"]
            flows_alone = s["rule_s"] / (f["rule_s"] - f.get("wish_costs_s", 0))
            out.append((f"full rule at {n:,} <= {floor_x}x the per-pool min-cost flow (eligibility apart)",
                        ratio <= floor_x, f"{ratio:.2f}x ({s['rule_s']:.2f} s vs {f['rule_s']:.2f} s; "
                                          f"{flows_alone:.2f}x the floor without its wish costs)"))
        if s and s.get("validate_s") is not None and s.get("rule_s"):
            ratio = s["validate_s"] / s["rule_s"]
            out.append((f"validate_s at {n:,} <= {validate_x}x the rule ({s.get('validation_level')})",
                        ratio <= validate_x, f"{ratio:.2f}x ({s['validate_s']:.3f} s vs {s['rule_s']:.3f} s)"))
        if s and c:
            ratio = c["wall_s"] / s["wall_s"]
            out.append((f"matcher solve at {n:,} < {cli_x}x the in-process solve", ratio < cli_x,
                        f"{ratio:.2f}x ({c['wall_s']:.2f} s vs {s['wall_s']:.2f} s)"))
        if s and n >= 250_000:
            out.append((f"peak memory at {n:,} < {xl_peak} MB", s["peak_mb"] < xl_peak, f"{s['peak_mb']:.0f} MB"))
        if s and s.get("support_placeable") is not None:
            out.append((f"support students placed == most placeable at {n:,}", s["support_placed"] == s["support_placeable"],
                        f"{s['support_placed']} / {s['support_placeable']} (of {s['support_students']})"))
    return out


def print_floor_table(rows) -> None:
    """Rule against the per-pool floor, certification and the CLI, side by side per size."""
    print(f"\n{'students':>8} {'rule_s':>7} {'floor_s':>7} {'x floor':>7} {'2p_s':>6} {'x floor':>7} {'validate_s':>10} "
          f"{'x rule':>6} {'cli_s':>6} {'solve_s':>7} {'x solve':>7} {'support placed/placeable/students':>34}")
    for n in sorted({r["students"] for r in rows}):
        s, f, c = _row(rows, n, "stagepool"), _row(rows, n, "min_cost_flow_per_pool"), _row(rows, n, "cli")
        two = _row(rows, n, "stagepool_2p")
        if not s:
            continue
        fx = f"{s['rule_s'] / f['rule_s']:.2f}" if f else "-"
        two_s = f"{two['rule_s']:.2f}" if two else "-"
        two_x = f"{two['rule_s'] / f['rule_s']:.2f}" if two and f else "-"
        vs = s.get("validate_s")
        vx = f"{vs / s['rule_s']:.2f}" if vs is not None and s.get("rule_s") else "-"
        cx = f"{c['wall_s'] / s['wall_s']:.2f}" if c else "-"
        support = f"{s['support_placed']}/{s.get('support_placeable')}/{s['support_students']}"
        print(f"{n:>8} {s['rule_s']:>7.2f} {f['rule_s'] if f else float('nan'):>7.2f} {fx:>7} {two_s:>6} {two_x:>7} "
              f"{vs if vs is not None else float('nan'):>10.2f} {vx:>6} {c['wall_s'] if c else float('nan'):>6.2f} "
              f"{s['wall_s']:>7.2f} {cx:>7} {support:>34}")
