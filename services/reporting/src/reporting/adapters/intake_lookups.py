"""What the coordinator's pages ask intake, over HTTP with reporting's service token (role service, scope
reporting), per request; nothing of the answers is stored, logged or published (only status codes are logged).

GET {INTAKE_URL}/internal/v1/school-names?school_id=a&school_id=b -> {"schools": {id: name}, "not_found": [...]}
(issue 14.16: schools in words; a school's name is no personal data).
POST {INTAKE_URL}/internal/v1/student-refs {"region_id", "school_id", "student_number"} -> {"student_ref"}, 404
when intake knows no such student in the region (issue 14.10: the coordinator finds a student by number; the
answer holds the pseudonym only, never the name; a POST keeps the number out of URLs and access logs).
Imports requests, reporting's ports and errors.
"""

from __future__ import annotations

import logging
from typing import Any, Sequence

import requests

from ..errors import IntakeUnavailable
from ..ports import AbstractIntakeLookups

logger = logging.getLogger(__name__)

BATCH = 200


class HttpIntakeLookups(AbstractIntakeLookups):
    """Asks intake with reporting's service token; any failure is IntakeUnavailable."""

    def __init__(self, base_url: str, token: str, timeout_s: float = 5.0):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.timeout_s = timeout_s

    def school_names(self, school_ids: Sequence[str]) -> dict[str, str]:
        ids = sorted(set(school_ids))
        found: dict[str, str] = {}
        for start in range(0, len(ids), BATCH):
            batch = ids[start:start + BATCH]
            listed = self._json(self._ask("get", "school-names", params={"school_id": batch})).get("schools")
            found.update({k: v for k, v in (listed if isinstance(listed, dict) else {}).items()
                          if k in batch and isinstance(v, str) and v})
        return found

    def student_ref(self, region_id: str, school_id: str, student_number: str) -> str | None:
        response = self._ask("post", "student-refs", json={"region_id": region_id, "school_id": school_id,
                                                           "student_number": student_number}, missing_ok=True)
        if response.status_code == 404:
            return None
        ref = self._json(response).get("student_ref")
        return ref if isinstance(ref, str) and ref else None

    def _ask(self, method: str, path: str, missing_ok: bool = False, **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(method, f"{self.base_url}/internal/v1/{path}", timeout=self.timeout_s,
                                            **kwargs)
        except requests.RequestException as err:
            raise IntakeUnavailable(f"intake unreachable: {err.__class__.__name__}") from err
        if response.status_code != 200 and not (missing_ok and response.status_code == 404):
            logger.warning("intake answered %s to a look-up (%s)", response.status_code, path)
            raise IntakeUnavailable(f"intake answered {response.status_code}")
        return response

    @staticmethod
    def _json(response: requests.Response) -> dict[str, Any]:
        try:
            body = response.json()
        except ValueError as err:
            raise IntakeUnavailable("intake answered no JSON") from err
        return body if isinstance(body, dict) else {}
