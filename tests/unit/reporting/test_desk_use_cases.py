"""The desk's commands over the doubles: filing, the required minimum, who may read, workflow and deadlines."""

from __future__ import annotations

import pytest

from reporting.commands.desk import (NewReport, change_status, export_for_sbb, file_report, list_cases,
                                     read_case)
from reporting.domain.desk import ANONYMOUS_REPLACEMENT, NEEDS_TARGET, REQUIRED
from reporting.errors import IncompleteReport, InvalidTransition, NotFound
from stagepool_shared.registry import encode

from tests.fakes.reporting import COORDINATOR, DESK_PRINCIPAL, PERIOD, SCHOOL_PRINCIPAL, STUDENT, STUDENT_PRINCIPAL

CANARY = "CANARY-desk-7d1f unwelcome remark at the intake desk"


def full_report(**overrides) -> NewReport:
    values = dict(description=CANARY, incident_date="2027-02-20", organisation_id="org-umcg", period_id=PERIOD)
    return NewReport(**{**values, **overrides})


def test_a_filed_report_publishes_ids_and_status_only(deps, publisher):
    case = file_report(deps, STUDENT_PRINCIPAL, full_report())
    [event] = publisher.events("desk.report_filed")
    assert event.payload.report_id == case.report_id
    assert event.payload.organisation_id == "org-umcg"
    assert CANARY.encode() not in encode(event)
    assert STUDENT.encode() not in encode(event)


def test_the_content_is_stored_sealed_not_in_clear(deps):
    case = file_report(deps, STUDENT_PRINCIPAL, full_report())
    sealed = deps.desk_store.sealed[case.report_id]
    assert CANARY.encode() not in sealed
    assert deps.desk_store.content(case.report_id).description == CANARY


def test_a_report_without_what_when_and_where_is_refused_naming_each_and_nothing_is_stored(deps, publisher):
    with pytest.raises(IncompleteReport) as refused:
        file_report(deps, STUDENT_PRINCIPAL, NewReport(description=" ", incident_date=None))
    assert refused.value.fields == {"description": [REQUIRED], "incident_date": [REQUIRED],
                                    "organisation_id": [NEEDS_TARGET]}
    assert deps.desk_store.meta == {}
    assert publisher.published == []


def test_a_placement_instead_of_an_organisation_is_enough_and_names_its_organisation(deps):
    case = file_report(deps, STUDENT_PRINCIPAL, full_report(organisation_id=None, place_id="plc-umcg-01"))
    assert case.organisation_id == "org-umcg"


def test_when_kafka_does_not_acknowledge_the_filed_case_is_not_stored(deps, publisher):
    publisher.go_down()
    with pytest.raises(Exception):
        file_report(deps, STUDENT_PRINCIPAL, full_report())
    assert deps.desk_store.meta == {}


def test_an_alternative_place_is_requested_for_that_student_excluding_that_organisation(deps, publisher):
    file_report(deps, STUDENT_PRINCIPAL, full_report(alternative_placement_needed=True))
    [request] = publisher.events("placement.replacement_requested")
    assert request.payload.student_ref == STUDENT
    assert request.payload.school_id == "sch-alfa"
    assert request.payload.cause == "desk_report"
    assert request.payload.exclude_organisation_ids == ["org-umcg"]


def test_an_anonymous_report_keeps_no_identity_and_cannot_ask_for_an_alternative_place(deps):
    case = file_report(deps, STUDENT_PRINCIPAL, full_report(anonymous=True))
    assert deps.desk_store.content(case.report_id).student_ref is None
    assert case.school_id is None
    with pytest.raises(IncompleteReport) as refused:
        file_report(deps, STUDENT_PRINCIPAL, full_report(anonymous=True, alternative_placement_needed=True))
    assert refused.value.fields["anonymous"] == [ANONYMOUS_REPLACEMENT]


def test_staff_file_on_behalf_of_a_named_student(deps, publisher):
    file_report(deps, SCHOOL_PRINCIPAL, full_report(student_ref=STUDENT, alternative_placement_needed=True))
    [request] = publisher.events("placement.replacement_requested")
    assert (request.payload.student_ref, request.payload.school_id) == (STUDENT, "sch-alfa")


@pytest.mark.parametrize("principal", [STUDENT_PRINCIPAL, SCHOOL_PRINCIPAL, COORDINATOR, None])
def test_anyone_but_desk_staff_gets_not_found_and_is_audited(deps, principal):
    case = file_report(deps, STUDENT_PRINCIPAL, full_report())
    with pytest.raises(NotFound):
        read_case(deps, principal, case.report_id)
    who = principal.user_id if principal else "anonymous"
    assert deps.audit.entries[-1] == (who, principal.role if principal else "none", "read", case.report_id, "denied")


def test_desk_staff_read_the_content_and_every_read_is_audited(deps):
    case = file_report(deps, STUDENT_PRINCIPAL, full_report())
    view = read_case(deps, DESK_PRINCIPAL, case.report_id)
    assert view.content.description == CANARY
    assert deps.audit.entries[-1] == ("usr-desk-1", "desk_staff", "read", case.report_id, "ok")


def test_the_workflow_moves_forward_only_and_publishes_each_step(deps, publisher):
    case = file_report(deps, STUDENT_PRINCIPAL, full_report())
    for status in ("in_progress", "forwarded_to_sbb", "closed"):
        change_status(deps, DESK_PRINCIPAL, case.report_id, status, note="called the organisation")
    steps = [(e.payload.previous_status, e.payload.status) for e in publisher.events("desk.report_status_changed")]
    assert steps == [("received", "in_progress"), ("in_progress", "forwarded_to_sbb"), ("forwarded_to_sbb", "closed")]
    with pytest.raises(InvalidTransition):
        change_status(deps, DESK_PRINCIPAL, case.report_id, "in_progress", None)
    assert len(deps.desk_store.content(case.report_id).notes) == 3


def test_overdue_cases_come_first_in_the_queue(deps, clock):
    old = file_report(deps, STUDENT_PRINCIPAL, full_report())
    clock.advance(days=4)
    new = file_report(deps, STUDENT_PRINCIPAL, full_report())
    change_status(deps, DESK_PRINCIPAL, new.report_id, "in_progress", None)
    clock.advance(days=2)
    queue = list_cases(deps, DESK_PRINCIPAL)
    assert [v.case.report_id for v in queue] == [old.report_id, new.report_id]
    assert [v.overdue for v in queue] == [True, False]
    assert [v.case.report_id for v in list_cases(deps, DESK_PRINCIPAL, overdue_only=True)] == [old.report_id]


def test_the_sbb_export_holds_forwarded_cases_without_content_or_identity(deps):
    kept = file_report(deps, STUDENT_PRINCIPAL, full_report())
    file_report(deps, STUDENT_PRINCIPAL, full_report())
    change_status(deps, DESK_PRINCIPAL, kept.report_id, "in_progress", None)
    change_status(deps, DESK_PRINCIPAL, kept.report_id, "forwarded_to_sbb", None)
    rows = export_for_sbb(deps, DESK_PRINCIPAL)
    assert [row["report_id"] for row in rows] == [kept.report_id]
    assert rows[0]["incident_month"] == "2027-02"
    assert CANARY not in str(rows) and STUDENT not in str(rows)
    assert deps.audit.entries[-1][2] == "sbb_export"


def test_a_status_change_kafka_does_not_acknowledge_leaves_the_case_as_it_was(deps, publisher):
    case = file_report(deps, STUDENT_PRINCIPAL, full_report())
    publisher.go_down()
    with pytest.raises(Exception):
        change_status(deps, DESK_PRINCIPAL, case.report_id, "in_progress", note="called the organisation")
    assert deps.desk_store.case(case.report_id).status == "received"
    assert deps.desk_store.content(case.report_id).notes == ()
