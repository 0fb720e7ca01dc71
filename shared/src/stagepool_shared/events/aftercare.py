"""Aftercare events (issue 20): a placement agreement (POK) changed status, an organisation rejected a
student after the kennismakingsgesprek (R106; the marker the re-placement fast track reads), and a
contact-moment reminder or escalation was opened for a school (R132; the notifier e-mails its addressee,
whose address it looks up itself), and a placement's end evaluation opened (R133; the notifier invites the
three parties). Ids and codes only: no names, no free text. They travel on the placements topic, keyed by region. Each field carries its
rule (events.rules); the schemas are derived from them. Imports events.base and events.rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import topics
from .base import payload_schema, spec
from .rules import ID_PATTERN, choice, code, flag, ident

AGREEMENT_STATUSES = ("sent", "signed", "active", "ended", "ended_early")
AGREEMENT_END_REASONS = ("mismatch", "organisation_withdrew", "unsafe_or_discrimination", "student_behaviour",
                         "student_withdrew", "other")
#: R106: the five reasons of the company survey; "attitude" and "team_fit" are subjective (excluded by R37).
INTRODUCTION_REJECTION_REASONS = ("no_place_available", "wishes_mismatch", "competences_mismatch", "attitude",
                                  "team_fit")
SUBJECTIVE_REASONS = ("attitude", "team_fit")
#: R132: a reminder before a planned moment or a checkpoint, an escalation at a checkpoint, a missed moment.
CONTACT_TASK_KINDS = ("contact_reminder", "contact_escalation", "contact_missed")
CONTACT_TASK_REASONS = ("contact_due", "contact_midpoint", "contact_end", "contact_missed")
#: Who is told: the school's contact for the organisation (R38, kept by reporting), or the school's internship
#: coordinator (the school's registered contact address, kept by intake).
CONTACT_TASK_ADDRESSEES = ("school_contact", "school_coordinator")


@dataclass(frozen=True)
class StudentAtOrganisation:
    """Whose placement, with whom: the ids every aftercare event starts with (region, period, the student, their
    school and the organisation)."""

    region_id: str = ident()
    period_id: str = ident()
    student_ref: str = ident()
    school_id: str = ident()
    organisation_id: str = ident()


@dataclass(frozen=True)
class PlacementIds(StudentAtOrganisation):
    """The ids of an aftercare event about one placement: those of `StudentAtOrganisation` and the place."""

    place_id: str = ident()


@dataclass(frozen=True)
class AgreementStatusChanged(StudentAtOrganisation):
    """A POK moved to another status (the draft itself is not announced)."""

    agreement_id: str = ident()
    status: str = choice(AGREEMENT_STATUSES)
    end_reason: str | None = choice(AGREEMENT_END_REASONS, default=None)
    #: The place of the placement, so the notifier can find the organisation's contact person (None in events
    #: from before it was sent).
    place_id: str | None = code(ID_PATTERN, default=None)


@dataclass(frozen=True)
class IntroductionRejected(PlacementIds):
    """The organisation rejected the student after the kennismaking: the student is to be re-placed."""

    reason_code: str = choice(INTRODUCTION_REJECTION_REASONS)
    subjective: bool = flag()
    accompanied: bool = flag()


@dataclass(frozen=True)
class ContactTaskOpened(StudentAtOrganisation):
    """Reporting opened a contact-moment reminder or escalation on the school's task list (issue 20.4)."""

    task_id: str = ident()
    kind: str = choice(CONTACT_TASK_KINDS)
    reason_code: str = choice(CONTACT_TASK_REASONS)
    addressee: str = choice(CONTACT_TASK_ADDRESSEES)


@dataclass(frozen=True)
class IntroductionProposed(PlacementIds):
    """The organisation proposed (or moved) the moment of the kennismaking (issue 20.2): the notifier asks the
    student by e-mail to confirm it. `introduction_id` names this proposal (a moved moment is a new one)."""

    introduction_id: str = ident()
    moment: str = code(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


@dataclass(frozen=True)
class EvaluationOpened(PlacementIds):
    """The end evaluation of a placement opened (issue 20.5): the notifier invites the student, the
    organisation and the school by e-mail, looking each address up itself."""

    agreement_id: str = ident()


AgreementStatusChangedSchema = payload_schema(AgreementStatusChanged)
IntroductionRejectedSchema = payload_schema(IntroductionRejected)
ContactTaskOpenedSchema = payload_schema(ContactTaskOpened)
EvaluationOpenedSchema = payload_schema(EvaluationOpened)
IntroductionProposedSchema = payload_schema(IntroductionProposed)

SPECS = (
    spec("agreement.status_changed", topics.PLACEMENTS, AgreementStatusChangedSchema),
    spec("introduction.rejected", topics.PLACEMENTS, IntroductionRejectedSchema),
    spec("contact.task_opened", topics.PLACEMENTS, ContactTaskOpenedSchema),
    spec("evaluation.opened", topics.PLACEMENTS, EvaluationOpenedSchema),
    spec("introduction.proposed", topics.PLACEMENTS, IntroductionProposedSchema),
)
