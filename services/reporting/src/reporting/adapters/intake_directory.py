"""Intake's name of one of a school's students, over HTTP, for the printed POK (issue 20.1).

POST {INTAKE_URL}/internal/v1/schools/<school_id>/student-names {"student_refs": [ref]} with reporting's
service token (role service, scope reporting) -> {"students": [{student_ref, name, student_number}]}. Asked
per view of the printed POK; nothing of the answer is stored, logged or published. Any failure gives None
(the POK prints with the pseudonym). Imports the shared IntakeClient, the port and the error.
"""

from __future__ import annotations

import logging

from stagepool_shared.intake_client import IntakeClient

from ..errors import IntakeUnavailable
from ..ports import AbstractStudentDirectory

logger = logging.getLogger(__name__)


class HttpStudentDirectory(IntakeClient, AbstractStudentDirectory):
    """Asks intake with reporting's service token."""

    Unavailable = IntakeUnavailable

    def name(self, school_id: str, student_ref: str) -> str | None:
        try:
            response = self.ask("post", f"schools/{school_id}/student-names", json={"student_refs": [student_ref]})
        except IntakeUnavailable as err:
            logger.warning("no student name from intake: %s", err)
            return None
        body = response.json()
        for item in body.get("students", []) if isinstance(body, dict) else []:
            if isinstance(item, dict) and item.get("student_ref") == student_ref:
                return str(item.get("name") or "") or None
        return None
