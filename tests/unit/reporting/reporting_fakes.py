"""Fakes of reporting's own ports (desk store, audit log, views) and fixtures for unit tests of the use cases."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from reporting.adapters.crypto import ContentCipher
from reporting.config import DeskDeadlines
from reporting.desk import Desk
from reporting.domain.figures import PlaceFact, PlacementFact, WishFact
from stagepool_shared.auth import Principal
from stagepool_shared.testing import FakePublisher

KEY = b"x5cyY0jq4rq3Y2Qx7a2dW9h3oZ6tJ0m4cN1pQe8sVgU="


class FakeDeskStore:
    """Keeps cases in memory; content sealed like the real store, so tests can check it is not in clear."""

    def __init__(self) -> None:
        self.cipher = ContentCipher(KEY)
        self.meta: dict = {}
        self.sealed: dict = {}

    def add(self, case, content) -> None:
        self.meta[case.report_id] = case
        self.sealed[case.report_id] = self.cipher.seal(content.__dict__ | {"notes": list(content.notes)})

    def remove(self, case) -> None:
        self.meta.pop(case.report_id, None)
        self.sealed.pop(case.report_id, None)

    def case(self, report_id):
        return self.meta.get(report_id)

    def content(self, report_id):
        from reporting.adapters.desk_store import _content_from_dict

        return _content_from_dict(self.cipher.open(self.sealed[report_id])) if report_id in self.sealed else None

    def save(self, case, content=None) -> None:
        self.meta[case.report_id] = case
        if content is not None:
            self.sealed[case.report_id] = self.cipher.seal(content.__dict__ | {"notes": list(content.notes)})

    def cases(self, region_id):
        return [case for case in self.meta.values() if case.region_id == region_id]

    def regions(self):
        return sorted({case.region_id for case in self.meta.values()})


class FakeAudit:
    def __init__(self) -> None:
        self.entries: list[tuple] = []

    def append(self, who, role, action, report_id, outcome) -> None:
        self.entries.append((who, role, action, report_id, outcome))


class FakeViews:
    """Wishes, places and placements by (region, period, id)."""

    def __init__(self) -> None:
        self.wishes: dict = {}
        self.places: dict = {}
        self.placements: dict = {}

    def wish(self, region_id, period_id, student_ref):
        return self.wishes.get((region_id, period_id, student_ref))

    def place(self, region_id, period_id, place_id):
        return self.places.get((region_id, period_id, place_id))

    def placement(self, region_id, period_id, student_ref):
        return self.placements.get((region_id, period_id, student_ref))


class Clock:
    """A settable clock."""

    def __init__(self) -> None:
        self.now = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


REGION, PERIOD = "reg-groningen", "2027-p1"
STUDENT = "stu_" + "a" * 32
STUDENT_PRINCIPAL = Principal("usr-stu", "student", STUDENT, REGION)
DESK_PRINCIPAL = Principal("usr-desk-1", "desk_staff", REGION, REGION)
SCHOOL_PRINCIPAL = Principal("usr-bpv", "school_staff", "sch-alfa", REGION)
ORG_PRINCIPAL = Principal("usr-org", "organisation_staff", "org-umcg", REGION)
COORDINATOR = Principal("usr-coord", "regional_coordinator", REGION, REGION)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def views() -> FakeViews:
    v = FakeViews()
    v.wishes[(REGION, PERIOD, STUDENT)] = WishFact(STUDENT, "sch-alfa", "zorg", 4)
    v.places[(REGION, PERIOD, "plc-umcg-01")] = PlaceFact("plc-umcg-01", "org-umcg", "zorg", (3, 4), 6)
    v.placements[(REGION, PERIOD, STUDENT)] = PlacementFact(STUDENT, "sch-alfa", "placed", "top1", None, "rnd-1",
                                                            "2027-01-15T09:00:00Z", "org-umcg", "plc-umcg-01")
    return v


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def desk(views, publisher, clock) -> Desk:
    return Desk(FakeDeskStore(), FakeAudit(), publisher, views, DeskDeadlines(), clock)
