"""Retention (R155, issue 20.7): the retention worker anonymises closed desk cases and the follow-up of ended
placements once the region's period has passed, and nothing of the result leads back to the student."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest

from reporting.config import Settings, _retention_by_region
from reporting.domain.aftercare import Pok, PokPeople, SchoolContact
from reporting.domain.aftercare_intro import Introduction, task_for
from reporting.domain.desk import CaseMeta, ReportContent, StatusStep
from reporting.domain.followup import ContactMoment
from reporting.domain.retention import RETENTION_TABLE, RetentionPolicy
from reporting.jobs import apply_retention
from stagepool_shared.config import EnvReader
from tests.fakes.reporting import (MARCH_1, PERIOD, REGION, STUDENT, FakeAftercareStore, FakeDeskStore,
                                   bootstrap_with_doubles)

DAYS = 180


def closed_case(report_id: str, closed_days_ago: int, region: str = REGION) -> CaseMeta:
    closed = (MARCH_1 - timedelta(days=closed_days_ago)).isoformat()
    return CaseMeta(report_id, region, "org-umcg", "sch-alfa", "discrimination", "introduction", False, "student",
                    "2026-05-04T10:11:12+00:00", (StatusStep("received", "2026-05-04T10:11:12+00:00"),
                                                  StatusStep("closed", closed)))


def content() -> ReportContent:
    return ReportContent("Ze zeiden dat mijn naam niet paste", "2026-05-01", STUDENT, STUDENT, "plc-umcg-01",
                         ("belde de organisatie",))


@pytest.fixture
def setup(views, clock):
    desk, store = FakeDeskStore(), FakeAftercareStore()
    wiring = bootstrap_with_doubles(views=views, clock=clock, desk_store=desk, aftercare=store)
    wiring.deps.retention = RetentionPolicy(365, ((REGION, DAYS),))
    return wiring.deps, desk, store, views


def test_a_closed_desk_case_past_the_region_s_period_is_anonymised_and_a_recent_one_kept(setup):
    deps, desk, _, _ = setup
    desk.add(closed_case("rep-old", DAYS + 1), content())
    desk.add(closed_case("rep-new", DAYS - 1), content())
    desk.add(replace(closed_case("rep-open", 400), history=(StatusStep("received", "2026-01-01T00:00:00+00:00"),)),
             content())
    assert apply_retention(deps) == 1
    old = desk.case("rep-old")
    assert old.anonymised and old.school_id is None and old.filed_at == "2026-05-01T00:00:00+00:00"
    assert (old.organisation_id, old.category, old.phase) == ("org-umcg", "discrimination", "introduction")
    assert desk.content("rep-old") == ReportContent("", "", None, None)
    assert desk.content("rep-new") == content() and desk.content("rep-open") == content()
    assert apply_retention(deps) == 0  # done once


def test_another_region_keeps_the_default_period(setup):
    deps, desk, _, _ = setup
    desk.add(closed_case("rep-other", DAYS + 1, region="reg-twente"), content())
    assert apply_retention(deps) == 0 and not desk.case("rep-other").anonymised


def ended_pok(days_ago: int) -> Pok:
    return Pok("pok-abc", REGION, PERIOD, STUDENT, "sch-alfa", "org-umcg", "plc-umcg-01", "rnd-1",
               "2026-08-01T00:00:00+00:00", status="ended", start_date="2026-09-01", end_date="2027-01-31",
               hours=400, signed_by=("student", "school", "organisation"),
               updated_at=(MARCH_1 - timedelta(days=days_ago)).isoformat())


def test_the_follow_up_of_an_ended_placement_cannot_be_linked_back_after_the_period(setup):
    deps, _, store, views = setup
    store.save_pok(ended_pok(DAYS + 1), PokPeople(SchoolContact("Karin Bos", "k.bos@alfa.nl"), "Petra Jansen"))
    store.save_introduction(Introduction(REGION, PERIOD, STUDENT, "sch-alfa", "org-umcg", "plc-umcg-01",
                                         "2026-08-20T10:00:00+00:00", "rejected", True, "team_fit"))
    task = task_for(Introduction(REGION, PERIOD, STUDENT, "sch-alfa", "org-umcg", "plc-umcg-01", "2026-08-20T10:00:00+00:00"),
                    "team_fit", "2026-08-21")
    store.save_task(task)
    views.add_contact_moment(REGION, PERIOD, STUDENT, ContactMoment("2026-10-01", "on_site", "school_staff"), True)
    views.put_evaluation(REGION, PERIOD, STUDENT, "student", {"satisfaction": 4})
    assert apply_retention(deps) == 1

    kept = repr((store.poks_, store.people, store.intros, store.tasks_, views.contacts, views.exceptions,
                 views.evaluations))
    assert STUDENT not in kept and "pok-abc" not in kept
    assert task.task_id not in kept  # its id is a hash of the pseudonym: it is re-keyed too
    assert [t.student_ref for t in store.tasks_.values()] == [store.poks(REGION)[0].student_ref]
    assert "Karin" not in kept and "Petra" not in kept
    [pok] = store.poks(REGION)
    assert pok.student_ref.startswith("anon-") and (pok.hours, pok.status) == (400, "ended")
    assert len(views.contact_moments(REGION, PERIOD, pok.student_ref)) == 1  # the figures still count it
    assert apply_retention(deps) == 0


def test_a_recently_ended_placement_keeps_its_follow_up(setup):
    deps, _, store, _ = setup
    store.save_pok(ended_pok(DAYS - 1), PokPeople(None, "Petra Jansen"))
    assert apply_retention(deps) == 0 and store.pok(REGION, PERIOD, STUDENT) is not None


def test_the_region_s_period_is_read_from_the_environment_and_checked():
    def settings(value: str) -> tuple[tuple[str, int], ...] | list[str]:
        env = EnvReader({"REPORTING_RETENTION_BY_REGION": value})
        pairs = _retention_by_region(env)
        return env.problems or pairs

    assert settings("reg-a=180, reg-b=730") == (("reg-a", 180), ("reg-b", 730))
    assert settings("reg-a=soon") == ["REPORTING_RETENTION_BY_REGION must read region=days,region=days (days >= 1)"]
    assert Settings.__dataclass_fields__["retention_days"].default == 365


def test_the_written_retention_table_lists_every_row_the_job_knows():
    text = (Path(__file__).resolve().parents[3] / "docs/aftercare.md").read_text()
    for what, where, _, then in RETENTION_TABLE:
        assert f"| {what} | {where} |" in text and then in text
