"""Student events: erasure of a pseudonym (GDPR right to erasure). Imports events.base and events.rules only."""

from __future__ import annotations

from dataclasses import dataclass

from .. import topics
from .base import payload_schema, spec
from .rules import ident


@dataclass(frozen=True)
class StudentErased:
    """Intake removed the student's personal data; every service drops what it keeps under the pseudonym."""

    student_ref: str = ident()
    school_id: str = ident()
    region_id: str = ident()


StudentErasedSchema = payload_schema(StudentErased)

SPECS = (spec("student.erased", topics.STUDENTS, StudentErasedSchema),)
