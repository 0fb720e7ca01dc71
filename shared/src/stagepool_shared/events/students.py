"""Student events: erasure of a pseudonym (GDPR right to erasure). Imports marshmallow and events.base only."""

from __future__ import annotations

from dataclasses import dataclass

from .. import topics
from .base import PayloadSchema, id_field, spec


@dataclass(frozen=True)
class StudentErased:
    """Intake removed the student's personal data; every service drops what it keeps under the pseudonym."""

    student_ref: str
    school_id: str
    region_id: str


class StudentErasedSchema(PayloadSchema):
    payload_class = StudentErased
    student_ref = id_field()
    school_id = id_field()
    region_id = id_field()


SPECS = (spec("student.erased", topics.STUDENTS, StudentErasedSchema),)
