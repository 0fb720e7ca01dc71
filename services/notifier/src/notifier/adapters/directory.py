"""Intake's contact directory over HTTP, and an in-memory directory for tests, the bench and demos.

GET {INTAKE_URL}/internal/v1/contacts?student_ref=a&student_ref=b -> {"contacts": {ref: {name,email,phone}}}
GET {INTAKE_URL}/internal/v1/schools/<school_id> -> {"school_id","name","email","webhook_url"}
GET {INTAKE_URL}/internal/v1/places/contacts?place_id=a&place_id=b -> {"contacts": [{place_id,name,email,phone}]}
GET {INTAKE_URL}/internal/v1/open-windows?within_hours=N -> the students with an open window before a deadline.
Intake answers only for released students and for places a released round placed students at (the open
windows name students who have not acted before a deadline: pseudonym and e-mail). And reporting's school
contact of a contact-moment reminder (issue 20.4):
GET {REPORTING_URL}/internal/v1/aftercare/tasks/<task_id>/contact?region_id=&school_id= -> {"name","email"}. Imports
requests, the shared IntakeClient and the domain.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import requests

from stagepool_shared.intake_client import IntakeClient, batches

from ..domain.deadlines import DEADLINES, Window
from ..domain.model import Contact
from ..errors import DirectoryUnavailable
from ..ports import AbstractDirectory, AbstractTaskContacts, AbstractWindows

logger = logging.getLogger(__name__)


def contact_from(data: dict[str, Any]) -> Contact:
    """A Contact from intake's JSON (unknown fields ignored, missing ones empty)."""
    return Contact(name=str(data.get("name") or ""), email=str(data.get("email") or data.get("contact_email") or ""),
                   phone=str(data.get("phone") or ""), lang=str(data.get("lang") or "nl"),
                   webhook_url=str(data.get("webhook_url") or ""))


def _contacts_in(listed: Any, asked: set[str], key: str = "student_ref") -> dict[str, Contact]:
    """Intake's answer, a list of contacts each with its `key` (student_ref or place_id; a {id: contact} map
    is read too)."""
    if isinstance(listed, dict):
        listed = [{**data, key: ref} for ref, data in listed.items() if isinstance(data, dict)]
    return {d[key]: contact_from(d) for d in listed or [] if isinstance(d, dict) and d.get(key) in asked}


class HttpDirectory(IntakeClient, AbstractDirectory):
    """Asks intake with the notifier's service token; any failure is DirectoryUnavailable (retried). A 404 is
    an answer here (nothing released), so it reads the status itself instead of `IntakeClient.ask`."""

    Unavailable = DirectoryUnavailable

    def _get(self, path: str, params: Any = None) -> requests.Response:
        try:
            response = self.session.get(self.base_url + path, params=params, timeout=self.timeout_s)
        except requests.RequestException as err:
            raise DirectoryUnavailable(f"intake unreachable: {err.__class__.__name__}") from err
        if response.status_code >= 500 or response.status_code in (401, 403, 429):
            raise DirectoryUnavailable(f"intake answered {response.status_code}")
        return response

    def contacts(self, student_refs: list[str]) -> dict[str, Contact]:
        return self._batched("/internal/v1/contacts", "student_ref", student_refs)

    def place_contacts(self, place_ids: list[str]) -> dict[str, Contact]:
        return self._batched("/internal/v1/places/contacts", "place_id", place_ids)

    def _batched(self, path: str, name: str, ids: list[str]) -> dict[str, Contact]:
        """Ask for `ids` in batches; 404 means none of a batch was released (or they were erased)."""
        found: dict[str, Contact] = {}
        for chunk in batches(ids):
            response = self._get(path, params=[(name, i) for i in chunk])
            if response.status_code == 404:
                continue
            if response.status_code != 200:
                raise DirectoryUnavailable(f"intake answered {response.status_code} for {path}")
            found.update(_contacts_in(response.json().get("contacts"), set(chunk), name))
        return found

    def school(self, school_id: str) -> Contact | None:
        response = self._get(f"/internal/v1/schools/{school_id}")
        if response.status_code == 404:
            return None
        if response.status_code != 200:
            raise DirectoryUnavailable(f"intake answered {response.status_code} for a school")
        return contact_from(response.json())


class InMemoryDirectory(AbstractDirectory):
    """A directory held in dictionaries; counts lookups so tests can see batching."""

    def __init__(self, students: dict[str, Contact] | None = None, schools: dict[str, Contact] | None = None,
                 places: dict[str, Contact] | None = None):
        self.students = dict(students or {})
        self.schools = dict(schools or {})
        self.places = dict(places or {})
        self.lookups = 0
        self.down = False

    def contacts(self, student_refs: list[str]) -> dict[str, Contact]:
        self._check()
        return {r: self.students[r] for r in student_refs if r in self.students}

    def school(self, school_id: str) -> Contact | None:
        self._check()
        return self.schools.get(school_id)

    def place_contacts(self, place_ids: list[str]) -> dict[str, Contact]:
        self._check()
        return {p: self.places[p] for p in place_ids if p in self.places}

    def _check(self) -> None:
        if self.down:
            raise DirectoryUnavailable("fake: intake is down")
        self.lookups += 1


class HttpWindows(IntakeClient, AbstractWindows):
    """Intake's open windows before the periods' deadlines (issue 15.4):
    GET /internal/v1/open-windows?within_hours=N -> {"windows": [{"period_id", "deadline", "until",
    "students": [{"student_ref", "email", "lang"?}]}]}. A window or student intake answers malformed is left
    out; intake unreachable is DirectoryUnavailable (the step tries again at its next interval)."""

    Unavailable = DirectoryUnavailable

    def open_windows(self, within: timedelta) -> list[Window]:
        hours = max(1, min(744, int(within.total_seconds() // 3600)))
        listed = self.json_of(self.ask("get", "open-windows", params={"within_hours": hours})).get("windows")
        return [w for w in map(window_from, listed if isinstance(listed, list) else []) if w is not None]


def window_from(data: Any) -> Window | None:
    """A Window from intake's JSON; None when it is not one."""
    try:
        until = datetime.fromisoformat(data["until"])
        students = tuple((s["student_ref"], contact_from(s)) for s in data["students"] if isinstance(s, dict))
        window = Window(str(data["period_id"]), str(data["deadline"]), until, students)
    except (KeyError, TypeError, ValueError):
        return None
    return window if until.tzinfo is not None and window.deadline in DEADLINES else None


class HttpTaskContacts(IntakeClient, AbstractTaskContacts):
    """Reporting's school contact of a contact-moment reminder (issue 20.4), asked per message with the
    notifier's service token: GET {REPORTING_URL}/internal/v1/aftercare/tasks/<task_id>/contact?region_id=&
    school_id= -> {"name", "email"}; 404: none named. Any other failure is DirectoryUnavailable (the consumer
    retries the event)."""

    Unavailable = DirectoryUnavailable

    def task_contact(self, region_id: str, school_id: str, task_id: str) -> Contact | None:
        response = self.ask("get", f"aftercare/tasks/{task_id}/contact", missing_ok=True,
                            params={"region_id": region_id, "school_id": school_id})
        return None if response.status_code == 404 else contact_from(self.json_of(response))


class InMemoryTaskContacts(AbstractTaskContacts):
    """Reporting's school contacts held in a dictionary {(region, school, task): contact}, for tests."""

    def __init__(self, contacts: dict[tuple[str, str, str], Contact] | None = None):
        self.contacts = dict(contacts or {})
        self.down = False

    def task_contact(self, region_id: str, school_id: str, task_id: str) -> Contact | None:
        if self.down:
            raise DirectoryUnavailable("fake: reporting is down")
        return self.contacts.get((region_id, school_id, task_id))
