"""What the coordinator's pages ask intake, over HTTP with reporting's service token (role service, scope
reporting), per request; nothing of the answers is stored, logged or published (only status codes are logged).

GET {INTAKE_URL}/internal/v1/school-names?school_id=a&school_id=b -> {"schools": {id: name}, "not_found": [...]}
(issue 14.16: schools in words; a school's name is no personal data).
POST {INTAKE_URL}/internal/v1/student-refs {"region_id", "school_id", "student_number"} -> {"student_ref"}, 404
when intake knows no such student in the region (issue 14.10: the coordinator finds a student by number; the
answer holds the pseudonym only, never the name; a POST keeps the number out of URLs and access logs).
Imports the shared IntakeClient, reporting's ports and errors.
"""

from __future__ import annotations

from stagepool_shared.intake_client import IntakeClient

from ..errors import IntakeUnavailable
from ..ports import AbstractIntakeLookups


class HttpIntakeLookups(IntakeClient, AbstractIntakeLookups):
    """Asks intake with reporting's service token; any failure is IntakeUnavailable. School names come from
    IntakeClient.school_names."""

    Unavailable = IntakeUnavailable

    def student_ref(self, region_id: str, school_id: str, student_number: str) -> str | None:
        response = self.ask("post", "student-refs", json={"region_id": region_id, "school_id": school_id,
                                                          "student_number": student_number}, missing_ok=True)
        if response.status_code == 404:
            return None
        ref = self.json_of(response).get("student_ref")
        return ref if isinstance(ref, str) and ref else None
