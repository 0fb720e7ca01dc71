"""Placement events: a student accepts or refuses a released placement, a placement fails (not suitable,
rejected after the introduction talk), or a re-placement is requested (after a refusal, a failure or a
desk report). Reasons are codes; no free text travels. Imports marshmallow and events.base only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import fields, validate

from .. import topics
from .base import PayloadSchema, id_field, spec

REFUSAL_REASONS = ("travel", "content", "own_place_found", "schedule", "allowance", "safety", "other")
FAILURE_REASONS = ("not_suitable", "rejected_after_introduction", "organisation_withdrew", "safety", "other")
FLAGGED_BY = ("organisation", "student", "school")
REPLACEMENT_CAUSES = ("refusal", "failed", "desk_report")


@dataclass(frozen=True)
class PlacementRef:
    """Which placement an event is about."""

    round_id: str
    region_id: str
    student_ref: str
    school_id: str
    place_id: str
    organisation_id: str


class PlacementRefSchema(PayloadSchema):
    round_id = id_field()
    region_id = id_field()
    student_ref = id_field()
    school_id = id_field()
    place_id = id_field()
    organisation_id = id_field()


@dataclass(frozen=True)
class PlacementAccepted(PlacementRef):
    """The student accepted the placement."""


class PlacementAcceptedSchema(PlacementRefSchema):
    payload_class = PlacementAccepted


@dataclass(frozen=True)
class PlacementRefused(PlacementRef):
    """The student refused the placement; the place is never offered to this student again."""

    reason_code: str = "other"


class PlacementRefusedSchema(PlacementRefSchema):
    payload_class = PlacementRefused
    reason_code = fields.String(required=True, validate=validate.OneOf(REFUSAL_REASONS))


@dataclass(frozen=True)
class PlacementFailed(PlacementRef):
    """The match did not work out; a rejection after the introduction talk is recorded as such."""

    reason_code: str = "not_suitable"
    flagged_by: str = "organisation"
    after_introduction: bool = False


class PlacementFailedSchema(PlacementRefSchema):
    payload_class = PlacementFailed
    reason_code = fields.String(required=True, validate=validate.OneOf(FAILURE_REASONS))
    flagged_by = fields.String(required=True, validate=validate.OneOf(FLAGGED_BY))
    after_introduction = fields.Boolean(load_default=False)


@dataclass(frozen=True)
class ReplacementRequested:
    """A student needs another place, never again at the excluded organisations or places."""

    request_id: str
    region_id: str
    period_id: str
    student_ref: str
    school_id: str
    cause: str
    exclude_organisation_ids: list[str] = field(default_factory=list)
    exclude_place_ids: list[str] = field(default_factory=list)


class ReplacementRequestedSchema(PayloadSchema):
    payload_class = ReplacementRequested
    request_id = id_field()
    region_id = id_field()
    period_id = id_field()
    student_ref = id_field()
    school_id = id_field()
    cause = fields.String(required=True, validate=validate.OneOf(REPLACEMENT_CAUSES))
    exclude_organisation_ids = fields.List(id_field(), load_default=list)
    exclude_place_ids = fields.List(id_field(), load_default=list)


SPECS = (
    spec("placement.accepted", topics.PLACEMENTS, PlacementAcceptedSchema),
    spec("placement.refused", topics.PLACEMENTS, PlacementRefusedSchema),
    spec("placement.failed", topics.PLACEMENTS, PlacementFailedSchema),
    spec("placement.replacement_requested", topics.PLACEMENTS, ReplacementRequestedSchema),
)
