"""Intake's names of a school's own students, over HTTP, for the review page (issue 14.6).

POST {INTAKE_URL}/internal/v1/schools/<school_id>/student-names {"student_refs": [...]} with the matcher's
service token (role service, scope matcher) -> {"students": [{student_ref, name, student_number}],
"not_found": [...]}. Intake refuses (403) a question that holds a pseudonym of another school. Asked per page
view; nothing of the answer is stored, logged or published (only status codes are logged).
GET {INTAKE_URL}/internal/v1/school-names?school_id=a&school_id=b -> {"schools": {id: name}, "not_found": [...]}
(issue 14.16: schools in words on the coordinator's pages; no personal data).
Imports the shared IntakeClient and the matcher's ports and errors.
"""

from __future__ import annotations

from typing import Any, Sequence

from stagepool_shared.intake_client import IntakeClient, batches

from ..errors import StudentNamesUnavailable
from ..ports import AbstractStudentDirectory, StudentName


class HttpStudentDirectory(IntakeClient, AbstractStudentDirectory):
    """Asks intake with the matcher's service token; any failure is StudentNamesUnavailable. School names
    come from IntakeClient.school_names."""

    Unavailable = StudentNamesUnavailable

    def names(self, school_id: str, student_refs: Sequence[str]) -> dict[str, StudentName]:
        found: dict[str, StudentName] = {}
        for batch in batches(student_refs):
            response = self.ask("post", f"schools/{school_id}/student-names", json={"student_refs": batch})
            found.update(_names_in(response.json(), set(batch)))
        return found


def _names_in(body: Any, asked: set[str]) -> dict[str, StudentName]:
    """The asked students in intake's answer (anything else is ignored)."""
    listed = body.get("students") if isinstance(body, dict) else None
    return {d["student_ref"]: StudentName(d["student_ref"], str(d.get("name") or ""),
                                          str(d.get("student_number") or ""))
            for d in listed or [] if isinstance(d, dict) and d.get("student_ref") in asked}
