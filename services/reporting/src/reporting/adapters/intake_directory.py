"""Intake's name of one of a school's students, over HTTP, for the printed POK (issue 20.1).

POST {INTAKE_URL}/internal/v1/schools/<school_id>/student-names {"student_refs": [ref]} with reporting's
service token (role service, scope reporting) -> {"students": [{student_ref, name, student_number}]}. Asked
per view of the printed POK; nothing of the answer is stored, logged or published. Any failure gives None
(the POK prints with the pseudonym). Imports requests, the port and the standard library.
"""

from __future__ import annotations

import logging

import requests

from ..ports import AbstractStudentDirectory

logger = logging.getLogger(__name__)


class HttpStudentDirectory(AbstractStudentDirectory):
    """Asks intake with reporting's service token."""

    def __init__(self, base_url: str, token: str, timeout_s: float = 5.0):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.timeout_s = timeout_s

    def name(self, school_id: str, student_ref: str) -> str | None:
        url = f"{self.base_url}/internal/v1/schools/{school_id}/student-names"
        try:
            response = self.session.post(url, json={"student_refs": [student_ref]}, timeout=self.timeout_s)
        except requests.RequestException as err:
            logger.warning("intake unreachable for a student name: %s", err.__class__.__name__)
            return None
        if response.status_code != 200:
            logger.warning("intake answered %s to a question for a student name", response.status_code)
            return None
        body = response.json()
        for item in body.get("students", []) if isinstance(body, dict) else []:
            if isinstance(item, dict) and item.get("student_ref") == student_ref:
                return str(item.get("name") or "") or None
        return None
