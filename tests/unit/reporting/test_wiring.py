"""Reporting's Wiring offers what `stagepool_shared.runtime.serve` runs: an app, no workers, a safe close."""

from __future__ import annotations

from reporting.bootstrap import Wiring


def test_reporting_runs_no_background_workers(wiring: Wiring):
    assert wiring.workers() == []


def test_the_app_answers_healthz_and_the_wiring_closes_twice_safely(wiring: Wiring):
    assert wiring.app().test_client().get("/healthz").get_json() == {"status": "ok"}
    wiring.close()
    wiring.close()
