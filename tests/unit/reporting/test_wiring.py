"""Reporting's Wiring offers what `stagepool_shared.runtime.serve` runs: an app, the retention worker (issue
20.7), the contact-reminder worker (issue 20.4), a safe close."""

from __future__ import annotations

from reporting.bootstrap import Wiring


def test_reporting_runs_the_retention_and_the_contact_reminder_workers(wiring: Wiring):
    assert [w.name for w in wiring.workers()] == ["retention", "contact-reminders"]  # issue 20.4 added the second
    [worker] = [w for w in wiring.workers() if w.name == "retention"]
    assert worker.name == "retention" and worker.idle_s == 3600.0
    assert worker.step() == 0  # nothing is past its period in the seeded views


def test_the_app_answers_healthz_and_the_wiring_closes_twice_safely(wiring: Wiring):
    assert wiring.app().test_client().get("/healthz").get_json() == {"status": "ok"}
    wiring.close()
    wiring.close()
