"""Contact moments acted on (issue 20.4, R128-R132): a moment held in the future is refused, a signal opens a
task for the school (and, with the student's consent, a desk report), and the reminder step reminds the school's
contact before each planned contact moment and before the mid-point and the end of the internship, and
escalates a missed moment or checkpoint to the school's coordinator (`remind_contacts`, run by reporting's
`contact-reminders` worker under a Redis lease, so it fires once).

Each new reminder or escalation is published as `contact.task_opened` (ids and codes only) before it is stored
(pattern A): the notifier e-mails its addressee, looking the address up itself (the school's contact for the
organisation through `school_contact_for_task`, the coordinator's through intake). A task whose store failed
after its event is published again at the next step; the notifier sends once per task id. Tasks are on the
school's task list (`GET /api/v1/aftercare/tasks`, /pages/aftercare/tasks); a desk referral is filed like any
desk report (pattern A: `desk.report_filed` is published first). Imports the standard library, the shared
envelope, event payload and i18n zone, the domain, the errors, the ports and the desk and aftercare commands.
"""

from __future__ import annotations

import logging
from datetime import date

from stagepool_shared.auth import Principal
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.aftercare import ContactTaskOpened
from stagepool_shared.i18n import LOCAL_ZONE

from ..domain import contact_plan as plan
from ..domain.aftercare import Pok, SchoolContact
from ..domain.aftercare_intro import FollowUpTask
from ..domain.figures import PlacementFact
from ..domain.followup import ContactMoment, ContactStatus, at_place
from ..errors import InvalidInput, NotFound
from ..ports import Deps
from . import desk
from .aftercare import store_of

logger = logging.getLogger(__name__)

SCHOOL_ROLES = ("school_staff", "support_staff")
FOLLOWED_POKS = ("signed", "active")
#: The desk report a signal with the student's consent files (a fixed sentence: no names, no free text).
REFERRAL_TEXT = ("Signaal uit een contactmoment tijdens de stage; met toestemming van de student doorverwezen "
                 "naar het meldpunt. / A signal from a contact moment during the internship, referred to the desk "
                 "with the student's consent.")


def today(deps: Deps) -> date:
    """Today in Dutch time (contact moments are days in Europe/Amsterdam)."""
    return deps.clock().astimezone(LOCAL_ZONE).date()


def checked_moment(deps: Deps, principal: Principal, moment_date: str, kind: str, signal: bool,
                   held: bool | None, desk_referral: bool) -> ContactMoment:
    """The contact moment to record, or InvalidInput: held in the future (`held`), or a desk referral that is
    no held signal of school staff (`desk_referral`). Without `held`, a moment up to today was held and a
    later one is planned."""
    day = date.fromisoformat(moment_date)
    errors = plan.held_errors(day, held, today(deps))
    was_held = held if held is not None else day <= today(deps)
    if desk_referral and not (signal and was_held and principal.role in SCHOOL_ROLES):
        errors["desk_referral"] = ["desk_referral_needs_held_signal"]
    if errors:
        raise InvalidInput(errors)
    return ContactMoment(moment_date, kind, principal.role, signal, was_held)


def act_on_signal(deps: Deps, principal: Principal, period_id: str, placement: PlacementFact,
                  moment: ContactMoment, desk_referral: bool) -> str | None:
    """A signal (R130) opens a task for the school; with the student's consent, school staff refer it to the
    desk as well. Returns the desk report's id, if one was filed."""
    report_id = None
    if desk_referral:
        report = desk.NewReport(REFERRAL_TEXT, moment.date, organisation_id=placement.organisation_id,
                                period_id=period_id, student_ref=placement.student_ref)
        report_id = desk.file_report(deps, principal, report).report_id
    about = plan.Placement(principal.region_id, period_id, placement.school_id,
                           placement.organisation_id or "unknown", placement.student_ref)
    _save(deps, _new(deps, [plan.task(about, plan.SIGNAL, "contact_signal", deps.clock().isoformat(),
                                       f"{moment.date}|{moment.kind}")]))
    return report_id


def remind_contacts(deps: Deps) -> int:
    """Open every reminder, escalation and missed-moment task that is due and not there yet; returns how many."""
    store = deps.aftercare
    if store is None:
        return 0
    day, now, opened = today(deps), deps.clock().isoformat(), 0
    for region_id in sorted({region for region, _ in deps.views.periods()}):
        statuses: dict[str, dict[str, ContactStatus]] = {}
        for pok in store.poks(region_id):
            if pok.status not in FOLLOWED_POKS or not (pok.start_date and pok.end_date):
                continue
            if pok.period_id not in statuses:
                snapshot = deps.views.snapshot(region_id, pok.period_id, {})
                statuses[pok.period_id] = {s.student_ref: s for s in snapshot.contacts}
            status = statuses[pok.period_id].get(pok.student_ref)
            if status is not None:
                new = _new(deps, _due(deps, pok, status, day, now))
                _tell(deps, new)
                opened += _save(deps, new)
    if opened:
        logger.info("contact moments: %d reminder or escalation tasks opened", opened)
    return opened


def _due(deps: Deps, pok: Pok, status: ContactStatus, day: date, now: str) -> list:
    moments = at_place(deps.views.contact_moments(pok.region_id, pok.period_id, pok.student_ref), pok.place_id)
    about = plan.Placement(pok.region_id, pok.period_id, pok.school_id, pok.organisation_id, pok.student_ref)
    return plan.due_tasks(about, status, moments, date.fromisoformat(pok.start_date),
                          date.fromisoformat(pok.end_date), day, now, deps.contact_remind_days)


def _new(deps: Deps, tasks: list[FollowUpTask]) -> list[FollowUpTask]:
    """The tasks the school does not have yet (a task done stays done)."""
    store = store_of(deps)
    return [task for task in tasks
            if not any(t.task_id == task.task_id for t in store.tasks(task.region_id, task.school_id))]


def _save(deps: Deps, tasks: list[FollowUpTask]) -> int:
    for task in tasks:
        store_of(deps).save_task(task)
    return len(tasks)


def _tell(deps: Deps, tasks: list[FollowUpTask]) -> None:
    """Publish `contact.task_opened` for each reminder and escalation, so the notifier tells its addressee."""
    envelopes = [new_envelope("contact.task_opened", ContactTaskOpened(
        t.region_id, t.period_id, t.student_ref, t.school_id, t.organisation_id, task_id=t.task_id, kind=t.kind,
        reason_code=t.reason_code, addressee=plan.addressee(t.kind)), producer="reporting", partition_key=t.region_id)
        for t in tasks]
    if envelopes:
        deps.publisher.publish_all(envelopes)


def school_contact_for_task(deps: Deps, region_id: str, school_id: str, task_id: str) -> SchoolContact:
    """The school's contact for the organisation of a reminder (the address the notifier e-mails, asked per
    message and never kept there); NotFound for an unknown task, a task of another kind, or no contact named."""
    store = store_of(deps)
    for task in store.tasks(region_id, school_id):
        if task.task_id == task_id and plan.addressee(task.kind) == plan.CONTACT:
            contact = store.school_contact(region_id, school_id, task.organisation_id)
            if contact is not None:
                return contact
    raise NotFound(task_id)
