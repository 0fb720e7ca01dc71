"""Issue 20.6: a case forwarded to SBB gets a versioned export with no personal data beyond what is documented,
SBB's answer and the measures taken are recorded with field errors for bad input (and nothing changed), what is
overdue is listed most overdue first, every step is kept, and retention covers the SBB file."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, replace
from datetime import date
from pathlib import Path

import pytest

from reporting.adapters.desk_store import _meta_from_json
from reporting.commands.desk import NewReport, change_status, file_report, read_case
from reporting.commands.sbb import (add_sbb_measure, count_sbb_overdue, forward_to_sbb, record_sbb_answer,
                                    sbb_export, sbb_overdue, update_sbb_measure)
from reporting.domain import sbb
from reporting.errors import InvalidInput, InvalidTransition, NotFound
from reporting.jobs import apply_retention

from tests.fakes.reporting import (COORDINATOR, DESK_PRINCIPAL, PERIOD, REGION, SCHOOL_PRINCIPAL, STUDENT,
                                   STUDENT_PRINCIPAL)

CANARY = "CANARY-sbb-5e2a Jan de Vries was told he would not fit in"
MEASURE_CANARY = "CANARY-measure-91c0 talk with manager Piet"
DOCS = Path(__file__).resolve().parents[3] / "docs" / "reporting.md"


def forwarded_case(deps, principal=STUDENT_PRINCIPAL, **overrides) -> str:
    report = dict(description=CANARY, incident_date="2027-02-20", organisation_id="org-umcg", period_id=PERIOD)
    case = file_report(deps, principal, NewReport(**{**report, **overrides}))
    change_status(deps, DESK_PRINCIPAL, case.report_id, "in_progress", None)
    forward_to_sbb(deps, DESK_PRINCIPAL, case.report_id)
    return case.report_id


def test_forwarding_starts_a_versioned_sbb_file_and_publishes_the_status_only(deps, publisher):
    report_id = forwarded_case(deps)
    case = deps.desk_store.case(report_id)
    assert case.status == "forwarded_to_sbb"
    assert case.sbb.export_version == sbb.EXPORT_VERSION
    assert [step.action for step in case.sbb.steps] == ["forwarded"]
    assert publisher.events("desk.report_status_changed")[-1].payload.status == "forwarded_to_sbb"


def test_a_received_case_cannot_be_forwarded_yet(deps):
    case = file_report(deps, STUDENT_PRINCIPAL, NewReport(description="x", incident_date="2027-02-20",
                                                          organisation_id="org-umcg"))
    with pytest.raises(InvalidTransition):
        forward_to_sbb(deps, DESK_PRINCIPAL, case.report_id)
    assert deps.desk_store.case(case.report_id).sbb is None


def test_the_export_holds_exactly_the_documented_fields_and_no_personal_data(deps, views):
    views.places[(REGION, PERIOD, "plc-umcg-01")] = replace(views.places[(REGION, PERIOD, "plc-umcg-01")],
                                                            organisation_name="UMCG")
    report_id = forwarded_case(deps, SCHOOL_PRINCIPAL, student_ref=STUDENT, place_id="plc-umcg-01")
    document = sbb_export(deps, DESK_PRINCIPAL, report_id)
    assert tuple(document) == sbb.EXPORT_FIELDS
    assert document["format"] == "stagepool.sbb-case" and document["version"] == 1
    assert (document["organisation_id"], document["organisation_name"]) == ("org-umcg", "UMCG")
    assert (document["incident_month"], document["reporter_role"]) == ("2027-02", "school")
    text = json.dumps(document)
    for personal in (CANARY, STUDENT, "sch-alfa", "plc-umcg-01", SCHOOL_PRINCIPAL.user_id, "2027-02-20"):
        assert personal not in text
    assert deps.audit.entries[-1] == ("usr-desk-1", "desk_staff", "sbb_export", report_id, "ok")


def test_every_exported_field_is_documented_in_the_fields_table():
    docs = DOCS.read_text()
    table = docs[docs.index("### The SBB export, version 1"):]
    documented = re.findall(r"^\| `([a-z_]+)` \|", table, flags=re.M)
    assert tuple(documented[:len(sbb.EXPORT_FIELDS)]) == sbb.EXPORT_FIELDS


def test_a_case_never_forwarded_has_no_export(deps):
    case = file_report(deps, STUDENT_PRINCIPAL, NewReport(description="x", incident_date="2027-02-20",
                                                          organisation_id="org-umcg"))
    with pytest.raises(InvalidInput) as refused:
        sbb_export(deps, DESK_PRINCIPAL, case.report_id)
    assert refused.value.fields == {"report_id": ["sbb_not_forwarded"]}


@pytest.mark.parametrize("principal", [STUDENT_PRINCIPAL, SCHOOL_PRINCIPAL, COORDINATOR, None])
def test_only_the_desk_reaches_the_sbb_file_everyone_else_is_audited_and_told_not_found(deps, principal):
    report_id = forwarded_case(deps)
    before = deps.desk_store.case(report_id)
    for attempt in (lambda: sbb_export(deps, principal, report_id),
                    lambda: record_sbb_answer(deps, principal, report_id, date(2027, 3, 1), "R-1", "unfounded"),
                    lambda: add_sbb_measure(deps, principal, report_id, "plan", "sbb", date(2027, 4, 1)),
                    lambda: sbb_overdue(deps, principal)):
        with pytest.raises(NotFound):
            attempt()
        assert deps.audit.entries[-1][-1] == "denied"
    assert deps.desk_store.case(report_id) == before


def test_sbbs_answer_and_the_measures_are_recorded_with_every_step(deps, clock):
    report_id = forwarded_case(deps)
    clock.advance(days=3)
    record_sbb_answer(deps, DESK_PRINCIPAL, report_id, date(2027, 3, 3), "SBB-2027-0042", "improvement_agreements")
    _, measure_id = add_sbb_measure(deps, DESK_PRINCIPAL, report_id, MEASURE_CANARY, "organisation_staff",
                                    date(2027, 4, 1))
    update_sbb_measure(deps, DESK_PRINCIPAL, report_id, measure_id, "in_progress")
    case = deps.desk_store.case(report_id)
    assert case.sbb.answer.reference == "SBB-2027-0042" and case.sbb.answer.outcome == "improvement_agreements"
    assert [(m.measure_id, m.owner_role, m.deadline, m.status) for m in case.sbb.measures] == [
        ("msr-1", "organisation_staff", "2027-04-01", "in_progress")]
    assert [s.action for s in case.sbb.steps] == ["forwarded", "answer_recorded", "measure_added", "measure_updated"]
    assert [e[2] for e in deps.audit.entries[-3:]] == ["sbb_answer", "sbb_measure", "sbb_measure_status"]
    assert read_case(deps, DESK_PRINCIPAL, report_id).content.measures == (("msr-1", MEASURE_CANARY),)
    assert MEASURE_CANARY.encode() not in deps.desk_store.sealed[report_id]
    assert MEASURE_CANARY not in json.dumps(asdict(case))


@pytest.mark.parametrize(("answered_on", "field", "code"), [
    (date(2027, 3, 2), "answered_on", "sbb_date_in_future"),
    (date(2027, 2, 27), "answered_on", "sbb_answer_before_forward")])
def test_an_answer_dated_impossibly_is_a_field_error_and_changes_nothing(deps, answered_on, field, code):
    report_id = forwarded_case(deps)
    before = deps.desk_store.case(report_id)
    with pytest.raises(InvalidInput) as refused:
        record_sbb_answer(deps, DESK_PRINCIPAL, report_id, answered_on, "R-1", "unfounded")
    assert refused.value.fields == {field: [code]}
    assert deps.desk_store.case(report_id) == before


def test_an_empty_measure_with_a_deadline_in_the_past_names_both_fields_and_changes_nothing(deps):
    report_id = forwarded_case(deps)
    before, sealed = deps.desk_store.case(report_id), deps.desk_store.sealed[report_id]
    with pytest.raises(InvalidInput) as refused:
        add_sbb_measure(deps, DESK_PRINCIPAL, report_id, "  ", "sbb", date(2027, 2, 28))
    assert refused.value.fields == {"description": ["sbb_measure_empty"], "deadline": ["sbb_deadline_past"]}
    assert (deps.desk_store.case(report_id), deps.desk_store.sealed[report_id]) == (before, sealed)


def test_a_measure_the_case_does_not_have_is_not_found(deps):
    report_id = forwarded_case(deps)
    with pytest.raises(NotFound):
        update_sbb_measure(deps, DESK_PRINCIPAL, report_id, "msr-9", "done")


def test_the_overdue_view_lists_late_answers_and_late_measures_most_overdue_first(deps, clock):
    waiting = forwarded_case(deps)
    answered = forwarded_case(deps)
    record_sbb_answer(deps, DESK_PRINCIPAL, answered, date(2027, 3, 1), "R-2", "organisation_addressed")
    add_sbb_measure(deps, DESK_PRINCIPAL, answered, "improvement plan", "organisation_staff", date(2027, 3, 30))
    add_sbb_measure(deps, DESK_PRINCIPAL, answered, "check on site", "sbb", date(2027, 3, 20))
    update_sbb_measure(deps, DESK_PRINCIPAL, answered, "msr-2", "done")
    clock.advance(days=29)  # 30 March: the answer is due on 31 March (30 days), the measure today; msr-2 is done
    assert sbb_overdue(deps, DESK_PRINCIPAL) == []
    clock.advance(days=3)  # 2 April: the measure is 3 days late, the answer 2
    items = sbb_overdue(deps, DESK_PRINCIPAL)
    assert [(i.kind, i.report_id, i.measure_id, i.days) for i in items] == [
        ("measure", answered, "msr-1", 3), ("answer", waiting, None, 2)]
    assert count_sbb_overdue(deps, REGION) == {"answer": 1, "measure": 1}
    assert deps.audit.entries[-1] == ("usr-desk-1", "desk_staff", "sbb_overdue", "*", "ok")


def test_the_sbb_file_survives_the_stores_json_form(deps):
    report_id = forwarded_case(deps)
    record_sbb_answer(deps, DESK_PRINCIPAL, report_id, date(2027, 3, 1), "R-3", "unfounded")
    add_sbb_measure(deps, DESK_PRINCIPAL, report_id, "plan", "school_staff", date(2027, 5, 1))
    case = deps.desk_store.case(report_id)
    assert _meta_from_json(json.dumps(asdict(case)).encode()) == case


def test_retention_keeps_only_codes_and_months_of_a_closed_cases_sbb_file(deps, clock):
    report_id = forwarded_case(deps)
    record_sbb_answer(deps, DESK_PRINCIPAL, report_id, date(2027, 3, 1), "SBB-REF-77", "unfounded")
    add_sbb_measure(deps, DESK_PRINCIPAL, report_id, MEASURE_CANARY, "sbb", date(2027, 4, 15))
    change_status(deps, DESK_PRINCIPAL, report_id, "closed", None)
    clock.advance(days=400)
    assert apply_retention(deps) == 1
    case = deps.desk_store.case(report_id)
    text = json.dumps(asdict(case)) + repr(deps.desk_store.content(report_id))
    assert "SBB-REF-77" not in text and MEASURE_CANARY not in text and "2027-04-15" not in text
    assert case.sbb.answer.outcome == "unfounded" and case.sbb.measures[0].deadline == "2027-04-01"
    assert all(step.at.startswith("2027-03-01T00:00") for step in case.sbb.steps)
    assert sbb_overdue(deps, DESK_PRINCIPAL) == []


def test_the_overdue_count_is_a_metric_per_region_and_kind_small_counts_only_flagged(deps, clock, wiring):
    from prometheus_client import CollectorRegistry, generate_latest

    from reporting.bootstrap import _collector

    report_ids = [forwarded_case(deps) for _ in range(5)]
    add_sbb_measure(deps, DESK_PRINCIPAL, report_ids[0], MEASURE_CANARY, "sbb", date(2027, 3, 10))
    registry = CollectorRegistry()
    registry.register(_collector(deps))
    value = registry.get_sample_value
    assert value("stagepool_desk_sbb_overdue_present", {"region": REGION}) == 0
    clock.advance(days=31)
    assert value("stagepool_desk_sbb_overdue", {"region": REGION, "kind": "answer"}) == 5
    assert value("stagepool_desk_sbb_overdue", {"region": REGION, "kind": "measure"}) is None  # 1: a small cell
    assert value("stagepool_desk_sbb_overdue_present", {"region": REGION}) == 1
    assert report_ids[0].encode() not in generate_latest(registry)


def test_the_status_form_forwarding_starts_the_same_sbb_file(deps):
    case = file_report(deps, STUDENT_PRINCIPAL, NewReport(description="x", incident_date="2027-02-20",
                                                          organisation_id="org-umcg"))
    change_status(deps, DESK_PRINCIPAL, case.report_id, "in_progress", None)
    change_status(deps, DESK_PRINCIPAL, case.report_id, "forwarded_to_sbb", None)
    assert deps.desk_store.case(case.report_id).sbb == sbb.forwarded("2027-03-01T09:00:00Z")
    assert sbb_export(deps, DESK_PRINCIPAL, case.report_id)["forwarded_on"] == "2027-03-01"
