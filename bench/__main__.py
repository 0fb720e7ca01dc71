"""`python -m bench` (`make bench`): run every registered bench module and write bench/results.json.

Each module in MODULES exposes `run() -> list[dict]`: it measures, prints its own table and returns
result rows (each with at least a "component" key). Add a component's bench by appending its module
name. BENCH_ONLY=name,name runs a subset; BENCH_QUICK=1 asks modules for their smallest sizes.
The rows of all modules are written together to bench/results.json (via a temporary file), each tagged
with its module ("bench"); a BENCH_ONLY run replaces the rows of the modules it ran and keeps the others.
"""

from __future__ import annotations

import importlib
import json
import os
import platform
import sys
import time
from pathlib import Path

MODULES = ("matcher", "matcher_service", "variant2", "scenario", "intake", "notifier", "load", "national")
RESULTS = Path(__file__).resolve().parent / "results.json"


def selected() -> list[str]:
    """Module names to run: MODULES, or the BENCH_ONLY subset."""
    only = [m.strip() for m in os.environ.get("BENCH_ONLY", "").split(",") if m.strip()]
    return [m for m in MODULES if not only or m in only]


def kept_rows(names: list[str]) -> list[dict]:
    """Rows of the previous results.json from bench modules not run now (a BENCH_ONLY run keeps the rest)."""
    try:
        previous = json.loads(RESULTS.read_text())
    except (OSError, ValueError):
        return []
    return [r for r in previous if isinstance(r, dict) and r.get("bench") not in (None, *names)]


def main() -> int:
    names = selected()
    rows: list[dict] = []
    failed = []
    for name in names:
        t0 = time.perf_counter()
        print(f"== bench.{name}", flush=True)
        try:
            rows += [{**row, "bench": name} for row in importlib.import_module(f"bench.{name}").run()]
        except Exception as err:  # one broken bench must not hide the others' figures
            failed.append(name)
            print(f"bench.{name} failed: {err!r}", file=sys.stderr)
        print(f"== bench.{name}: {time.perf_counter() - t0:.0f} s", flush=True)
    meta = {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count(),
            "quick": os.environ.get("BENCH_QUICK") == "1", "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
            "load_avg_1m_at_end": round(os.getloadavg()[0], 2)}
    for row in rows:
        row.setdefault("run", meta)
    kept = kept_rows(names) if len(names) < len(MODULES) else []
    tmp = RESULTS.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(kept + rows, indent=1) + "\n")
    tmp.replace(RESULTS)
    print(f"wrote {len(rows)} rows to {RESULTS}" + (f" (kept {len(kept)} rows of other benches)" if kept else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
