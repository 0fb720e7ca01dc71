"""The desk's use cases: file a report, read and list cases, move a case, ask for an alternative place, export
for SBB. Every read by anyone, and every attempt without the desk role, is written to the audit log; outsiders
get NotFound, so they cannot even learn that a case exists.

Report content is sealed by the store and never put in an event, a log line or a metric: events carry the
report id, region, organisation and status only.

Store and publish: every command here that publishes uses pattern A (publish, then store). Its events need
nothing stored first, so the command validates, publishes and waits for Kafka's acknowledgement, and only then
stores the case; when Kafka does not acknowledge, PublishFailed propagates (the API answers 503) and nothing
is stored. Imports the shared event payloads, the domain, the errors and the ports.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace

from stagepool_shared.auth import Principal
from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.events.desk import DeskReportFiled, DeskReportStatusChanged
from stagepool_shared.events.placements import ReplacementRequested

from ..domain import desk as rules
from ..domain import sbb as sbb_rules
from ..errors import IncompleteReport, NotFound
from ..ports import Deps

logger = logging.getLogger(__name__)

PRODUCER = "reporting"
DESK_ROLE = "desk_staff"
FILERS = ("student", "school_staff", "support_staff")


@dataclass(frozen=True)
class NewReport:
    """A report as the filer gave it (already schema-checked at the edge)."""

    description: str | None
    incident_date: str | None
    organisation_id: str | None = None
    place_id: str | None = None
    period_id: str | None = None
    student_ref: str | None = None
    school_id: str | None = None
    category: str = "discrimination"
    phase: str = "during_internship"
    anonymous: bool = False
    alternative_placement_needed: bool = False


@dataclass(frozen=True)
class CaseView:
    """A case as desk staff see it."""

    case: rules.CaseMeta
    deadline: str | None
    overdue: bool
    content: rules.ReportContent | None = None


# -- filing -----------------------------------------------------------------------------------------------------
def file_report(deps: Deps, principal: Principal, report: NewReport) -> rules.CaseMeta:
    """Register a report and publish desk.report_filed (and a re-placement request when asked).

    Pattern A: the required minimum is checked first, then the events are published and acknowledged, then the
    case is stored; if Kafka does not acknowledge, PublishFailed propagates and nothing is stored.
    """
    now = deps.clock()
    rules.check_minimum(report.description, report.incident_date, report.organisation_id, report.place_id,
                        now.date())
    if report.alternative_placement_needed:
        rules.check_replacement_request(report.anonymous, report.period_id)
    student_ref, school_id = _filer(deps, principal, report)
    organisation_id = report.organisation_id or _organisation_of(deps, principal, report)
    case = rules.new_case("rep-" + uuid.uuid4().hex[:16], principal.region_id, organisation_id, school_id,
                          report.category, report.phase, report.anonymous, principal.role, now)
    content = rules.ReportContent(report.description or "", report.incident_date or "",
                                  None if report.anonymous else student_ref,
                                  None if report.anonymous else principal.user_id, report.place_id)
    events = [_filed_event(case)]
    if report.alternative_placement_needed:
        case = replace(case, replacement_requested=True)
        events.append(_replacement_event(case, student_ref, school_id, report.period_id, report.place_id))
    deps.publisher.publish_all(events)
    deps.desk_store.add(case, content)
    logger.info("desk report %s filed by role %s", case.report_id, principal.role)
    return case


def report_defaults(deps: Deps, principal: Principal) -> dict[str, str]:
    """What a student's report form starts with: the period and organisation of their latest placement in
    their region ({} when they have none)."""
    defaults: dict[str, str] = {}
    for region, period in deps.views.student_periods(principal.scope):
        placement = deps.views.placement(region, period, principal.scope) if region == principal.region_id else None
        if placement is not None and placement.organisation_id:
            defaults = {"period_id": period, "organisation_id": placement.organisation_id}
    return defaults


def _filer(deps: Deps, principal: Principal, report: NewReport) -> tuple[str | None, str | None]:
    """Whose report it is: a student files for themselves; staff name the student (or not, if anonymous).

    The school is never taken from the body: a student's comes from the projections, staff file as their own
    school, and staff may name only a student the projections place at their school. Another school's
    student and an unknown one get the same audited NotFound, so the answer does not tell them apart.
    """
    if principal.role == "student":
        return principal.scope, school_of(deps, principal.region_id, principal.scope, report.period_id)
    if report.alternative_placement_needed and not report.student_ref:
        raise _incomplete("student_ref", rules.REQUIRED)
    if report.student_ref and school_of(deps, principal.region_id, report.student_ref,
                                        report.period_id) != principal.scope:
        deps.audit.append(principal.user_id, principal.role, "file", "-", "denied")
        raise NotFound(report.student_ref)
    return report.student_ref, principal.scope


def school_of(deps: Deps, region_id: str, student_ref: str, period_id: str | None) -> str | None:
    """The student's school in the region as the projections know it: the period's wish or placement first,
    then any other period of the student in the region; None for a student unknown there."""
    periods = [period_id] if period_id else []
    periods += [period for region, period in deps.views.student_periods(student_ref)
                if region == region_id and period != period_id]
    for period in periods:
        fact = deps.views.wish(region_id, period, student_ref) or deps.views.placement(region_id, period, student_ref)
        if fact is not None:
            return fact.school_id
    return None


def _organisation_of(deps: Deps, principal: Principal, report: NewReport) -> str | None:
    if not (report.place_id and report.period_id):
        return None
    place = deps.views.place(principal.region_id, report.period_id, report.place_id)
    return place.organisation_id if place else None


def _filed_event(case: rules.CaseMeta) -> Envelope:
    payload = DeskReportFiled(case.report_id, case.region_id, case.organisation_id, case.school_id, case.anonymous)
    return new_envelope("desk.report_filed", payload, producer=PRODUCER, partition_key=case.region_id)


def _replacement_event(case: rules.CaseMeta, student_ref: str | None, school_id: str | None,
                       period_id: str | None, place_id: str | None) -> Envelope:
    if not student_ref or not school_id:
        raise _incomplete("student_ref", "The student and their school must be known for an alternative place.")
    payload = ReplacementRequested(
        request_id="req-" + case.report_id, region_id=case.region_id, period_id=period_id or "",
        student_ref=student_ref, school_id=school_id, cause="desk_report",
        exclude_organisation_ids=[case.organisation_id] if case.organisation_id else [],
        exclude_place_ids=[place_id] if place_id else [])
    return new_envelope("placement.replacement_requested", payload, producer=PRODUCER,
                        partition_key=case.region_id)


def _incomplete(field: str, message: str) -> IncompleteReport:
    """An IncompleteReport about one field."""
    return IncompleteReport({field: [message]})


# -- reading ----------------------------------------------------------------------------------------------------
def _guard(deps: Deps, principal: Principal | None, action: str, report_id: str) -> Principal:
    """Only desk staff pass; everyone else is audited and told NotFound."""
    if principal is None or principal.role != DESK_ROLE:
        deps.audit.append(principal.user_id if principal else "anonymous",
                          principal.role if principal else "none", action, report_id, "denied")
        raise NotFound(report_id)
    return principal


def _view(deps: Deps, case: rules.CaseMeta, content: rules.ReportContent | None = None) -> CaseView:
    now = deps.clock()
    days_for = deps.deadlines.days_for
    due = rules.deadline(case, days_for)
    return CaseView(case, rules.iso(due) if due else None, rules.is_overdue(case, days_for, now), content)


def _own_case(deps: Deps, principal: Principal | None, action: str,
              report_id: str) -> tuple[Principal, rules.CaseMeta]:
    """The desk staff member and the case, if the case is of their region; NotFound (audited) otherwise."""
    staff = _guard(deps, principal, action, report_id)
    case = deps.desk_store.case(report_id)
    if case is None or case.region_id != staff.region_id:
        deps.audit.append(staff.user_id, staff.role, action, report_id, "not_found")
        raise NotFound(report_id)
    return staff, case


def read_case(deps: Deps, principal: Principal | None, report_id: str) -> CaseView:
    """One case with its decrypted content (audited)."""
    staff, case = _own_case(deps, principal, "read", report_id)
    deps.audit.append(staff.user_id, staff.role, "read", report_id, "ok")
    return _view(deps, case, deps.desk_store.content(report_id))


def list_cases(deps: Deps, principal: Principal | None, overdue_only: bool = False) -> list[CaseView]:
    """The region's cases, overdue first (metadata only; audited as one list read)."""
    staff = _guard(deps, principal, "list", "*")
    cases = rules.queue_order(deps.desk_store.cases(staff.region_id), deps.deadlines.days_for, deps.clock())
    deps.audit.append(staff.user_id, staff.role, "list", "*", "ok")
    views = [_view(deps, case) for case in cases]
    return [view for view in views if view.overdue] if overdue_only else views


# -- workflow ---------------------------------------------------------------------------------------------------
def change_status(deps: Deps, principal: Principal | None, report_id: str, status: str,
                  note: str | None) -> CaseView:
    """Move a case one step and publish desk.report_status_changed (the note stays sealed).

    Pattern A: the step is checked, the event published and acknowledged, and only then is the moved case
    (with its note) stored; if Kafka does not acknowledge, the case stays as it was.
    """
    staff, case = _own_case(deps, principal, "change_status", report_id)
    moved = rules.move(case, status, deps.clock())
    if status == "forwarded_to_sbb":  # the SBB file starts (issue 20.6: commands/sbb.py)
        moved = replace(moved, sbb=sbb_rules.forwarded(rules.iso(deps.clock())))
    content = deps.desk_store.content(report_id)
    if note:
        content = replace(content, notes=content.notes + (f"{rules.iso(deps.clock())} {staff.user_id}: {note}",))
    event = new_envelope("desk.report_status_changed",
                         DeskReportStatusChanged(report_id, case.region_id, status, case.status),
                         producer=PRODUCER, partition_key=case.region_id)
    deps.publisher.publish_all([event])
    deps.desk_store.save(moved, content if note else None)
    deps.audit.append(staff.user_id, staff.role, "change_status", report_id, status)
    return _view(deps, moved)


def request_alternative_place(deps: Deps, principal: Principal | None, report_id: str, period_id: str,
                              school_id: str | None = None) -> str:
    """Ask the matcher for another place for the reporting student, never at this organisation.

    The school is the case's, else the projections'; the body's school_id counts only when neither knows one.

    Pattern A: the request is published and acknowledged before the case is marked as having asked.
    """
    staff, case = _own_case(deps, principal, "request_alternative_place", report_id)
    content = deps.desk_store.content(report_id)
    rules.check_replacement_request(case.anonymous or content.student_ref is None, period_id)
    school = case.school_id or school_of(deps, case.region_id, content.student_ref, period_id) or school_id
    event = _replacement_event(case, content.student_ref, school, period_id, content.place_id)
    deps.publisher.publish_all([event])
    deps.desk_store.save(replace(case, replacement_requested=True))
    deps.audit.append(staff.user_id, staff.role, "request_alternative_place", report_id, "ok")
    return event.payload.request_id


def export_for_sbb(deps: Deps, principal: Principal | None) -> list[dict[str, str]]:
    """Forwarded cases with only what SBB needs: case id, organisation, category, phase, month, dates."""
    staff = _guard(deps, principal, "sbb_export", "*")
    rows = []
    for case in deps.desk_store.cases(staff.region_id):
        forwarded = [step.at for step in case.history if step.status == "forwarded_to_sbb"]
        if not forwarded:
            continue
        content = deps.desk_store.content(case.report_id)
        rows.append({"report_id": case.report_id, "region_id": case.region_id,
                     "organisation_id": case.organisation_id or "", "category": case.category,
                     "phase": case.phase, "incident_month": content.incident_date[:7],
                     "filed_at": case.filed_at, "forwarded_at": forwarded[-1], "status": case.status})
    deps.audit.append(staff.user_id, staff.role, "sbb_export", "*", f"{len(rows)} cases")
    return rows


# -- figures ----------------------------------------------------------------------------------------------------
def count_cases_by_status(deps: Deps, region_id: str) -> dict[str, int]:
    """How many of the region's cases are in each status (for the period figures and the metrics)."""
    return rules.count_by_status(deps.desk_store.cases(region_id))


def count_overdue_cases(deps: Deps, region_id: str) -> int:
    """How many of the region's cases are past their deadline (for the metrics)."""
    now = deps.clock()
    return sum(1 for case in deps.desk_store.cases(region_id) if rules.is_overdue(case, deps.deadlines.days_for, now))
