"""Aftercare events (issue 20): a placement agreement (POK) changed status, and an organisation rejected a
student after the kennismakingsgesprek (R106; the marker the re-placement fast track reads). Ids and codes
only: no names, no free text. They travel on the placements topic, keyed by region. Imports marshmallow and
events.base only.
"""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import fields, validate

from .. import topics
from .base import PayloadSchema, id_field, spec

AGREEMENT_STATUSES = ("sent", "signed", "active", "ended", "ended_early")
AGREEMENT_END_REASONS = ("mismatch", "organisation_withdrew", "unsafe_or_discrimination", "student_behaviour",
                         "student_withdrew", "other")
#: R106: the five reasons of the company survey; "attitude" and "team_fit" are subjective (excluded by R37).
INTRODUCTION_REJECTION_REASONS = ("no_place_available", "wishes_mismatch", "competences_mismatch", "attitude",
                                  "team_fit")
SUBJECTIVE_REASONS = ("attitude", "team_fit")


@dataclass(frozen=True)
class AgreementStatusChanged:
    """A POK moved to another status (the draft itself is not announced)."""

    agreement_id: str
    region_id: str
    period_id: str
    student_ref: str
    school_id: str
    organisation_id: str
    status: str
    end_reason: str | None = None


class AgreementStatusChangedSchema(PayloadSchema):
    payload_class = AgreementStatusChanged
    agreement_id = id_field()
    region_id = id_field()
    period_id = id_field()
    student_ref = id_field()
    school_id = id_field()
    organisation_id = id_field()
    status = fields.String(required=True, validate=validate.OneOf(AGREEMENT_STATUSES))
    end_reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(AGREEMENT_END_REASONS))


@dataclass(frozen=True)
class IntroductionRejected:
    """The organisation rejected the student after the kennismaking: the student is to be re-placed."""

    region_id: str
    period_id: str
    student_ref: str
    school_id: str
    organisation_id: str
    place_id: str
    reason_code: str
    subjective: bool = False
    accompanied: bool = False


class IntroductionRejectedSchema(PayloadSchema):
    payload_class = IntroductionRejected
    region_id = id_field()
    period_id = id_field()
    student_ref = id_field()
    school_id = id_field()
    organisation_id = id_field()
    place_id = id_field()
    reason_code = fields.String(required=True, validate=validate.OneOf(INTRODUCTION_REJECTION_REASONS))
    subjective = fields.Boolean(load_default=False)
    accompanied = fields.Boolean(load_default=False)


SPECS = (
    spec("agreement.status_changed", topics.PLACEMENTS, AgreementStatusChangedSchema),
    spec("introduction.rejected", topics.PLACEMENTS, IntroductionRejectedSchema),
)
