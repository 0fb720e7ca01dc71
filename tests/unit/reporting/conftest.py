"""Fixtures for reporting's unit tests: reporting wired by its own bootstrap over the doubles of
tests/fakes/reporting.py (no Redis, no Kafka)."""

from __future__ import annotations

import pytest

from reporting.bootstrap import Wiring
from reporting.ports import Deps
from tests.fakes import Clock, FakePublisher
from tests.fakes.reporting import MARCH_1, FakeViews, bootstrap_with_doubles, seeded_views


@pytest.fixture
def clock() -> Clock:
    return Clock(MARCH_1)


@pytest.fixture
def views() -> FakeViews:
    return seeded_views()


@pytest.fixture
def publisher() -> FakePublisher:
    return FakePublisher()


@pytest.fixture
def wiring(views, publisher, clock) -> Wiring:
    return bootstrap_with_doubles(views=views, publisher=publisher, clock=clock)


@pytest.fixture
def deps(wiring) -> Deps:
    return wiring.deps
