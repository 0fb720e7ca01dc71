"""Thin HTTP clients of the four services, for `make demo`, the end-to-end tests and the fault suite.

One client per service and caller (a bearer token): each method is one route, returns the decoded JSON
and raises `ApiError` (status and body) for an answer it did not expect. `raw()` gives the plain
`requests.Response` when a test wants to look at a 503 or a 404 itself. `Tokens` issues tokens in the
platform's Redis, and `scrape()` / `metric()` read Prometheus text from a service's /metrics.
Imports requests, prometheus_client's text parser and stagepool_shared (never a service).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Iterable, Mapping

import requests
from prometheus_client.parser import text_string_to_metric_families

from stagepool_shared.auth import TokenStore
from stagepool_shared.redis import connect

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The polling helper the demo's steps are handed: wait(predicate, timeout_s, what) -> the first truthy value
#: (demo.scenario.wait_for; the tests' wait_until has the same call shape).
Wait = Callable[[Callable[[], Any], float, str], Any]


class ApiError(Exception):
    """An answer with a status the caller did not expect."""

    def __init__(self, method: str, url: str, status: int, body: Any):
        super().__init__(f"{method} {url} -> {status}: {str(body)[:500]}")
        self.status = status
        self.body = body


@dataclass
class ServiceClient:
    """A base URL and a bearer token; one `requests.Session` per client (not shared across threads)."""

    base_url: str
    token: str | None = None
    timeout: float = 60.0
    lang: str | None = None

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.session = requests.Session()

    def raw(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send one request and return the plain response, whatever its status."""
        headers = dict(kwargs.pop("headers", None) or {})
        if self.token:
            headers.setdefault("Authorization", f"Bearer {self.token}")
        if self.lang:
            headers.setdefault("Accept-Language", self.lang)
        kwargs.setdefault("timeout", self.timeout)
        return self.session.request(method, self.base_url + path, headers=headers, **kwargs)

    def call(self, method: str, path: str, expect: Iterable[int] = (200,), **kwargs: Any) -> Any:
        """Send one request; the decoded JSON body (or text) when the status is expected, else ApiError."""
        response = self.raw(method, path, **kwargs)
        body = _body(response)
        if response.status_code not in tuple(expect):
            raise ApiError(method, self.base_url + path, response.status_code, body)
        return body

    def healthy(self) -> bool:
        """Whether /readyz answers 200."""
        try:
            return self.raw("GET", "/readyz", timeout=5).status_code == 200
        except requests.RequestException:
            return False

    def metrics_text(self) -> str:
        """The Prometheus text of this service's /metrics."""
        return self.call("GET", "/metrics")


def _body(response: requests.Response) -> Any:
    if "json" in response.headers.get("Content-Type", ""):
        try:
            return response.json()
        except ValueError:
            return response.text
    return response.text


class IntakeClient(ServiceClient):
    """Intake: periods and schools (coordinator), wishes and erasure (school), places (organisation)."""

    def put_period(self, period_id: str, name: str, starts_on: str, ends_on: str,
                   sectors: list[str] | None = None) -> dict:
        body = {"period_id": period_id, "name": name, "starts_on": starts_on, "ends_on": ends_on}
        if sectors is not None:
            body["sectors"] = sectors
        return self.call("PUT", f"/api/v1/periods/{period_id}", json=body)

    def put_school(self, school_id: str, name: str, contact_email: str, webhook_url: str | None = None) -> dict:
        body = {"school_id": school_id, "name": name, "contact_email": contact_email}
        if webhook_url:
            body["webhook_url"] = webhook_url
        return self.call("PUT", f"/api/v1/schools/{school_id}", json=body)

    def periods(self) -> list[dict]:
        return self.call("GET", "/api/v1/periods")["periods"]

    def submit_wish(self, student: Mapping[str, Any], wish: Mapping[str, Any],
                    idempotency_key: str | None = None) -> dict:
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return self.call("POST", "/api/v1/wishes", expect=(202,), json={"student": student, "wish": wish},
                         headers=headers)

    def import_wishes(self, content: bytes, filename: str = "wishes.xlsx", idempotency_key: str | None = None,
                      expect: Iterable[int] = (202,)) -> dict:
        return self._upload("wishes", content, filename, idempotency_key, expect)

    def import_places(self, content: bytes, filename: str = "places.xlsx", idempotency_key: str | None = None,
                      expect: Iterable[int] = (202,)) -> dict:
        return self._upload("places", content, filename, idempotency_key, expect)

    def _upload(self, kind: str, content: bytes, filename: str, idempotency_key: str | None,
                expect: Iterable[int]) -> dict:
        mimetype = XLSX if filename.endswith(".xlsx") else "text/csv"
        headers = {"Idempotency-Key": idempotency_key} if idempotency_key else {}
        return self.call("POST", f"/api/v1/imports/{kind}", expect=expect, headers=headers,
                         files={"file": (filename, content, mimetype)})

    def students(self) -> list[str]:
        return self.call("GET", "/api/v1/students")["student_refs"]

    def student(self, student_ref: str, expect: Iterable[int] = (200,)) -> dict:
        return self.call("GET", f"/api/v1/students/{student_ref}", expect=expect)

    def erase_student(self, student_ref: str) -> dict:
        return self.call("DELETE", f"/api/v1/students/{student_ref}", expect=(202,))

    def withdraw_wish(self, student_ref: str, period_id: str, reason: str = "withdrawn") -> dict:
        return self.call("POST", f"/api/v1/students/{student_ref}/wishes/{period_id}/withdraw", expect=(202,),
                         json={"reason": reason})

    def places(self) -> list[str]:
        return self.call("GET", "/api/v1/places")["place_ids"]

    def post_place(self, place: Mapping[str, Any]) -> dict:
        return self.call("POST", "/api/v1/places", expect=(202,), json=dict(place))


class MatcherClient(ServiceClient):
    """Matcher: request, read, approve and release rounds."""

    def request_round(self, region_id: str, period_id: str, kind: str = "initial", seed: int | None = None,
                      sector: str | None = None, previous_round_id: str | None = None) -> str:
        body: dict[str, Any] = {"region_id": region_id, "period_id": period_id, "kind": kind}
        for key, value in (("seed", seed), ("sector", sector), ("previous_round_id", previous_round_id)):
            if value is not None:
                body[key] = value
        return self.call("POST", "/api/v1/rounds", expect=(202,), json=body)["round_id"]

    def round(self, round_id: str, expect: Iterable[int] = (200,)) -> dict:
        return self.call("GET", f"/api/v1/rounds/{round_id}", expect=expect)

    def rounds(self, region_id: str | None = None) -> list[dict]:
        params = {"region_id": region_id} if region_id else None
        return self.call("GET", "/api/v1/rounds", params=params)["rounds"]

    def approve(self, round_id: str) -> dict:
        return self.call("POST", f"/api/v1/rounds/{round_id}/approvals", expect=(201,))

    def release(self, round_id: str, release_at: datetime, respond_by: datetime) -> dict:
        body = {"release_at": release_at.isoformat(), "respond_by": respond_by.isoformat()}
        return self.call("POST", f"/api/v1/rounds/{round_id}/release", expect=(202,), json=body)

    def compare(self, round_id: str, other_id: str) -> dict:
        return self.call("GET", f"/api/v1/rounds/{round_id}/compare/{other_id}")


class NotifierClient(ServiceClient):
    """Notifier: the caller's inbox, and a student's answer to a placement."""

    def inbox(self) -> list[dict]:
        return self.call("GET", "/api/v1/inbox")["messages"]

    def accept(self, round_id: str, expect: Iterable[int] = (200,)) -> dict:
        return self.call("POST", f"/api/v1/placements/{round_id}/accept", expect=expect)

    def refuse(self, round_id: str, reason_code: str, expect: Iterable[int] = (200,)) -> dict:
        return self.call("POST", f"/api/v1/placements/{round_id}/refuse", expect=expect,
                         json={"reason_code": reason_code})


class ReportingClient(ServiceClient):
    """Reporting: the desk, follow-up, signals and the period report."""

    def file_report(self, **fields: Any) -> dict:
        return self.call("POST", "/api/v1/desk/reports", expect=(201,), json=fields)

    def reports(self, overdue: bool = False) -> list[dict]:
        params = {"view": "overdue"} if overdue else None
        return self.call("GET", "/api/v1/desk/reports", params=params)["reports"]

    def report(self, report_id: str) -> dict:
        return self.call("GET", f"/api/v1/desk/reports/{report_id}")

    def change_status(self, report_id: str, status: str, note: str | None = None) -> dict:
        return self.call("POST", f"/api/v1/desk/reports/{report_id}/status", expect=(200, 201),
                         json={"status": status, "note": note})

    def alternative_placement(self, report_id: str, period_id: str) -> dict:
        return self.call("POST", f"/api/v1/desk/reports/{report_id}/alternative-placement", expect=(200, 201, 202),
                         json={"period_id": period_id})

    def not_suitable(self, student_ref: str, period_id: str, reason_code: str,
                     after_introduction: bool = False) -> dict:
        return self.call("POST", f"/api/v1/followup/placements/{student_ref}/not-suitable", expect=(200, 201, 202),
                         json={"period_id": period_id, "reason_code": reason_code,
                               "after_introduction": after_introduction})

    def signals(self) -> Any:
        return self.call("GET", "/api/v1/signals")

    def period_report_path(self, region_id: str, period_id: str, fmt: str = "html") -> str:
        return f"/api/v1/reports/{region_id}/{period_id}.{fmt}"

    def period_report(self, region_id: str, period_id: str, fmt: str = "html") -> str:
        return self.call("GET", self.period_report_path(region_id, period_id, fmt))


class Tokens:
    """Issues API tokens in the platform's Redis (the same TokenStore the services read)."""

    def __init__(self, redis_url: str):
        self.store = TokenStore(connect(redis_url))

    def issue(self, user_id: str, role: str, scope: str, region_id: str = "") -> str:
        return self.store.issue(user_id, role, scope, region_id)


@dataclass
class Clients:
    """Clients for one platform: `clients.intake(token)`, `clients.matcher(token)`, ...

    `urls` maps service name to base URL (Platform.services[name].url)."""

    urls: Mapping[str, str]
    tokens: Tokens

    @classmethod
    def for_platform(cls, platform: Any) -> "Clients":
        return cls({name: svc.url for name, svc in platform.services.items()}, Tokens(platform.redis.url))

    def intake(self, token: str | None = None) -> IntakeClient:
        return IntakeClient(self.urls["intake"], token)

    def matcher(self, token: str | None = None) -> MatcherClient:
        return MatcherClient(self.urls["matcher"], token)

    def notifier(self, token: str | None = None) -> NotifierClient:
        return NotifierClient(self.urls["notifier"], token)

    def reporting(self, token: str | None = None) -> ReportingClient:
        return ReportingClient(self.urls["reporting"], token)

    def as_(self, service: str, user_id: str, role: str, scope: str, region_id: str = "") -> Any:
        """A client of `service` for a freshly issued token of (user, role, scope, region)."""
        return getattr(self, service)(self.tokens.issue(user_id, role, scope, region_id))


def scrape(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Prometheus text -> {(sample name, sorted labels): value}."""
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def metric(text: str, name: str, **labels: str) -> float:
    """The sum of every sample called `name` whose labels include `labels` (0.0 when none)."""
    wanted = set(labels.items())
    return sum(value for (sample, sample_labels), value in scrape(text).items()
               if sample == name and wanted <= set(sample_labels))
