"""Retention (R155; issue 20.7): how long reporting keeps what, and when a closed record is due for
anonymisation. The region sets its own period (REPORTING_RETENTION_BY_REGION), else the default
(REPORTING_RETENTION_DAYS). docs/aftercare.md holds the written table; `RETENTION_TABLE` is the same table as
data, and a test keeps the two in step. What an anonymised record keeps is coarsened here: no place, no round,
no moment finer than the day, so nothing joins it back to the student's pseudonym (issue 20.7). Imports the
standard library and the other domain modules.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .aftercare import ENDED, Pok
from .aftercare_intro import FollowUpTask, Introduction
from .figures import PlacementFact, WishFact
from .followup import ContactMoment, at_place

#: (what, where, kept until, then) — the rows of the written retention table.
RETENTION_TABLE: tuple[tuple[str, str, str, str], ...] = (
    ("closed desk cases", "reporting", "closed + the region's period", "anonymised"),
    ("follow-up data (POK, kennismaking, tasks, contact moments, evaluations, the period's wish, placement and "
     "round outcome)", "reporting", "POK ended or ended early (a failed placement ends it) + the region's period",
     "anonymised"),
    ("a POK that never ended (draft, sent, signed, active)", "reporting",
     "the later of its end date and its last change + the region's period", "anonymised"),
    ("a kennismaking without a POK (rejected, or never followed by an accept) and its tasks", "reporting",
     "its last change + the region's period", "anonymised"),
    ("notifier delivery data (deliveries, inbox, answers)", "notifier", "release + NOTIFIER_RETENTION_DAYS",
     "deleted"),
    ("student links", "shared web layer", "the link's validity (LINK_TTL_S)", "expired by Redis"),
)
CLOSED_DESK_STATUSES = ("closed",)


@dataclass(frozen=True)
class RetentionPolicy:
    """The default period and each region's own, in days."""

    default_days: int = 365
    by_region: tuple[tuple[str, int], ...] = ()

    def days_for(self, region_id: str) -> int:
        return dict(self.by_region).get(region_id, self.default_days)

    def due(self, region_id: str, closed_at: str | None, now: datetime) -> bool:
        """Whether a record closed at `closed_at` (ISO) is past the region's period at `now`."""
        if not closed_at:
            return False
        closed = datetime.fromisoformat(closed_at.replace("Z", "+00:00"))
        return now - closed >= timedelta(days=self.days_for(region_id))


def pok_closed_at(pok: Pok) -> str:
    """When a POK's follow-up closed: an ended one when it ended (a failed placement ends it early); one that never
    ended at the later of its end date and its last change, so nothing is kept for ever."""
    changed = pok.updated_at or pok.created_at
    if pok.status in ENDED or not pok.end_date:
        return changed
    return max(changed, f"{pok.end_date}T00:00:00+00:00", key=_parsed)


def intro_closed_at(intro: Introduction) -> str:
    """When a kennismaking without a POK closed: its last change (the rejection), else its moment."""
    return intro.updated_at or intro.moment


def _parsed(moment: str) -> datetime:
    return datetime.fromisoformat(moment.replace("Z", "+00:00"))


def _day(moment: str | None) -> str | None:
    return moment[:10] + "T00:00:00+00:00" if moment else None


def anonymous_pok(pok: Pok, anon_ref: str) -> Pok:
    """A POK under the random reference: no place, no round, the creation cut to the month and the last change to
    the day (the day an early end came decides whether the placement started)."""
    return replace(pok, pok_id="pok-" + anon_ref, student_ref=anon_ref, place_id="", round_id="",
                   created_at=pok.created_at[:7] + "-01T00:00:00+00:00", updated_at=_day(pok.updated_at))


def anonymous_wish(wish: WishFact, anon_ref: str) -> WishFact:
    """The period's wish under the random reference, without its submission time (it leaves the time-to-place)."""
    return replace(wish, student_ref=anon_ref, submitted_at=None)


def anonymous_placement(fact: PlacementFact, anon_ref: str) -> PlacementFact:
    """The period's outcome under the random reference: school, organisation and codes; no place, round or time."""
    return replace(fact, student_ref=anon_ref, place_id=None, round_id=None, released_at=None)


def anonymous_moments(moments: list[ContactMoment], place_id: str | None) -> list[ContactMoment]:
    """The contact moments of the last placement, without its place."""
    return [replace(m, place_id="") for m in at_place(moments, place_id)]


def anonymous_ref() -> str:
    """A fresh random reference that replaces a pseudonym: nothing maps it back (no hash of the old one)."""
    return "anon-" + secrets.token_hex(12)


def anonymous_tasks(tasks: list[FollowUpTask], anon_ref: str) -> list[FollowUpTask]:
    """A student's follow-up tasks under the random reference, with new ids: a task's own id is a hash of the
    pseudonym (`task_for`), so anyone who knows the pseudonym could find it again."""
    return [replace(task, task_id=f"tsk-{anon_ref}-{n}", student_ref=anon_ref)
            for n, task in enumerate(sorted(tasks, key=lambda t: (t.created_at, t.task_id)), start=1)]
