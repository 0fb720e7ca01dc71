"""Issue 19, point 1: a desk report names a student only for a caller who may act for that student.

School A's staff filed a report for a student of school B with "alternative placement needed" and the matcher
excluded that organisation for the student. Staff may name only their own school's students, a student files
only for themself (the school comes from the projections, never from the body), and an unknown student is
answered exactly as another school's student: NotFound, nothing published, nothing stored.
"""

from __future__ import annotations

import pytest

from reporting.commands.desk import NewReport, file_report, request_alternative_place
from reporting.domain.figures import WishFact
from reporting.errors import NotFound
from stagepool_shared.auth import Principal

from tests.fakes.reporting import DESK_PRINCIPAL, PERIOD, REGION, SCHOOL_PRINCIPAL, STUDENT, STUDENT_PRINCIPAL

OTHER_STUDENT = "stu_" + "b" * 32
SCHOOL_B_PRINCIPAL = Principal("usr-bpv-b", "school_staff", "sch-beta", REGION)
SUPPORT_B_PRINCIPAL = Principal("usr-sup-b", "support_staff", "sch-beta", REGION)


def report(**overrides) -> NewReport:
    values = dict(description="remark", incident_date="2027-02-20", organisation_id="org-umcg", period_id=PERIOD,
                  student_ref=STUDENT, alternative_placement_needed=True)
    return NewReport(**{**values, **overrides})


@pytest.mark.parametrize("staff", [SCHOOL_B_PRINCIPAL, SUPPORT_B_PRINCIPAL])
@pytest.mark.parametrize("replacement", [True, False])
def test_staff_of_another_school_cannot_file_for_a_student_of_school_a(deps, publisher, staff, replacement):
    with pytest.raises(NotFound):
        file_report(deps, staff, report(alternative_placement_needed=replacement))
    assert publisher.published == []
    assert deps.desk_store.meta == {}
    assert deps.audit.entries[-1] == (staff.user_id, staff.role, "file", "-", "denied")


def test_an_unknown_student_is_answered_as_another_schools_student(deps, publisher):
    with pytest.raises(NotFound):
        file_report(deps, SCHOOL_PRINCIPAL, report(student_ref=OTHER_STUDENT))
    assert publisher.published == []


def test_staff_naming_another_school_in_the_body_still_file_as_their_own_school(deps, publisher):
    file_report(deps, SCHOOL_PRINCIPAL, report(school_id="sch-beta"))
    [request] = publisher.events("placement.replacement_requested")
    assert request.payload.school_id == "sch-alfa"


def test_a_student_cannot_put_another_school_on_their_replacement_request(deps, publisher, views):
    del views.wishes[(REGION, PERIOD, STUDENT)]
    file_report(deps, STUDENT_PRINCIPAL, report(student_ref=None, school_id="sch-beta"))
    [request] = publisher.events("placement.replacement_requested")
    assert request.payload.school_id == "sch-alfa"  # from the placement, not the body


def test_a_student_names_only_themself(deps, publisher, views):
    views.wishes[(REGION, PERIOD, OTHER_STUDENT)] = WishFact(OTHER_STUDENT, "sch-alfa", "zorg", 4)
    case = file_report(deps, STUDENT_PRINCIPAL, report(student_ref=OTHER_STUDENT))
    [request] = publisher.events("placement.replacement_requested")
    assert request.payload.student_ref == STUDENT
    assert deps.desk_store.content(case.report_id).student_ref == STUDENT


def test_desk_staff_cannot_move_a_replacement_to_another_school_through_the_body(deps, publisher):
    case = file_report(deps, STUDENT_PRINCIPAL, report(student_ref=None, alternative_placement_needed=False))
    deps.desk_store.save(case.__class__(**{**case.__dict__, "school_id": None}))
    request_alternative_place(deps, DESK_PRINCIPAL, case.report_id, PERIOD, school_id="sch-beta")
    [request] = publisher.events("placement.replacement_requested")
    assert request.payload.school_id == "sch-alfa"
