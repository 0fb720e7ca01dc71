"""What each message says, as data: the template context of every message kind.

The wording lives in the template files (Dutch and English); this module decides *what* a recipient is
told. A student's message never names another student; an organisation learns its students' contact
details only through these contexts, which are built only after release. Imports only the standard library,
the shared i18n (moments in Dutch time) and domain.model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from stagepool_shared.i18n import local_time

from .model import Contact, PlaceInfo, RoundInfo, StudentOutcome


@dataclass(frozen=True)
class StudentRow:
    """One line of a school's overview."""

    student_ref: str
    name: str
    status: str
    organisation_name: str
    reason_code: str | None
    address_problem: str | None


def _round_context(round_info: RoundInfo) -> dict[str, Any]:
    return {
        "round_id": round_info.round_id,
        "period_id": round_info.period_id,
        "released_at": local_time(round_info.released_at),  # Europe/Amsterdam, zone named (issue 14.12)
        "respond_by": local_time(round_info.respond_by),
    }


def student_context(round_info: RoundInfo, outcome: StudentOutcome, place: PlaceInfo | None,
                    contact: Contact, respond_url: str, sign_in_url: str = "",
                    place_contact: Contact | None = None) -> dict[str, Any]:
    """The outcome message of one student: the placement and why, or what happens next and why not.

    `sign_in_url` is the student's personal link to their page (where they accept or refuse);
    `place_contact` the place's contact person, from intake after release (None: the school tells).
    """
    context = {**_round_context(round_info), "name": contact.name, "status": outcome.status,
               "placed": outcome.is_placed and place is not None, "respond_url": respond_url,
               "sign_in_url": sign_in_url,
               "must_answer": outcome.status == "placed"}
    if context["placed"]:
        assert place is not None
        context.update(_placement(outcome, place, place_contact or Contact()))
    else:
        context.update(reason_code=outcome.reason_code or "unknown", binding_constraint=outcome.binding_constraint,
                       hints=[{"criterion": h.criterion, "change": _number(h.change), "unit": h.unit,
                               "opens_places": h.opens_places, "free_places": h.free_places} for h in outcome.hints])
    return context


def _placement(outcome: StudentOutcome, place: PlaceInfo, place_contact: Contact) -> dict[str, Any]:
    return {
        "organisation_name": place.organisation_name,
        "address": place.address,
        "start_date": place.start_date or "",
        "contact_name": place_contact.name,
        "contact_email": place_contact.email,
        "contact_phone": place_contact.phone,
        "reserved": place.is_reserved_for(outcome.school_id),
        "wish_match": outcome.wish_match,
        "travel_minutes": outcome.travel_minutes,
        "criteria_met": list(outcome.criteria_met),
    }


def reminder_context(round_info: RoundInfo, outcome: StudentOutcome, place: PlaceInfo | None,
                     contact: Contact, respond_url: str, place_contact: Contact | None = None) -> dict[str, Any]:
    """A reminder to answer before the deadline (same facts as the outcome message)."""
    return student_context(round_info, outcome, place, contact, respond_url, place_contact=place_contact)


def withdrawal_context(round_info: RoundInfo, outcome: StudentOutcome, place: PlaceInfo | None,
                       name: str) -> dict[str, Any]:
    """A note about one student's placement: a place withdrawn after release, or an unanswered placement
    after its deadline. `name` is the student's name for the student and the school, the pseudonym for the
    region's coordinators."""
    return {**_round_context(round_info), "name": name, "student_ref": outcome.student_ref,
            "school_id": outcome.school_id,
            "organisation_name": place.organisation_name if place else (outcome.organisation_id or ""),
            "address": place.address if place else ""}


def school_rows(outcomes: list[StudentOutcome], places: dict[str, PlaceInfo],
                contacts: dict[str, Contact], address_problem: dict[str, str]) -> list[StudentRow]:
    """The school's students in a stable order (by name, then pseudonym), each with outcome and problems."""
    rows = []
    for outcome in outcomes:
        place = places.get(outcome.place_id or "")
        contact = contacts.get(outcome.student_ref, Contact())
        rows.append(StudentRow(
            student_ref=outcome.student_ref, name=contact.name, status=outcome.status,
            organisation_name=place.organisation_name if place and outcome.is_placed else "",
            reason_code=outcome.reason_code, address_problem=address_problem.get(outcome.student_ref)))
    return sorted(rows, key=lambda r: (r.name.lower(), r.student_ref))


def school_context(round_info: RoundInfo, school: Contact, rows: list[StudentRow]) -> dict[str, Any]:
    """A school's overview: every one of its students and their outcome; unreachable students flagged."""
    return {**_round_context(round_info), "school_name": school.name,
            "rows": [row.__dict__ for row in rows],
            "placed": sum(1 for r in rows if r.status in ("placed", "kept")),
            "unplaced": sum(1 for r in rows if r.status == "unplaced"),
            "problems": [row.__dict__ for row in rows if row.address_problem]}


def organisation_context(round_info: RoundInfo, organisation_name: str, outcomes: list[StudentOutcome],
                         places: dict[str, PlaceInfo], contacts: dict[str, Contact]) -> dict[str, Any]:
    """An organisation's list: the students placed with it, with their contact details (only after release)."""
    students = []
    for outcome in outcomes:
        contact = contacts.get(outcome.student_ref, Contact())
        place = places.get(outcome.place_id or "")
        students.append({"name": contact.name or outcome.student_ref, "email": contact.email,
                         "phone": contact.phone, "address": place.address if place else "",
                         "start_date": (place.start_date or "") if place else ""})
    students.sort(key=lambda s: s["name"].lower())
    return {**_round_context(round_info), "organisation_name": organisation_name, "students": students}


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value
