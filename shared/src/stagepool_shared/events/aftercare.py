"""Aftercare events (issue 20): a placement agreement (POK) changed status, and an organisation rejected a
student after the kennismakingsgesprek (R106; the marker the re-placement fast track reads). Ids and codes
only: no names, no free text. They travel on the placements topic, keyed by region. Each field carries its
rule (events.rules); the schemas are derived from them. Imports events.base and events.rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import topics
from .base import payload_schema, spec
from .rules import choice, flag, ident

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

    agreement_id: str = ident()
    region_id: str = ident()
    period_id: str = ident()
    student_ref: str = ident()
    school_id: str = ident()
    organisation_id: str = ident()
    status: str = choice(AGREEMENT_STATUSES)
    end_reason: str | None = choice(AGREEMENT_END_REASONS, default=None)


@dataclass(frozen=True)
class IntroductionRejected:
    """The organisation rejected the student after the kennismaking: the student is to be re-placed."""

    region_id: str = ident()
    period_id: str = ident()
    student_ref: str = ident()
    school_id: str = ident()
    organisation_id: str = ident()
    place_id: str = ident()
    reason_code: str = choice(INTRODUCTION_REJECTION_REASONS)
    subjective: bool = flag()
    accompanied: bool = flag()


AgreementStatusChangedSchema = payload_schema(AgreementStatusChanged)
IntroductionRejectedSchema = payload_schema(IntroductionRejected)

SPECS = (
    spec("agreement.status_changed", topics.PLACEMENTS, AgreementStatusChangedSchema),
    spec("introduction.rejected", topics.PLACEMENTS, IntroductionRejectedSchema),
)
