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
from reporting.handlers import handle
from reporting.jobs import apply_retention
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.placements import PlacementFailed
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
                 views.evaluations, views.wishes, views.placements))
    assert STUDENT not in kept and "pok-abc" not in kept
    assert task.task_id not in kept  # its id is a hash of the pseudonym: it is re-keyed too
    assert [t.student_ref for t in store.tasks_.values()] == [store.poks(REGION)[0].student_ref]
    assert "Karin" not in kept and "Petra" not in kept
    [pok] = store.poks(REGION)
    assert pok.student_ref.startswith("anon-") and (pok.hours, pok.status) == (400, "ended")
    assert len(views.contact_moments(REGION, PERIOD, pok.student_ref)) == 1  # the figures still count it
    # nothing that joins it back: no place or round on the POK or the moved placement, no exact times
    assert (pok.place_id, pok.round_id, pok.created_at) == ("", "", "2026-08-01T00:00:00+00:00")
    assert "plc-umcg-01" not in repr((store.poks_, views.placements, views.contacts))
    placed, wish = views.placement(REGION, PERIOD, pok.student_ref), views.wish(REGION, PERIOD, pok.student_ref)
    assert (placed.organisation_id, placed.round_id, placed.released_at, wish.sector) == ("org-umcg", None, None,
                                                                                         "zorg")
    assert apply_retention(deps) == 0


def test_a_recently_ended_placement_keeps_its_follow_up(setup):
    deps, _, store, _ = setup
    store.save_pok(ended_pok(DAYS - 1), PokPeople(None, "Petra Jansen"))
    assert apply_retention(deps) == 0 and store.pok(REGION, PERIOD, STUDENT) is not None


def test_a_failed_placement_s_pok_is_anonymised_a_period_after_the_failure(setup, clock):
    """A failed placement ends its POK early (placement.failed), which starts the retention clock (issue 20.7)."""
    deps, _, store, views = setup
    clock.now = MARCH_1 - timedelta(days=DAYS + 1)
    store.save_pok(replace(ended_pok(DAYS + 400), status="draft", updated_at=None, end_date=None))
    failed = PlacementFailed("rnd-1", REGION, STUDENT, "sch-alfa", "plc-umcg-01", "org-umcg", "safety", "school")
    handle(new_envelope("placement.failed", failed, producer="test", partition_key=REGION), deps)
    clock.now = MARCH_1 - timedelta(days=DAYS - 1)
    assert apply_retention(deps) == 0
    clock.now = MARCH_1
    assert apply_retention(deps) == 1
    [pok] = store.poks(REGION)
    assert pok.student_ref.startswith("anon-") and (pok.status, pok.end_reason) == ("ended_early",
                                                                                   "unsafe_or_discrimination")


def test_a_pok_that_never_ended_is_anonymised_a_period_after_its_end_date_or_last_change(setup):
    deps, _, store, _ = setup
    forgotten = replace(ended_pok(DAYS + 1), status="signed", end_date=None)  # never started, never ended
    running = replace(ended_pok(DAYS + 30), student_ref="stu_" + "b" * 32, status="active",
                      end_date=(MARCH_1 - timedelta(days=DAYS - 1)).date().isoformat())
    store.save_pok(forgotten)
    store.save_pok(running)
    assert apply_retention(deps) == 1
    assert store.pok(REGION, PERIOD, STUDENT) is None and store.pok(REGION, PERIOD, running.student_ref) == running


def test_a_rejected_kennismaking_without_a_pok_and_its_task_are_anonymised_after_its_last_change(setup):
    deps, _, store, views = setup
    at = lambda days: (MARCH_1 - timedelta(days=days)).isoformat()  # noqa: E731
    other = "stu_" + "c" * 32
    for student, days in ((STUDENT, DAYS + 1), (other, DAYS - 1)):
        intro = Introduction(REGION, PERIOD, student, "sch-alfa", "org-umcg", "plc-umcg-01", at(days + 2),
                             "rejected", reason_code="wishes_mismatch", updated_at=at(days))
        store.save_introduction(intro)
        store.save_task(task_for(intro, "wishes_mismatch", at(days)))
    assert apply_retention(deps) == 1
    assert [i.student_ref for i in store.introductions(REGION)] == [other]
    assert STUDENT not in repr((store.tasks_, views.wishes, views.placements))
    assert sorted(t.student_ref[:5] for t in store.tasks_.values()) == ["anon-", "stu_c"]
    assert apply_retention(deps) == 0


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
