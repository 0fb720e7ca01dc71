"""Fixtures of intake's unit tests: the app wired by `bootstrap` with doubles (tests/fakes), tokens per role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask.testing import FlaskClient

from intake.bootstrap import Wiring, bootstrap
from intake.config import Settings
from tests.fakes import FakeKeyValue, FakePublisher
from tests.fakes.intake import PERIOD, FakeIdempotencyStore, FakeIntakeStore

ENV = {"KAFKA_BOOTSTRAP_SERVERS": "127.0.0.1:1", "REDIS_URL": "redis://127.0.0.1:1",
       "INTAKE_PSEUDONYM_SECRET": "unit-test-secret-0123456789"}


@dataclass
class Api:
    """The app under test with its fakes and a bearer header per role."""

    client: FlaskClient
    publisher: FakePublisher
    store: FakeIntakeStore
    wiring: Wiring
    headers: dict[str, dict[str, str]]

    def as_(self, who: str, **extra: str) -> dict[str, str]:
        return {**self.headers[who], **extra}


@pytest.fixture
def settings() -> Settings:
    return Settings.from_env(ENV)


@pytest.fixture
def api(settings: Settings) -> Api:
    publisher, store = FakePublisher(), FakeIntakeStore()
    wiring = bootstrap(settings, publisher=publisher, redis_client=FakeKeyValue(), store=store,
                       idempotency=FakeIdempotencyStore())
    principals = {
        "school_a": ("u-a", "school_staff", "school-a", "r-noord"),
        "school_b": ("u-b", "school_staff", "school-b", "r-noord"),
        "org_1": ("u-o1", "organisation_staff", "org-1", "r-noord"),
        "org_2": ("u-o2", "organisation_staff", "org-2", "r-noord"),
        "coordinator": ("u-c", "regional_coordinator", "r-noord", "r-noord"),
        "notifier": ("svc-n", "service", "notifier", ""),
        "other_service": ("svc-x", "service", "matcher", ""),
    }
    headers = {who: {"Authorization": "Bearer " + wiring.tokens.issue(*p[:3], region_id=p[3])}
               for who, p in principals.items()}
    api = Api(wiring.app().test_client(), publisher, store, wiring, headers)
    response = api.client.put(f"/api/v1/periods/{PERIOD['period_id']}", json=PERIOD, headers=api.as_("coordinator"))
    assert response.status_code == 200, response.get_json()
    return api
