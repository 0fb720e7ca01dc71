"""Placement events: a student accepts or refuses a released placement, a placement fails (not suitable,
rejected after the introduction talk), or a re-placement is requested (after a refusal, a failure or a
desk report). Reasons are codes; no free text travels. Imports events.base and events.rules only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import topics
from .base import payload_schema, spec
from .rules import choice, flag, ident, listing

REFUSAL_REASONS = ("travel", "content", "own_place_found", "schedule", "allowance", "safety", "other")
FAILURE_REASONS = ("not_suitable", "rejected_after_introduction", "organisation_withdrew", "safety", "other")
FLAGGED_BY = ("organisation", "student", "school")
REPLACEMENT_CAUSES = ("refusal", "failed", "desk_report")


@dataclass(frozen=True)
class PlacementRef:
    """Which placement an event is about."""

    round_id: str = ident()
    region_id: str = ident()
    student_ref: str = ident()
    school_id: str = ident()
    place_id: str = ident()
    organisation_id: str = ident()


@dataclass(frozen=True)
class PlacementAccepted(PlacementRef):
    """The student accepted the placement."""


PlacementAcceptedSchema = payload_schema(PlacementAccepted)


@dataclass(frozen=True)
class PlacementRefused(PlacementRef):
    """The student refused the placement; the place is never offered to this student again."""

    reason_code: str = choice(REFUSAL_REASONS, default="other")


PlacementRefusedSchema = payload_schema(PlacementRefused, required=("reason_code",))


@dataclass(frozen=True)
class PlacementFailed(PlacementRef):
    """The match did not work out; a rejection after the introduction talk is recorded as such."""

    reason_code: str = choice(FAILURE_REASONS, default="not_suitable")
    flagged_by: str = choice(FLAGGED_BY, default="organisation")
    after_introduction: bool = flag(False)


PlacementFailedSchema = payload_schema(PlacementFailed, required=("reason_code", "flagged_by"))


@dataclass(frozen=True)
class ReplacementRequested:
    """A student needs another place, never again at the excluded organisations or places."""

    request_id: str = ident()
    region_id: str = ident()
    period_id: str = ident()
    student_ref: str = ident()
    school_id: str = ident()
    cause: str = choice(REPLACEMENT_CAUSES)
    exclude_organisation_ids: list[str] = listing(ident(), size=(None, None), default=list)
    exclude_place_ids: list[str] = listing(ident(), size=(None, None), default=list)


ReplacementRequestedSchema = payload_schema(ReplacementRequested)


SPECS = (
    spec("placement.accepted", topics.PLACEMENTS, PlacementAcceptedSchema),
    spec("placement.refused", topics.PLACEMENTS, PlacementRefusedSchema),
    spec("placement.failed", topics.PLACEMENTS, PlacementFailedSchema),
    spec("placement.replacement_requested", topics.PLACEMENTS, ReplacementRequestedSchema),
)
