"""The desk's SBB use cases (issue 20.6): forward a case to SBB and export what is sent, record SBB's answer and
the measures taken, and list what is overdue. Desk staff of the case's region only; everyone else is audited and
told NotFound, as for every desk command (commands/desk.py).

Forwarding is a status change (`desk.change_status` to forwarded_to_sbb: pattern A, publish, then store). SBB's
answer and the measures publish nothing: they are validated first (InvalidInput names each field, and nothing is
stored), then stored with the case in one write, the measure's text sealed with the case's content. Every step
is in the case's SBB file and in the audit log. Imports the domain, the errors, the ports and the desk commands.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from stagepool_shared.auth import Principal

from ..domain import desk as rules
from ..domain import sbb
from ..errors import InvalidInput, NotFound
from ..ports import Deps
from .contact_signals import today
from .desk import CaseView, _guard, _own_case, _view, change_status


def forward_to_sbb(deps: Deps, principal: Principal | None, report_id: str) -> CaseView:
    """Move the case to forwarded_to_sbb (from in_progress; InvalidTransition otherwise); the case's SBB file
    starts with the export version in use."""
    return change_status(deps, principal, report_id, "forwarded_to_sbb", None)


def sbb_export(deps: Deps, principal: Principal | None, report_id: str) -> dict:
    """The document sent to SBB about a forwarded case (audited); InvalidInput when it was not forwarded."""
    staff, case = _own_case(deps, principal, "sbb_export", report_id)
    if case.sbb is None:
        raise InvalidInput({"report_id": ["sbb_not_forwarded"]})
    content = deps.desk_store.content(report_id)
    name = deps.views.organisation_names(case.region_id).get(case.organisation_id or "")
    deps.audit.append(staff.user_id, staff.role, "sbb_export", report_id, "ok")
    return sbb.export_document(case, case.sbb, content.incident_date if content else "", name)


def record_sbb_answer(deps: Deps, principal: Principal | None, report_id: str, answered_on: date,
                      reference: str, outcome: str) -> CaseView:
    """Record SBB's answer: the day, SBB's reference and an outcome code of `sbb.OUTCOMES`."""
    staff, case = _own_case(deps, principal, "sbb_answer", report_id)
    problems = sbb.check_answer(case.sbb, answered_on, today(deps))
    if problems:
        raise InvalidInput(problems)
    file = sbb.record_answer(case.sbb, answered_on, reference, outcome, rules.iso(deps.clock()))
    return _store(deps, staff, replace(case, sbb=file), None, "sbb_answer", outcome)


def add_sbb_measure(deps: Deps, principal: Principal | None, report_id: str, description: str, owner_role: str,
                    deadline: date, status: str = "open") -> tuple[CaseView, str]:
    """Record a measure taken (its text sealed); returns the case and the measure's id."""
    staff, case = _own_case(deps, principal, "sbb_measure", report_id)
    problems = sbb.check_measure(case.sbb, description, deadline, today(deps))
    if problems:
        raise InvalidInput(problems)
    file, measure_id = sbb.add_measure(case.sbb, owner_role, deadline, status, rules.iso(deps.clock()))
    content = deps.desk_store.content(report_id)
    content = replace(content, measures=content.measures + ((measure_id, description.strip()),))
    return _store(deps, staff, replace(case, sbb=file), content, "sbb_measure", measure_id), measure_id


def update_sbb_measure(deps: Deps, principal: Principal | None, report_id: str, measure_id: str,
                       status: str) -> CaseView:
    """Set a measure's status; NotFound (audited) for a measure the case does not have."""
    staff, case = _own_case(deps, principal, "sbb_measure_status", report_id)
    file = sbb.update_measure(case.sbb, measure_id, status, rules.iso(deps.clock())) if case.sbb else None
    if file is None:
        deps.audit.append(staff.user_id, staff.role, "sbb_measure_status", report_id, "not_found")
        raise NotFound(measure_id)
    return _store(deps, staff, replace(case, sbb=file), None, "sbb_measure_status", f"{measure_id} {status}")


def sbb_overdue(deps: Deps, principal: Principal | None) -> list[sbb.Overdue]:
    """The region's overdue SBB answers and measures, the most overdue first (audited as one list read)."""
    staff = _guard(deps, principal, "sbb_overdue", "*")
    deps.audit.append(staff.user_id, staff.role, "sbb_overdue", "*", "ok")
    return _overdue(deps, staff.region_id)


def count_sbb_overdue(deps: Deps, region_id: str) -> dict[str, int]:
    """How many SBB answers and measures of the region are overdue (for the metrics)."""
    return sbb.count_overdue(_overdue(deps, region_id))


def _overdue(deps: Deps, region_id: str) -> list[sbb.Overdue]:
    return sbb.overdue_items(deps.desk_store.cases(region_id), deps.deadlines.sbb_answer_days, deps.clock())


def _store(deps: Deps, staff: Principal, case: rules.CaseMeta, content: rules.ReportContent | None, action: str,
           outcome: str) -> CaseView:
    """Store the case (and its content, when given) in one write and audit the step."""
    deps.desk_store.save(case, content)
    deps.audit.append(staff.user_id, staff.role, action, case.report_id, outcome)
    return _view(deps, case)
