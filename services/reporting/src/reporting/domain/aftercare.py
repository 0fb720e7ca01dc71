"""The placement agreement (praktijkovereenkomst, POK; R37, R38, R109): its record, its status rule and its
export under the field names of the OOAPI-based BPV exchange (product.md; docs/aftercare.md).

An accepted placement gets a POK draft. Its clear record holds ids, codes, dates and hours only; the people on
it (the school's contact for the organisation, the workplace supervisor) are `PokPeople`, which the store
seals at rest. Status: draft -> sent -> signed (once student, school and organisation signed) -> active ->
ended, or ended_early with a reason code from signed or active; a failed placement (`placement.failed`) ends its
POK early from any status before the end, the failure's cause as the reason code. Imports the standard library
only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from datetime import date

#: R37: the agreements every POK holds, as codes (their words are in messages/codes.json).
AGREEMENTS = ("supervision", "no_subjective_rejection", "discrimination_signalled_early")
POK_STATUSES = ("draft", "sent", "signed", "active", "ended", "ended_early")
SIGNERS = ("student", "school", "organisation")
END_REASONS = ("mismatch", "organisation_withdrew", "unsafe_or_discrimination", "student_behaviour",
               "student_withdrew", "other")
MAX_HOURS = 2000
#: The end reason of a POK whose placement failed (placement.failed's reason code -> END_REASONS).
FAILURE_END_REASONS = {"not_suitable": "mismatch", "rejected_after_introduction": "mismatch",
                       "organisation_withdrew": "organisation_withdrew", "safety": "unsafe_or_discrimination",
                       "other": "other"}
ENDED = ("ended", "ended_early")  # the POK's follow-up is over (evaluations, retention)

#: (from, to) pairs the status may take by an explicit action; "signed" follows from the last signature.
TRANSITIONS = {("draft", "sent"), ("signed", "active"), ("active", "ended"), ("signed", "ended_early"),
               ("active", "ended_early")}


@dataclass(frozen=True)
class SchoolContact:
    """R38: the school's named contact person for one organisation (personal data: sealed at rest)."""

    name: str
    email: str


@dataclass(frozen=True)
class PokPeople:
    """The people on a POK, personal data kept sealed: the school contact and the workplace supervisor."""

    school_contact: SchoolContact | None = None
    supervisor_name: str = ""


@dataclass(frozen=True)
class Pok:
    """A placement agreement: ids, codes, dates and hours (no names)."""

    pok_id: str
    region_id: str
    period_id: str
    student_ref: str
    school_id: str
    organisation_id: str
    place_id: str
    round_id: str
    created_at: str
    status: str = "draft"
    start_date: str | None = None
    end_date: str | None = None
    hours: int | None = None
    signed_by: tuple[str, ...] = ()
    end_reason: str | None = None
    agreements: tuple[str, ...] = field(default=AGREEMENTS)
    updated_at: str | None = None


def pok_id_of(region_id: str, period_id: str, student_ref: str, later: str = "") -> str:
    """The POK id of a student's placement in a period (the same on every redelivery); a later POK of the same
    period (the student accepted another place) adds what tells it apart (the accept's event id)."""
    digest = hashlib.sha256(f"{region_id}|{period_id}|{student_ref}{'|' + later if later else ''}".encode()).hexdigest()
    return f"pok-{digest[:24]}"


def detail_errors(start_date: date | None, end_date: date | None, hours: int | None,
                  people: PokPeople) -> dict[str, list[str]]:
    """Field errors that keep a POK from being sent: the school contact (R38), period, hours, supervisor."""
    errors: dict[str, list[str]] = {}
    if people.school_contact is None:
        errors["school_contact"] = ["missing_school_contact"]
    if not people.supervisor_name.strip():
        errors["supervisor_name"] = ["missing_supervisor"]
    if start_date is None:
        errors["start_date"] = ["missing_date"]
    if end_date is None:
        errors["end_date"] = ["missing_date"]
    elif start_date is not None and end_date < start_date:
        errors["end_date"] = ["end_before_start"]
    if hours is None or not 1 <= hours <= MAX_HOURS:
        errors["hours"] = ["hours_out_of_range"]
    return errors


def may_move(current: str, wanted: str) -> bool:
    """Whether an action may move a POK from `current` to `wanted`."""
    return (current, wanted) in TRANSITIONS


def sign(pok: Pok, signer: str, now: str) -> Pok:
    """Add one party's signature to a sent POK; the last of the three makes it "signed"."""
    signed = tuple(s for s in SIGNERS if s in pok.signed_by or s == signer)
    status = "signed" if set(signed) == set(SIGNERS) else pok.status
    return replace(pok, signed_by=signed, status=status, updated_at=now)


def ended_by_failure(pok: Pok, place_id: str, organisation_id: str, reason_code: str, now: str) -> Pok | None:
    """The POK of a failed placement, ended early with the failure's cause; None when it is another place's (the
    student moved on) or ended already. A failure that names no place ("unknown") matches on the organisation."""
    own = pok.place_id == place_id or (place_id == "unknown" and pok.organisation_id == organisation_id)
    if not own or pok.status in ENDED:
        return None
    return replace(pok, status="ended_early", end_reason=FAILURE_END_REASONS.get(reason_code, "other"), updated_at=now)


def bpv_export(pok: Pok, people: PokPeople) -> dict:
    """The POK under the BPV exchange's field names (docs/aftercare.md lists them and their source)."""
    contact = people.school_contact
    return {
        "bpvID": pok.pok_id,
        "studentID": pok.student_ref,
        "educationInstitutionID": pok.school_id,
        "leerbedrijfID": pok.organisation_id,
        "placementID": pok.place_id,
        "academicSession": pok.period_id,
        "startDate": pok.start_date,
        "endDate": pok.end_date,
        "totalHours": pok.hours,
        "approvedHours": pok.hours if pok.status in ("signed", "active", "ended") else None,
        "state": pok.status,
        "endReason": pok.end_reason,
        "agreements": list(pok.agreements),
        "signedBy": list(pok.signed_by),
        "workplaceSupervisor": people.supervisor_name or None,
        "schoolContact": {"name": contact.name, "email": contact.email} if contact else None,
    }
