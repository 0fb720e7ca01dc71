"""The notifier's rules: who gets which message, the embargo, retries and reminders.

Pure functions over domain objects; imports only the standard library and domain.model.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from .model import (CHANNELS, ORGANISATION, REMINDER, SCHOOL, STUDENT, DeliveryId, RoundInfo, RoundPlan,
                    StudentOutcome)

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


def is_valid_email(address: str | None) -> bool:
    """True for a plausible single e-mail address (no spaces, no header injection, a dotted domain)."""
    return bool(address) and len(address) <= 254 and _EMAIL.match(address) is not None  # type: ignore[arg-type]


def is_released(round_info: RoundInfo, now: datetime) -> bool:
    """The embargo: nothing of a round is visible or sent before its release moment."""
    return now >= round_info.released_at


def deliveries_for(round_id: str, kind: str, ref: str) -> list[DeliveryId]:
    """One delivery per channel of this kind of recipient."""
    return [DeliveryId(round_id, kind, ref, channel) for channel in CHANNELS[kind]]


def plan_round(round_info: RoundInfo, outcomes: list[StudentOutcome]) -> RoundPlan:
    """Every student, every school with students in the round and every organisation that receives
    students gets its message; placed students are awaited for an answer (accept or refuse)."""
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
    awaiting = [o.student_ref for o in outcomes if o.status == "placed" and o.place_id]
    return RoundPlan(round=round_info, outcomes=outcomes, deliveries=deliveries, awaiting=awaiting)


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

