"""The period report renders with its charts on real Redis: over HTTP for the region's coordinator (HTML and
CSV, Dutch and English) and through `python -m reporting report`, with numbers matching the projections.
"""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import uuid

import pytest

from reporting.bootstrap import bootstrap
from reporting.handlers import handle
from tests.fakes.reporting import settings_for

from test_reporting_metrics import PERIOD, round_events, students

pytestmark = pytest.mark.integration


@pytest.fixture
def fed(kafka_bootstrap, redis_url, redis_client):
    """A reporting whose projections hold a released round of 16 students (11 placed)."""
    region = "reg-" + uuid.uuid4().hex[:8]
    service = bootstrap(settings_for(kafka_bootstrap, redis_url), registry=None)
    for event in round_events(region, students(region)):
        handle(event, service.deps)
    handle(event, service.deps)  # a redelivered event changes nothing
    yield service, region
    service.close()


def test_the_coordinator_gets_the_report_with_charts_whose_numbers_match(fed):
    service, region = fed
    client = service.app().test_client()
    token = service.tokens.issue("usr-coord", "regional_coordinator", region, region)
    html = client.get(f"/api/v1/reports/{region}/{PERIOD}.html", headers={"Authorization": f"Bearer {token}"})
    assert html.status_code == 200
    page = html.get_data(as_text=True)
    assert page.count("<svg") >= 3 and "Plaatsing per school" in page
    bars = dict(re.findall(r'class="bar"[^>]*data-label="([^"]+)" data-value="([^"]+)"', page))
    assert (float(bars["sch-alfa"]), float(bars["sch-beta"])) == (1.0, 0.5)
    assert float(bars["geen plaats voldoet aan alle harde criteria"]) == 5  # reasons in words (issue 14.16)
    assert "NO_ELIGIBLE_PLACE" not in page
    english = client.get(f"/api/v1/reports/{region}/{PERIOD}.html?lang=en", headers={"Authorization": f"Bearer {token}"})
    assert "Placement per school" in english.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(client.get(f"/api/v1/reports/{region}/{PERIOD}.csv",
                                                      headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True))))
    headline = {r["key"]: r["value"] for r in rows if r["section"] == "headline"}
    assert (headline["students_seeking"], headline["students_placed"], headline["fill_rate"]) == ("16", "11", "55.0%")
    other = service.tokens.issue("usr-c2", "regional_coordinator", "reg-else", "reg-else")
    assert client.get(f"/api/v1/reports/{region}/{PERIOD}.html",
                      headers={"Authorization": f"Bearer {other}"}).status_code == 404


def test_the_report_command_writes_html_in_both_languages_and_csv(fed, kafka_bootstrap, redis_url, tmp_path):
    service, region = fed
    env = {**os.environ, "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url,
           "REPORTING_DESK_KEY": service.settings.desk_key.decode()}
    done = subprocess.run([sys.executable, "-m", "reporting", "report", "--region", region, "--period", PERIOD,
                           "--out", str(tmp_path)], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [f"report-{region}-{PERIOD}.csv", f"report-{region}-{PERIOD}.en.html",
                     f"report-{region}-{PERIOD}.nl.html"]
    page = (tmp_path / f"report-{region}-{PERIOD}.nl.html").read_text()
    assert 'data-label="sch-beta" data-value="0.5"' in page


def test_the_command_fails_fast_naming_every_missing_variable():
    env = {k: v for k, v in os.environ.items() if k not in ("KAFKA_BOOTSTRAP_SERVERS", "REDIS_URL",
                                                             "REPORTING_DESK_KEY")}
    done = subprocess.run([sys.executable, "-m", "reporting", "report", "--region", "r", "--period", "p", "--out",
                           "/tmp/x"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert all(name in done.stderr for name in ("KAFKA_BOOTSTRAP_SERVERS", "REDIS_URL", "REPORTING_DESK_KEY"))
