"""deploy/prometheus passes promtool (config, rules, rule unit tests) and the Grafana dashboard only queries
metrics that reporting (or the shared plumbing) exports, with labels of low cardinality."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[3]
PROM = ROOT / "deploy" / "prometheus"
GRAFANA = ROOT / "deploy" / "grafana"
REPORTING = ROOT / "services" / "reporting" / "src" / "reporting" / "metrics.py"


def promtool(*args: str, cwd: Path = PROM) -> subprocess.CompletedProcess:
    return subprocess.run(["promtool", *args], cwd=cwd, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("args", [("check", "config", "prometheus.yml"),
                                  ("check", "rules", "rules/recording.yml", "rules/alerts.yml")])
def test_promtool_accepts_the_configuration(args):
    done = promtool(*args)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_the_rule_unit_tests_pass():
    done = promtool("test", "rules", "alerts_test.yml", cwd=PROM / "tests")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "SUCCESS" in done.stdout


def test_prometheus_scrapes_all_four_services():
    config = yaml.safe_load((PROM / "prometheus.yml").read_text())
    assert {job["job_name"] for job in config["scrape_configs"]} == {"intake", "matcher", "notifier", "reporting"}


def test_the_dashboard_queries_only_known_metrics_and_low_cardinality_labels():
    dashboard = json.loads((GRAFANA / "dashboards" / "coordinator.json").read_text())
    exprs = [t["expr"] for p in dashboard["panels"] for t in p["targets"]]
    exported = set(re.findall(r'"(stagepool_[a-z0-9_]+)"', REPORTING.read_text()))
    recorded = set(re.findall(r"record: (\S+)", (PROM / "rules" / "recording.yml").read_text()))
    for expr in exprs:
        for name in re.findall(r"\b(stagepool_[a-z0-9_]+|[a-z_]+:stagepool_[a-z0-9_:]+)\b", expr):
            base = re.sub(r"_(total|sum|count)$", "", name)
            assert base in exported or name in recorded, name
    assert not re.search(r"student_ref|organisation_id|report_id", " ".join(exprs))
    provider = yaml.safe_load((GRAFANA / "provisioning" / "dashboards" / "stagepool.yml").read_text())
    assert provider["providers"][0]["options"]["path"] == "/var/lib/grafana/dashboards"
