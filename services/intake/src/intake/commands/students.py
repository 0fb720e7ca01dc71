"""Student commands: a school's own students and their file, the erasure, the contacts of released
students for the notifier, the names of a school's own students for the matcher's review page, and a
student's pseudonym from school and student number for the coordinator's search in reporting.

The erasure follows pattern A (publish student.erased, then remove the personal data; see commands.common).
Imports the domain, the ports and the shared event dataclasses.
"""

from __future__ import annotations

from typing import Sequence

from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.events.students import StudentErased

from ..domain.model import Contact, Student, WishRecord
from ..errors import NotFound
from ..ports import Deps
from .common import PRODUCER, event_ids, student_ref


def own_student(deps: Deps, school_id: str, ref: str) -> Student:
    """The school's own student (NotFound for a missing or foreign one)."""
    student = deps.store.get_student(ref)
    if student is None or student.school_id != school_id:
        raise NotFound()
    return student


def student_file(deps: Deps, school_id: str, ref: str) -> tuple[Student, list[WishRecord]]:
    """A school's own student with their wishes."""
    return own_student(deps, school_id, ref), deps.store.wishes_of_student(ref)


def students_of_school(deps: Deps, school_id: str) -> list[str]:
    """The pseudonyms of a school's students."""
    return deps.store.students_of_school(school_id)


def erase_student(deps: Deps, school_id: str, ref: str, region_id: str | None, seed: str | None = None) -> Envelope:
    """Erasure (right to be forgotten): publish student.erased, then remove the personal data."""
    own_student(deps, school_id, ref)
    wishes = deps.store.wishes_of_student(ref)
    school = deps.store.get_school(school_id)
    region = (wishes[0].payload["region_id"] if wishes else None) or (school.region_id if school else None) \
        or region_id or "unknown"
    envelope = new_envelope("student.erased", StudentErased(ref, school_id, region), producer=PRODUCER,
                            partition_key=region, event_id=next(event_ids(seed)))
    deps.publisher.publish(envelope)
    deps.store.erase_student(ref)
    if deps.planning is not None:
        deps.planning.drop_candidates(ref)  # a variant-2 offer under the pseudonym (issue 15.3)
    return envelope


def contacts(deps: Deps, refs: Sequence[str]) -> tuple[list[Contact], list[str]]:
    """Contact data of released students; the others are listed as not found."""
    found: list[Contact] = []
    missing: list[str] = []
    for ref in dict.fromkeys(refs):
        student = deps.store.get_student(ref) if deps.store.is_released(ref) else None
        if student is None:
            missing.append(ref)
        else:
            found.append(Contact(ref, student.school_id, student.name, student.email, student.phone))
    return found, missing


def names_for_review(deps: Deps, school_id: str, refs: Sequence[str]) -> tuple[list[Student], list[str], list[str]]:
    """Name and student number of a school's own students, for the matcher's review page (issue 14.6).

    Returns the school's students found, the pseudonyms intake does not know (erased, or never here) and
    the pseudonyms of another school; the caller refuses the whole question when there is any of the last.
    """
    found: list[Student] = []
    missing: list[str] = []
    foreign: list[str] = []
    for ref in dict.fromkeys(refs):
        student = deps.store.get_student(ref)
        if student is None:
            missing.append(ref)
        elif student.school_id != school_id:
            foreign.append(ref)
        else:
            found.append(student)
    return found, missing, foreign


def find_student_ref(deps: Deps, region_id: str, school_id: str, student_number: str) -> str:
    """The pseudonym of the student with `student_number` at `school_id`, for the coordinator's search in
    reporting (issue 14.10): only the pseudonym leaves intake, never the name. NotFound when intake knows no
    such student or the student is of another region than `region_id`."""
    ref = student_ref(deps, school_id, student_number)
    student = deps.store.get_student(ref)
    if student is None or student.school_id != school_id or _region_of(deps, student) != region_id:
        raise NotFound()
    return ref


def _region_of(deps: Deps, student: Student) -> str | None:
    """The region of a student: of their wishes, else of their registered school."""
    wishes = deps.store.wishes_of_student(student.student_ref)
    school = deps.store.get_school(student.school_id)
    return (wishes[0].payload.get("region_id") if wishes else None) or (school.region_id if school else None)
