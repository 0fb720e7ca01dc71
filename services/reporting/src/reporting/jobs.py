"""Reporting's background steps: retention (R155; issue 20.7), run by the `retention` worker of
`Wiring.workers()`, and the contact-moment reminders (issue 20.4; `remind_contacts`, commands/contact_signals.py)
with the announcements of opened end evaluations (issue 20.5; `announce_open_evaluations`,
commands/evaluations.py), run by the `contact-reminders` worker under the Redis lease REMINDER_LEASE.

`apply_retention(deps)` anonymises what is past its region's period (domain/retention.py):
- a closed desk case: the sealed content (text, incident date, reporter, notes) is replaced by an empty one,
  the school and the per-day dates are dropped; the case id, organisation, category, phase and month stay
  for the figures; its SBB file keeps codes and months only (SBB's reference and the measures' texts go);
- the follow-up data of a POK past its clock (domain/retention.py `pok_closed_at`: an ended or ended-early POK,
  a failed placement's included, from its end; one that never ended from the later of its end date and its last
  change), and of a kennismaking without a POK (a rejection, or no accept followed) from its last change: the
  POK, the student's wish, placement, contact moments, exception and evaluations of the period move to a fresh
  random reference (no hash of the pseudonym, so nothing links back), coarsened (no place, no round, no moment
  of the placement); the POK's people, earlier POKs of the period, the kennismaking, the student's round
  outcomes and the offer lines of the period are deleted, and the school's tasks name the random reference.

Each record is handled once (an anonymised record is not due again), so running the step on two instances at
the same time does no harm. Imports the domain and the ports.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from .commands.contact_signals import remind_contacts
from .commands.evaluations import announce_open_evaluations
from .domain.desk import ReportContent, StatusStep
from .domain.sbb import for_retention
from .domain.retention import CLOSED_DESK_STATUSES, anonymous_ref, intro_closed_at, pok_closed_at
from .ports import Deps

logger = logging.getLogger(__name__)

RETENTION_IDLE_S = 3600.0
#: Contact-moment reminders (issue 20.4): looked at every quarter of an hour, by the holder of this lease.
REMINDER_IDLE_S = 900.0
REMINDER_LEASE = "lease:contact-reminders"  # under the key prefix: reporting:lease:contact-reminders


def aftercare_reminders(deps: Deps) -> int:
    """The contact-reminders worker's step: the contact-moment reminders and escalations (issue 20.4), and the
    end evaluations that opened, announced for the notifier's invitations (issue 20.5); returns how many."""
    return remind_contacts(deps) + announce_open_evaluations(deps)


def apply_retention(deps: Deps) -> int:
    """Anonymise every closed desk case and every POK's or lone kennismaking's follow-up past its period; returns
    how many."""
    return _desk_cases(deps) + _followup(deps)


def _desk_cases(deps: Deps) -> int:
    now, done = deps.clock(), 0
    for region_id in deps.desk_store.regions():
        for case in deps.desk_store.cases(region_id):
            if case.anonymised or case.status not in CLOSED_DESK_STATUSES:
                continue
            if not deps.retention.due(region_id, case.entered_at, now):
                continue
            history = tuple(StatusStep(step.status, _month(step.at)) for step in case.history)
            sbb_file = for_retention(case.sbb) if case.sbb else None  # codes and months only (issue 20.6)
            deps.desk_store.save(replace(case, school_id=None, filed_at=_month(case.filed_at), history=history,
                                         anonymised=True, sbb=sbb_file),
                                 ReportContent(description="", incident_date="", student_ref=None, filed_by=None))
            done += 1
    if done:
        logger.info("retention: %d closed desk cases anonymised", done)
    return done


def _followup(deps: Deps) -> int:
    store, now, done = deps.aftercare, deps.clock(), 0
    if store is None:
        return 0
    for region_id in _regions(deps):
        for pok in store.poks(region_id):
            if not pok.student_ref.startswith("anon-") and deps.retention.due(region_id, pok_closed_at(pok), now):
                done += _anonymise(deps, region_id, pok.period_id, pok.student_ref)
        for intro in store.introductions(region_id):  # a kennismaking whose placement never got a POK
            if store.pok(region_id, intro.period_id, intro.student_ref) is None and \
                    deps.retention.due(region_id, intro_closed_at(intro), now):
                done += _anonymise(deps, region_id, intro.period_id, intro.student_ref)
    if done:
        logger.info("retention: follow-up of %d placements anonymised", done)
    return done


def _anonymise(deps: Deps, region_id: str, period_id: str, student_ref: str) -> int:
    anon = anonymous_ref()
    deps.views.anonymise_followup(region_id, period_id, student_ref, anon)
    if deps.planning is not None:  # the period's variant-2 offer names the student's candidate places
        deps.planning.drop_lines(f"retention:{anon}", region_id, "offer", f"{student_ref}|{period_id}")
    assert deps.aftercare is not None
    deps.aftercare.anonymise_student(region_id, period_id, student_ref, anon)
    return 1


def _month(moment: str) -> str:
    """Only the month of a moment is kept: its first day, midnight UTC."""
    return moment[:7] + "-01T00:00:00+00:00"


def _regions(deps: Deps) -> list[str]:
    return sorted({region for region, _ in deps.views.periods()} | set(deps.desk_store.regions()))
