"""Consumed events become projection changes; follow-up commands publish and guard who may act."""

from __future__ import annotations

import pytest
from prometheus_client import CollectorRegistry

from reporting import handlers
from reporting.commands.evaluations import evaluate
from reporting.commands.followup import add_contact, flag_not_suitable, read_contact_moments
from reporting.config import Settings
from reporting.domain.figures import PeriodSnapshot, PlacementFact, WishFact, period_figures
from reporting.errors import NotFound
from reporting.metrics import ReportingCollector
from stagepool_shared.envelope import new_envelope
from stagepool_shared.errors import ConfigError
from stagepool_shared.testing.samples import sample_payload
from tests.fakes.reporting import (KEY, ORG_PRINCIPAL, PERIOD, REGION, SCHOOL_PRINCIPAL, STUDENT, FakeViews,
                                   RecordingProjections, bootstrap_with_doubles, started_pok)


def event(event_type: str):
    return new_envelope(event_type, sample_payload(event_type), producer="test", partition_key="reg-groningen")


def projected(event_type: str) -> list[tuple[str, tuple]]:
    """The projection calls that handling one sample event of `event_type` makes."""
    projections = RecordingProjections()
    handlers.handle(event(event_type), bootstrap_with_doubles(projections=projections).deps)
    return projections.calls


def test_a_failed_placement_after_the_introduction_counts_and_signals_the_organisation():
    [(name, args)] = projected("placement.failed")
    assert name == "update_placement"
    assert args[5] == "failed"
    assert args[6]["rejected_after_introduction"] == 1
    assert args[7] == ("org-umcg", "rejected_after_introduction")


def test_a_released_part_carries_its_outcomes_and_part_count():
    [(name, args)] = projected("round.released")
    assert name == "add_released_part" and args[5:7] == (1, 1)
    assert set(args[7]) == {"stu_0a1b2c3d4e5f60718293a4b5c6d7e8f9", "stu_ffeeddccbbaa99887766554433221100"}


def test_every_event_type_of_the_catalogue_is_handled_or_acknowledged():
    from stagepool_shared.registry import all_specs

    for spec in all_specs():
        if spec.event_type != "dead_letter":
            projected(spec.event_type)
    assert "round.approved" not in handlers.HANDLERS


@pytest.fixture
def deps(publisher):
    """Only the student's placement at org-umcg is known; the threshold is 3."""
    views = FakeViews()
    views.placements[(REGION, PERIOD, STUDENT)] = PlacementFact(STUDENT, "sch-alfa", "placed", "top1", None, "rnd-1",
                                                                None, "org-umcg", "plc-umcg-01")
    return bootstrap_with_doubles(views=views, publisher=publisher).deps


def test_the_organisation_flags_a_rejection_after_the_introduction(deps, publisher):
    flag_not_suitable(deps, ORG_PRINCIPAL, PERIOD, STUDENT, "rejected_after_introduction", True)
    [failed] = publisher.events("placement.failed")
    assert (failed.payload.flagged_by, failed.payload.after_introduction) == ("organisation", True)
    assert failed.payload.place_id == "plc-umcg-01"


def test_another_organisation_cannot_flag_the_placement(deps):
    from stagepool_shared.auth import Principal

    with pytest.raises(NotFound):
        flag_not_suitable(deps, Principal("u", "organisation_staff", "org-other", "reg-groningen"), PERIOD,
                          STUDENT, "not_suitable", False)


def test_contact_moments_show_what_is_still_missing(deps):
    status = add_contact(deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, "2027-02-01", "online", False, False)
    assert status["missing"] == ["contacts:2", "on_site"]
    add_contact(deps, ORG_PRINCIPAL, PERIOD, STUDENT, "2027-03-01", "on_site", False, False)
    status = add_contact(deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, "2027-04-01", "phone", False, False)
    assert status["compliant"] and status["missing"] == []


def test_a_re_placed_students_contact_moments_at_the_lost_place_do_not_count_for_the_new_one(deps):
    for day, kind in (("2027-02-01", "online"), ("2027-03-01", "on_site"), ("2027-04-01", "phone")):
        status = add_contact(deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, day, kind, False, False)
    assert status["compliant"]
    deps.views.placements[(REGION, PERIOD, STUDENT)] = PlacementFact(  # the fast track placed her elsewhere
        STUDENT, "sch-alfa", "placed", "top2", None, "rnd-2", None, "org-martini", "plc-martini-01")
    status = add_contact(deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, "2027-05-01", "on_site", False, False)
    assert status["contacts"] == 1 and status["missing"] == ["contacts:2"]
    assert [s.contacts for s in deps.views.snapshot(REGION, PERIOD, {}).contacts] == [1]
    assert [m.date for m in read_contact_moments(deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT)] == ["2027-05-01"]


def test_school_staff_fill_in_the_end_evaluation_too(deps):
    """Issue 20.5 asks the school to evaluate as well (school staff were refused before)."""
    started_pok(deps.aftercare, status="ended")  # at the end (the window: docs/aftercare.md section 5)
    evaluation = evaluate(deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, {"satisfaction": 4, "would_again": True})
    assert evaluation.by == "school"
    assert deps.views.evaluations[(REGION, PERIOD, STUDENT, "school")]["satisfaction"] == 4


def test_metrics_export_no_series_for_small_cells_and_no_ids():
    wishes = [WishFact(f"stu_{i}", "sch-alfa" if i < 6 else "sch-beta", "zorg", 4) for i in range(8)]
    placements = [PlacementFact(w.student_ref, w.school_id, "placed", "top1") for w in wishes[:7]]
    figures = period_figures(PeriodSnapshot("reg-g", "p1", wishes=wishes, placements=placements))
    registry = CollectorRegistry()
    registry.register(ReportingCollector(lambda: [figures], lambda: ["reg-g"], lambda r: {"received": 2},
                                         lambda r: 1, lambda r: 0, lambda: ["reg-g"]))
    value = registry.get_sample_value
    assert value("stagepool_students_placed", {"region": "reg-g", "period": "p1"}) == 7
    assert value("stagepool_school_placement_rate", {"region": "reg-g", "period": "p1", "school": "sch-alfa"}) == 1.0
    assert value("stagepool_school_students", {"region": "reg-g", "period": "p1", "school": "sch-beta"}) is None
    assert value("stagepool_desk_reports", {"region": "reg-g", "status": "received"}) is None
    assert value("stagepool_desk_reports_overdue_present", {"region": "reg-g"}) == 1
    from prometheus_client import generate_latest

    assert b"stu_" not in generate_latest(registry)


def test_settings_name_every_missing_variable_at_once():
    with pytest.raises(ConfigError) as err:
        Settings.from_env({})
    assert all(name in str(err.value) for name in ("KAFKA_BOOTSTRAP_SERVERS", "REDIS_URL", "REPORTING_DESK_KEY"))


def test_settings_refuse_a_desk_key_that_is_not_a_fernet_key():
    env = {"KAFKA_BOOTSTRAP_SERVERS": "k:9092", "REDIS_URL": "redis://r", "REPORTING_DESK_KEY": "c2hvcnQ="}
    with pytest.raises(ConfigError, match="REPORTING_DESK_KEY"):
        Settings.from_env(env)
    assert Settings.from_env({**env, "REPORTING_DESK_KEY": KEY.decode()}).deadlines.received_days == 5
