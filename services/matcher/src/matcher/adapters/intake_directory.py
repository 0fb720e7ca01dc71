"""Intake's names of a school's own students, over HTTP, for the review page (issue 14.6).

POST {INTAKE_URL}/internal/v1/schools/<school_id>/student-names {"student_refs": [...]} with the matcher's
service token (role service, scope matcher) -> {"students": [{student_ref, name, student_number}],
"not_found": [...]}. Intake refuses (403) a question that holds a pseudonym of another school. Asked per page
view; nothing of the answer is stored, logged or published (only status codes are logged).
GET {INTAKE_URL}/internal/v1/school-names?school_id=a&school_id=b -> {"schools": {id: name}, "not_found": [...]}
(issue 14.16: schools in words on the coordinator's pages; no personal data).
Imports requests and the matcher's ports and errors.
"""

from __future__ import annotations

import logging
from typing import Any, Sequence

import requests

from ..errors import StudentNamesUnavailable
from ..ports import AbstractStudentDirectory, StudentName

logger = logging.getLogger(__name__)

BATCH = 200


class HttpStudentDirectory(AbstractStudentDirectory):
    """Asks intake with the matcher's service token; any failure is StudentNamesUnavailable."""

    def __init__(self, base_url: str, token: str, timeout_s: float = 5.0):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.timeout_s = timeout_s

    def names(self, school_id: str, student_refs: Sequence[str]) -> dict[str, StudentName]:
        refs = sorted(set(student_refs))
        found: dict[str, StudentName] = {}
        for start in range(0, len(refs), BATCH):
            found.update(self._batch(school_id, refs[start:start + BATCH]))
        return found

    def school_names(self, school_ids: Sequence[str]) -> dict[str, str]:
        ids = sorted(set(school_ids))
        found: dict[str, str] = {}
        for start in range(0, len(ids), BATCH):
            found.update(self._school_batch(ids[start:start + BATCH]))
        return found

    def _school_batch(self, ids: list[str]) -> dict[str, str]:
        try:
            response = self.session.get(f"{self.base_url}/internal/v1/school-names", params={"school_id": ids},
                                        timeout=self.timeout_s)
        except requests.RequestException as err:
            raise StudentNamesUnavailable(f"intake unreachable: {err.__class__.__name__}") from err
        if response.status_code != 200:
            logger.warning("intake answered %s to a question for school names", response.status_code)
            raise StudentNamesUnavailable(f"intake answered {response.status_code}")
        try:
            body = response.json()
        except ValueError as err:
            raise StudentNamesUnavailable("intake answered no JSON") from err
        listed = body.get("schools") if isinstance(body, dict) else None
        return {k: v for k, v in (listed if isinstance(listed, dict) else {}).items()
                if k in ids and isinstance(v, str) and v}

    def _batch(self, school_id: str, refs: list[str]) -> dict[str, StudentName]:
        url = f"{self.base_url}/internal/v1/schools/{school_id}/student-names"
        try:
            response = self.session.post(url, json={"student_refs": refs}, timeout=self.timeout_s)
        except requests.RequestException as err:
            raise StudentNamesUnavailable(f"intake unreachable: {err.__class__.__name__}") from err
        if response.status_code != 200:
            logger.warning("intake answered %s to a question for student names", response.status_code)
            raise StudentNamesUnavailable(f"intake answered {response.status_code}")
        return _names_in(response.json(), set(refs))


def _names_in(body: Any, asked: set[str]) -> dict[str, StudentName]:
    """The asked students in intake's answer (anything else is ignored)."""
    listed = body.get("students") if isinstance(body, dict) else None
    return {d["student_ref"]: StudentName(d["student_ref"], str(d.get("name") or ""),
                                          str(d.get("student_number") or ""))
            for d in listed or [] if isinstance(d, dict) and d.get("student_ref") in asked}
