"""Asking intake's internal API (/internal/v1) from another service, with that service's token.

The matcher, the notifier and reporting ask intake, per request, for what they may not keep themselves:
students' names, contacts, schools' display names. Each service's adapter subclasses `IntakeClient`, names
its own error for a failed question (`Unavailable`) and reads intake's answer. Only status codes are
logged; nothing of an answer is stored, logged or published here. Imports requests.
"""

from __future__ import annotations

import logging
from typing import Any, ClassVar, Iterator, Sequence

import requests

logger = logging.getLogger(__name__)

#: Ids per question: intake's internal routes answer at most this many at once.
BATCH = 200


def batches(ids: Sequence[str]) -> Iterator[list[str]]:
    """The distinct `ids`, sorted, BATCH at a time."""
    ordered = sorted(set(ids))
    return (ordered[start:start + BATCH] for start in range(0, len(ordered), BATCH))


class IntakeClient:
    """A requests session to intake whose every request carries `Authorization: Bearer <token>`.

    `ask` raises the subclass's `Unavailable` when intake cannot be reached or does not answer 200.
    """

    Unavailable: ClassVar[type[Exception]] = ConnectionError

    def __init__(self, base_url: str, token: str, timeout_s: float = 5.0):
        self.base_url = base_url.rstrip("/")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {token}"
        self.timeout_s = timeout_s

    def ask(self, method: str, path: str, missing_ok: bool = False, **kwargs: Any) -> requests.Response:
        """`method` /internal/v1/`path`: the 200 answer, or a 404 with `missing_ok`; anything else raises."""
        try:
            response = self.session.request(method, f"{self.base_url}/internal/v1/{path}", timeout=self.timeout_s,
                                            **kwargs)
        except requests.RequestException as err:
            raise self.Unavailable(f"intake unreachable: {err.__class__.__name__}") from err
        if response.status_code != 200 and not (missing_ok and response.status_code == 404):
            logger.warning("intake answered %s to a look-up (%s)", response.status_code, path)
            raise self.Unavailable(f"intake answered {response.status_code}")
        return response

    def json_of(self, response: requests.Response) -> dict[str, Any]:
        """The answer's JSON object ({} for any other JSON value); no JSON at all raises `Unavailable`."""
        try:
            body = response.json()
        except ValueError as err:
            raise self.Unavailable("intake answered no JSON") from err
        return body if isinstance(body, dict) else {}

    def school_names(self, school_ids: Sequence[str]) -> dict[str, str]:
        """The display names of the schools intake knows (issue 14.16); an unknown id is left out.

        GET /internal/v1/school-names?school_id=a&school_id=b -> {"schools": {id: name}, "not_found": [...]}.
        A school's name is no personal data.
        """
        found: dict[str, str] = {}
        for batch in batches(school_ids):
            listed = self.json_of(self.ask("get", "school-names", params={"school_id": batch})).get("schools")
            found.update({k: v for k, v in (listed if isinstance(listed, dict) else {}).items()
                          if k in batch and isinstance(v, str) and v})
        return found
