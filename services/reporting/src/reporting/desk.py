"""Desk use cases: file a report, read and list cases, move a case, ask for an alternative place, export for
SBB. Every read by anyone, and every attempt without the desk role, is written to the audit log; outsiders
get NotFound, so they cannot even learn that a case exists.

Report content is sealed by the store and never put in an event, a log line or a metric: events carry the
report id, region, organisation and status only. Imports the shared event payloads, the domain and ports.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Callable, Protocol

from stagepool_shared.auth import Principal
from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.events.desk import DeskReportFiled, DeskReportStatusChanged
from stagepool_shared.events.placements import ReplacementRequested

from .domain import desk as rules
from .errors import IncompleteReport, NotFound

logger = logging.getLogger(__name__)

PRODUCER = "reporting"
DESK_ROLE = "desk_staff"
FILERS = ("student", "school_staff", "support_staff")


class Publisher(Protocol):
    def publish_all(self, envelopes: list[Envelope], topic: str | None = None) -> None: ...


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


class Desk:
    """The desk's use cases over its store, audit log, publisher and the placement views."""

    def __init__(self, store, audit, publisher: Publisher, views, deadlines, clock: Callable[[], datetime] | None = None):
        self.store = store
        self.audit = audit
        self.publisher = publisher
        self.views = views
        self.deadlines = deadlines
        self.clock = clock or (lambda: datetime.now(UTC))

    # -- filing ---------------------------------------------------------------------------------------------
    def file(self, principal: Principal, report: NewReport) -> rules.CaseMeta:
        """Register a report; publish desk.report_filed (and a re-placement request when asked).

        Nothing is stored half: the minimum is checked first, and if Kafka does not acknowledge, the stored
        case is removed again and PublishFailed propagates."""
        now = self.clock()
        rules.check_minimum(report.description, report.incident_date, report.organisation_id, report.place_id,
                            now.date())
        if report.alternative_placement_needed:
            rules.check_replacement_request(report.anonymous, report.period_id)
        student_ref, school_id = self._filer(principal, report)
        organisation_id = report.organisation_id or self._organisation_of(principal, report)
        case = rules.new_case("rep-" + uuid.uuid4().hex[:16], principal.region_id, organisation_id, school_id,
                              report.category, report.phase, report.anonymous, principal.role, now)
        content = rules.ReportContent(report.description or "", report.incident_date or "",
                                      None if report.anonymous else student_ref,
                                      None if report.anonymous else principal.user_id, report.place_id)
        events = [self._filed_event(case)]
        if report.alternative_placement_needed:
            case = replace(case, replacement_requested=True)
            events.append(self._replacement_event(case, student_ref, school_id, report.period_id, report.place_id))
        self.store.add(case, content)
        try:
            self.publisher.publish_all(events)
        except Exception:
            self.store.remove(case)
            raise
        logger.info("desk report %s filed by role %s", case.report_id, principal.role)
        return case

    def _filer(self, principal: Principal, report: NewReport) -> tuple[str | None, str | None]:
        """Whose report it is: a student files for themselves; staff name the student (or not, if anonymous)."""
        if principal.role == "student":
            wish = self.views.wish(principal.region_id, report.period_id, principal.scope) if report.period_id else None
            return principal.scope, wish.school_id if wish else report.school_id
        if report.alternative_placement_needed and not report.student_ref:
            raise rules_incomplete("student_ref", rules.REQUIRED)
        return report.student_ref, principal.scope

    def _organisation_of(self, principal: Principal, report: NewReport) -> str | None:
        if not (report.place_id and report.period_id):
            return None
        place = self.views.place(principal.region_id, report.period_id, report.place_id)
        return place.organisation_id if place else None

    def _filed_event(self, case: rules.CaseMeta) -> Envelope:
        payload = DeskReportFiled(case.report_id, case.region_id, case.organisation_id, case.school_id, case.anonymous)
        return new_envelope("desk.report_filed", payload, producer=PRODUCER, partition_key=case.region_id)

    def _replacement_event(self, case: rules.CaseMeta, student_ref: str | None, school_id: str | None,
                           period_id: str | None, place_id: str | None) -> Envelope:
        if not student_ref or not school_id:
            raise rules_incomplete("student_ref", "The student and their school must be known for an alternative place.")
        payload = ReplacementRequested(
            request_id="req-" + case.report_id, region_id=case.region_id, period_id=period_id or "",
            student_ref=student_ref, school_id=school_id, cause="desk_report",
            exclude_organisation_ids=[case.organisation_id] if case.organisation_id else [],
            exclude_place_ids=[place_id] if place_id else [])
        return new_envelope("placement.replacement_requested", payload, producer=PRODUCER,
                            partition_key=case.region_id)

    # -- reading --------------------------------------------------------------------------------------------
    def _guard(self, principal: Principal | None, action: str, report_id: str) -> None:
        """Only desk staff pass; everyone else is audited and told NotFound."""
        if principal is None or principal.role != DESK_ROLE:
            self.audit.append(principal.user_id if principal else "anonymous",
                              principal.role if principal else "none", action, report_id, "denied")
            raise NotFound(report_id)

    def _view(self, case: rules.CaseMeta, content: rules.ReportContent | None = None) -> CaseView:
        now = self.clock()
        due = rules.deadline(case, self.deadlines.days_for)
        return CaseView(case, rules.iso(due) if due else None, rules.is_overdue(case, self.deadlines.days_for, now),
                        content)

    def _own_case(self, principal: Principal, action: str, report_id: str) -> rules.CaseMeta:
        self._guard(principal, action, report_id)
        case = self.store.case(report_id)
        if case is None or case.region_id != principal.region_id:
            self.audit.append(principal.user_id, principal.role, action, report_id, "not_found")
            raise NotFound(report_id)
        return case

    def read(self, principal: Principal | None, report_id: str) -> CaseView:
        """One case with its decrypted content (audited)."""
        case = self._own_case(principal, "read", report_id)
        self.audit.append(principal.user_id, principal.role, "read", report_id, "ok")
        return self._view(case, self.store.content(report_id))

    def queue(self, principal: Principal | None, overdue_only: bool = False) -> list[CaseView]:
        """The region's cases, overdue first (metadata only; audited as one list read)."""
        self._guard(principal, "list", "*")
        cases = rules.queue_order(self.store.cases(principal.region_id), self.deadlines.days_for, self.clock())
        self.audit.append(principal.user_id, principal.role, "list", "*", "ok")
        views = [self._view(case) for case in cases]
        return [view for view in views if view.overdue] if overdue_only else views

    # -- workflow -------------------------------------------------------------------------------------------
    def change_status(self, principal: Principal | None, report_id: str, status: str, note: str | None) -> CaseView:
        """Move a case one step and publish desk.report_status_changed (the note stays sealed)."""
        case = self._own_case(principal, "change_status", report_id)
        moved = rules.move(case, status, self.clock())
        content = self.store.content(report_id)
        if note:
            content = replace(content, notes=content.notes + (f"{rules.iso(self.clock())} {principal.user_id}: {note}",))
        self.store.save(moved, content if note else None)
        event = new_envelope("desk.report_status_changed",
                             DeskReportStatusChanged(report_id, case.region_id, status, case.status),
                             producer=PRODUCER, partition_key=case.region_id)
        try:
            self.publisher.publish_all([event])
        except Exception:
            self.store.save(case, self.store.content(report_id) if note else None)
            raise
        self.audit.append(principal.user_id, principal.role, "change_status", report_id, status)
        return self._view(moved)

    def request_alternative_place(self, principal: Principal | None, report_id: str, period_id: str,
                                  school_id: str | None = None) -> str:
        """Ask the matcher for another place for the reporting student, never at this organisation."""
        case = self._own_case(principal, "request_alternative_place", report_id)
        content = self.store.content(report_id)
        rules.check_replacement_request(case.anonymous or content.student_ref is None, period_id)
        wish = self.views.wish(case.region_id, period_id, content.student_ref)
        school = case.school_id or school_id or (wish.school_id if wish else None)
        event = self._replacement_event(case, content.student_ref, school, period_id, content.place_id)
        self.publisher.publish_all([event])
        self.store.save(replace(case, replacement_requested=True))
        self.audit.append(principal.user_id, principal.role, "request_alternative_place", report_id, "ok")
        return event.payload.request_id

    def sbb_export(self, principal: Principal | None) -> list[dict[str, str]]:
        """Forwarded cases with only what SBB needs: case id, organisation, category, phase, month, dates."""
        self._guard(principal, "sbb_export", "*")
        rows = []
        for case in self.store.cases(principal.region_id):
            forwarded = [step.at for step in case.history if step.status == "forwarded_to_sbb"]
            if not forwarded:
                continue
            content = self.store.content(case.report_id)
            rows.append({"report_id": case.report_id, "region_id": case.region_id,
                         "organisation_id": case.organisation_id or "", "category": case.category,
                         "phase": case.phase, "incident_month": content.incident_date[:7],
                         "filed_at": case.filed_at, "forwarded_at": forwarded[-1], "status": case.status})
        self.audit.append(principal.user_id, principal.role, "sbb_export", "*", f"{len(rows)} cases")
        return rows

    def counts_by_status(self, region_id: str) -> dict[str, int]:
        return rules.count_by_status(self.store.cases(region_id))

    def overdue_count(self, region_id: str) -> int:
        now = self.clock()
        return sum(1 for case in self.store.cases(region_id) if rules.is_overdue(case, self.deadlines.days_for, now))


def rules_incomplete(field: str, message: str) -> IncompleteReport:
    """An IncompleteReport about one field."""
    return IncompleteReport({field: [message]})
