"""Retention (R155; issue 20.7): how long reporting keeps what, and when a closed record is due for
anonymisation. The region sets its own period (REPORTING_RETENTION_BY_REGION), else the default
(REPORTING_RETENTION_DAYS). docs/aftercare.md holds the written table; `RETENTION_TABLE` is the same table as
data, and a test keeps the two in step. Imports the standard library and the aftercare domain.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from .aftercare_intro import FollowUpTask

#: (what, where, kept until, then) — the rows of the written retention table.
RETENTION_TABLE: tuple[tuple[str, str, str, str], ...] = (
    ("closed desk cases", "reporting", "closed + the region's period", "anonymised"),
    ("follow-up data (POK, kennismaking, tasks, contact moments, evaluations)", "reporting",
     "POK ended + the region's period", "anonymised"),
    ("notifier delivery data (deliveries, inbox, answers)", "notifier", "release + NOTIFIER_RETENTION_DAYS",
     "deleted"),
    ("student links", "shared web layer", "the link's validity (LINK_TTL_S)", "expired by Redis"),
)
CLOSED_DESK_STATUSES = ("closed",)
ENDED_POK_STATUSES = ("ended", "ended_early")


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


def anonymous_ref() -> str:
    """A fresh random reference that replaces a pseudonym: nothing maps it back (no hash of the old one)."""
    return "anon-" + secrets.token_hex(12)


def anonymous_tasks(tasks: list[FollowUpTask], anon_ref: str) -> list[FollowUpTask]:
    """A student's follow-up tasks under the random reference, with new ids: a task's own id is a hash of the
    pseudonym (`task_for`), so anyone who knows the pseudonym could find it again."""
    return [replace(task, task_id=f"tsk-{anon_ref}-{n}", student_ref=anon_ref)
            for n, task in enumerate(sorted(tasks, key=lambda t: (t.created_at, t.task_id)), start=1)]
