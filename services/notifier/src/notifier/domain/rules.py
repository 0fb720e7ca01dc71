"""The notifier's rules: who gets which message, the embargo, retries and reminders.

Pure functions over domain objects; imports only the standard library and domain.model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from .model import (CHANNELS, ORGANISATION, OVERDUE, REMINDER, SCHOOL, STUDENT, WITHDRAWN, WITHDRAWN_REGION,
                    WITHDRAWN_SCHOOL, DeliveryId, Response, RoundInfo, RoundPlan, StudentOutcome)

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


def is_valid_email(address: str | None) -> bool:
    """True for a plausible single e-mail address (no spaces, no header injection, a dotted domain)."""
    return bool(address) and len(address) <= 254 and _EMAIL.match(address) is not None  # type: ignore[arg-type]


def is_released(round_info: RoundInfo, now: datetime) -> bool:
    """The embargo: nothing of a round is visible or sent before its release moment."""
    return now >= round_info.released_at


def current_rounds(rounds: list[RoundInfo], now: datetime) -> dict[str, RoundInfo]:
    """Per period, the round that holds a student's current outcome: the latest released one (by release
    moment, then round id); a later released round supersedes the earlier ones, which become history."""
    current: dict[str, RoundInfo] = {}
    for info in rounds:
        if not is_released(info, now):
            continue
        best = current.get(info.period_id)
        if best is None or (info.released_at, info.round_id) > (best.released_at, best.round_id):
            current[info.period_id] = info
    return current


def deliveries_for(round_id: str, kind: str, ref: str) -> list[DeliveryId]:
    """One delivery per channel of this kind of recipient."""
    return [DeliveryId(round_id, kind, ref, channel) for channel in CHANNELS[kind]]


def plan_round(round_info: RoundInfo, outcomes: list[StudentOutcome]) -> RoundPlan:
    """Every student, every school with students in the round and every organisation that receives
    students gets its message; placed and kept students are awaited for an answer (accept or refuse; the jobs
skip one answered in an earlier round that the kept placement carries)."""
    deliveries: list[DeliveryId] = []
    schools: dict[str, None] = {}
    organisations: dict[str, None] = {}
    for outcome in outcomes:
        deliveries += deliveries_for(round_info.round_id, STUDENT, outcome.student_ref)
        schools.setdefault(outcome.school_id)
        if outcome.is_placed and outcome.organisation_id:
            organisations.setdefault(outcome.organisation_id)
    for school_id in schools:
        deliveries += deliveries_for(round_info.round_id, SCHOOL, school_id)
    for organisation_id in organisations:
        deliveries += deliveries_for(round_info.round_id, ORGANISATION, organisation_id)
    awaiting = [o.student_ref for o in outcomes if o.is_placed]  # kept too: answered in an earlier round or not
    return RoundPlan(round=round_info, outcomes=outcomes, deliveries=deliveries, awaiting=awaiting)


def withdrawal_deliveries(round_id: str, student_ref: str) -> list[DeliveryId]:
    """A place withdrawn after release: the student, the school and the region's coordinators are told."""
    kinds = (WITHDRAWN, WITHDRAWN_SCHOOL, WITHDRAWN_REGION)
    return [d for kind in kinds for d in deliveries_for(round_id, kind, student_ref)]


def told_of_withdrawal(info: RoundInfo, outcome: StudentOutcome, response: Response | None, current: bool,
                       now: datetime) -> bool:
    """Whose withdrawn place is news: a released, current placement the student did not refuse."""
    refused = response is not None and response.kind == "refused"
    return is_released(info, now) and current and outcome.is_placed and not refused


def overdue_deliveries(round_id: str, student_ref: str) -> list[DeliveryId]:
    return deliveries_for(round_id, OVERDUE, student_ref)


def overdue_notice_due(info: RoundInfo, now: datetime, still_open: bool) -> bool:
    """The deadline rule: a placement still open (unanswered, current, neither excluded nor withdrawn) after
    `respond_by` is reported to the school, once; it is never dropped silently."""
    return still_open and now > info.respond_by


def reminder_deliveries(round_id: str, student_ref: str) -> list[DeliveryId]:
    return deliveries_for(round_id, REMINDER, student_ref)


def reminder_due_at(round_info: RoundInfo, lead: timedelta) -> datetime:
    """When a student who has not answered is reminded: `lead` before the deadline, never before release."""
    return max(round_info.respond_by - lead, round_info.released_at)


def reminder_still_useful(round_info: RoundInfo, now: datetime, answered: bool) -> bool:
    """Remind only students who have not answered while the deadline has not passed."""
    return not answered and now < round_info.respond_by


@dataclass(frozen=True)
class RetryPolicy:
    """Bounded retries with exponential backoff; after `max_attempts` a person must act."""

    max_attempts: int = 5
    base_s: float = 2.0
    cap_s: float = 300.0

    def gives_up(self, attempts: int) -> bool:
        return attempts >= self.max_attempts

    def delay_after(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th failed attempt."""
        return min(self.cap_s, self.base_s * (2 ** max(0, attempts - 1)))


def release_spread(first_sent: float | None, last_sent: float | None) -> float:
    """Seconds between the first and the last message of a round (0 when fewer than two went out)."""
    if first_sent is None or last_sent is None:
        return 0.0
    return max(0.0, last_sent - first_sent)

