"""bench/results.json: every row tagged with its bench module; a BENCH_ONLY run keeps the other modules' rows."""

from __future__ import annotations

import json
import sys
import types

import bench.__main__ as bench_main


def fake_bench(monkeypatch, name: str, rows: list[dict]) -> None:
    module = types.ModuleType(f"bench.{name}")
    module.run = lambda: [dict(r) for r in rows]
    monkeypatch.setitem(sys.modules, f"bench.{name}", module)


def test_a_subset_run_replaces_its_own_rows_and_keeps_the_others(monkeypatch, tmp_path):
    monkeypatch.setattr(bench_main, "RESULTS", tmp_path / "results.json")
    monkeypatch.setattr(bench_main, "MODULES", ("alpha", "beta"))
    fake_bench(monkeypatch, "alpha", [{"component": "a", "value": 1}])
    fake_bench(monkeypatch, "beta", [{"component": "b", "value": 2}])
    monkeypatch.delenv("BENCH_ONLY", raising=False)
    assert bench_main.main() == 0
    fake_bench(monkeypatch, "beta", [{"component": "b", "value": 3}])
    monkeypatch.setenv("BENCH_ONLY", "beta")
    assert bench_main.main() == 0
    rows = json.loads((tmp_path / "results.json").read_text())
    assert sorted((r["bench"], r["value"]) for r in rows) == [("alpha", 1), ("beta", 3)]


def test_a_full_run_writes_only_what_it_measured(monkeypatch, tmp_path):
    results = tmp_path / "results.json"
    results.write_text(json.dumps([{"component": "old", "bench": "gone", "value": 0}]))
    monkeypatch.setattr(bench_main, "RESULTS", results)
    monkeypatch.setattr(bench_main, "MODULES", ("alpha",))
    fake_bench(monkeypatch, "alpha", [{"component": "a", "value": 1}])
    monkeypatch.delenv("BENCH_ONLY", raising=False)
    assert bench_main.main() == 0
    assert [(r["bench"], r["value"]) for r in json.loads(results.read_text())] == [("alpha", 1)]
