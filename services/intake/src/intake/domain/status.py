"""What a school sees of a student after release (issue 14.8): the current outcome of each period (placed where,
or why not), the student's answer (accepted, or refused with its reason; or "not suitable" flagged later) and
the follow-up (a new place is being sought). Pure rules over codes and ids: no names, no personal data.

The current outcome of a period is that of the latest released round holding the student; an answer counts for
the round it was given in, and for a later round that kept the same place. Imports the standard library only.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

HOLDING = ("placed", "kept")

#: Period keys starting with this hold an answer that arrived before its round's release. The rounds and the
#: placements topics are read side by side, so a consumer catching up can see a student's answer first.
PENDING = "~"


@dataclass(frozen=True)
class PlacementStatus:
    """One student's current outcome in one period, as the school sees it (codes and ids only)."""

    period_id: str
    round_id: str
    released_at: str
    respond_by: str
    status: str  # placed | kept | unplaced (the round's outcome)
    place_id: str | None = None
    organisation_id: str | None = None
    reason_code: str | None = None  # why not placed (the matcher's code)
    answer: str | None = None  # accepted | refused | failed
    answer_reason: str | None = None  # the refusal's or failure's reason code
    follow_up: str | None = None  # replacement_requested (a new place is being sought)

    @property
    def is_placed(self) -> bool:
        return self.status in HOLDING and self.place_id is not None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "PlacementStatus":
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


def released(current: PlacementStatus | None, new: PlacementStatus) -> PlacementStatus:
    """The period's status after a released round: the later round wins (a redelivered or older round changes
    nothing); a round that keeps the student at the same place keeps the answer given to it."""
    if current is not None and (current.released_at, current.round_id) >= (new.released_at, new.round_id):
        return current
    if current is not None and new.is_placed and current.place_id == new.place_id and current.answer:
        return replace(new, answer=current.answer, answer_reason=current.answer_reason)
    return new


def answered(current: PlacementStatus, round_id: str, place_id: str, answer: str,
             reason: str | None) -> PlacementStatus:
    """The status after the student's answer (or a failure flag) to the placement of `round_id` at `place_id`;
    an answer to a placement that is no longer current changes nothing."""
    if current.place_id != place_id or (current.round_id != round_id and current.status != "kept"):
        return current
    return replace(current, answer=answer, answer_reason=reason)


def is_pending(period_key: str) -> bool:
    return period_key.startswith(PENDING)


def pending_answer(round_id: str, place_id: str, answer: str, reason: str | None) -> PlacementStatus:
    """An answer kept until the release of `round_id` arrives (stored under the period key `~<round_id>`)."""
    return PlacementStatus(PENDING + round_id, round_id, "", "", "answer_pending", place_id, answer=answer,
                           answer_reason=reason)


def with_pending_answer(new: PlacementStatus, periods: dict[str, PlacementStatus]) -> PlacementStatus:
    """A released status with the answer that arrived before it (same round and place), if any."""
    early = periods.get(PENDING + new.round_id)
    if early is None or early.place_id != new.place_id or not new.is_placed:
        return new
    return replace(new, answer=early.answer, answer_reason=early.answer_reason)


def answer_changes(periods: dict[str, PlacementStatus], round_id: str, place_id: str, answer: str,
                   reason: str | None) -> dict[str, PlacementStatus]:
    """The student's statuses after an answer: applied where its placement is current, kept pending when its
    round's release has not been seen yet."""
    known = any(not is_pending(key) and (s.round_id == round_id or s.status == "kept") for key, s in periods.items())
    if not known:
        return {PENDING + round_id: pending_answer(round_id, place_id, answer, reason)}
    return {key: answered(s, round_id, place_id, answer, reason) for key, s in periods.items() if not is_pending(key)}


def replacement_requested(current: PlacementStatus) -> PlacementStatus:
    """A new place is being sought for the student in this period (after a refusal, a failure or a report)."""
    return replace(current, follow_up="replacement_requested")
