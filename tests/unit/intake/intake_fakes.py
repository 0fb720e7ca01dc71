"""Test doubles for intake's unit tests: the shared in-memory key-value client for the token store, sample input,
and a recorder of the request deadline each publish runs under."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

from stagepool_shared import deadline
from stagepool_shared.testing import FakeKeyValue, FakePublisher


FakeKV = FakeKeyValue  # the shared in-memory stand-in for the identity store


CANARY_NAME = "CANARY-Zwaantje-Kwibus"
CANARY_EMAIL = "canary.kwibus@example.org"

STUDENT: dict[str, Any] = {
    "student_number": "S1001", "name": CANARY_NAME, "email": CANARY_EMAIL, "phone": "06 1234 5678",
    "address": "Grote Markt 1", "postcode": "9711 AB", "date_of_birth": "2009-03-15",
}
WISH: dict[str, Any] = {
    "period_id": "p2027a", "sector": "zorg", "crebo": "25491", "level": 3, "study_year": 1, "pathway": "bol",
    "home": {"postcode": "9711 AB"}, "max_travel_minutes": 45, "transport_mode": "bike",
    "needs_allowance": True, "activities": ["adl_support"], "preferred_org_types": ["vvt"],
    "support_needs": ["extra_supervision"], "leerwens": "Ik wil leren werken in een klein team.",
}
PLACE: dict[str, Any] = {
    "period_id": "p2027a", "organisation_name": "Zorggroep Noord", "sector": "zorg", "org_type": "vvt",
    "location": {"postcode": "9401"}, "address": "Zorgweg 2, Assen", "crebos": ["25491"], "levels": [2, 3],
    "slots": 4, "supervision_capacity": 2, "activities": ["adl_support"],
    "contact": {"name": "Mevr. de Vries", "email": "stage@zorggroep.example"},
}
PERIOD: dict[str, Any] = {"period_id": "p2027a", "name": "Voorjaar 2027", "starts_on": "2027-02-01",
                          "ends_on": "2027-06-30", "sectors": ["zorg", "welzijn"]}


def submission(**changes: Any) -> dict[str, Any]:
    """A valid wish submission; `student_number=...` or `wish_level=...` style changes."""
    body = {"student": copy.deepcopy(STUDENT), "wish": copy.deepcopy(WISH)}
    for key, value in changes.items():
        part, _, name = key.partition("_")
        body[part][name] = value
    return body


def loaded_period() -> dict[str, Any]:
    return {**PERIOD, "starts_on": date(2027, 2, 1), "ends_on": date(2027, 6, 30)}


def record_publish_deadlines(publisher: FakePublisher, monkeypatch: Any) -> list[float | None]:
    """The request deadline in force at each publish_all of `publisher` (stagepool_shared.deadline.current())."""
    seen: list[float | None] = []
    publish_all = publisher.publish_all

    def recording(envelopes: Any, topic: str | None = None) -> None:
        seen.append(deadline.current())
        publish_all(envelopes, topic)

    monkeypatch.setattr(publisher, "publish_all", recording)
    return seen
