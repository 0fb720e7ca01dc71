"""A school's webhook is checked when a coordinator registers it (issue 19.8): an https URL of a public host
is kept; a loopback, private, link-local (cloud metadata) or plain-http target is a 422 on webhook_url and
nothing is stored. The dev stack (STAGEPOOL_ENV=dev) allows http and local targets. DNS is a fake resolver."""

from __future__ import annotations

import pytest

from intake.bootstrap import bootstrap
from intake.config import Settings
from tests.fakes import FakeKeyValue, FakePublisher
from tests.fakes.intake import FakeIdempotencyStore, FakeIntakeStore
from tests.fakes.net import FakeResolver
from tests.unit.intake.conftest import ENV

PUBLIC = "93.184.216.34"
SCHOOL = {"school_id": "school-a", "name": "Noorderpoort", "contact_email": "bpv@school-a.example"}


class Coordinator:
    """Intake on doubles with a fake resolver, and the region's coordinator calling it."""

    def __init__(self, resolver: FakeResolver | None = None, **env: str) -> None:
        self.resolver = resolver or FakeResolver(hooks_school_example=[PUBLIC])
        self.store = FakeIntakeStore()
        wiring = bootstrap(Settings.from_env({**ENV, **env}), publisher=FakePublisher(), redis_client=FakeKeyValue(),
                           store=self.store, idempotency=FakeIdempotencyStore(), resolver=self.resolver)
        token = wiring.tokens.issue("u-c", "regional_coordinator", "r-noord", region_id="r-noord")
        self.client, self.headers = wiring.app().test_client(), {"Authorization": f"Bearer {token}"}

    def register(self, webhook_url: str, lang: str = "en"):
        return self.client.put(f"/api/v1/schools/school-a?lang={lang}", json={**SCHOOL, "webhook_url": webhook_url},
                               headers=self.headers)


def test_an_https_webhook_of_a_public_host_is_registered():
    coordinator = Coordinator()
    response = coordinator.register("https://hooks.school.example/stagepool")
    assert response.status_code == 200, response.get_json()
    assert coordinator.store.schools["school-a"].webhook_url == "https://hooks.school.example/stagepool"
    assert coordinator.resolver.asked == ["hooks.school.example"]


@pytest.mark.parametrize("address", ["127.0.0.1", "::1", "10.0.0.7", "172.20.1.1", "192.168.178.1", "fd00::5",
                                     "169.254.169.254", "fe80::1", "0.0.0.0", "224.0.0.251", "240.0.0.1"])
def test_a_webhook_resolving_to_a_non_public_address_is_a_field_error_and_nothing_is_stored(address):
    coordinator = Coordinator()
    coordinator.resolver.answer("hooks.school.example", address)
    response = coordinator.register("https://hooks.school.example/stagepool")
    assert response.status_code == 422
    body = response.get_json()
    assert list(body["fields"]) == ["webhook_url"]
    assert "not a local, private, link-local" in body["fields"]["webhook_url"][0]
    assert coordinator.store.schools == {}


@pytest.mark.parametrize("url", ["http://hooks.school.example/stagepool", "https://169.254.169.254/latest/meta-data/",
                                 "https://[::1]:8443/hook", "https://admin:pw@hooks.school.example/hook"])
def test_plain_http_an_address_in_the_url_and_credentials_are_refused(url):
    coordinator = Coordinator()
    assert coordinator.register(url).status_code == 422
    assert coordinator.store.schools == {}


def test_a_webhook_host_that_does_not_resolve_is_refused_in_dutch_by_default():
    coordinator = Coordinator()
    response = coordinator.register("https://nowhere.school.example/hook", lang="nl")
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"webhook_url": ["De host van de webhook is niet te vinden."]}
    assert coordinator.store.schools == {}


def test_the_dev_stack_allows_a_plain_http_webhook_on_loopback():
    coordinator = Coordinator(STAGEPOOL_ENV="dev")
    coordinator.resolver.answer("hooks.school.example", "127.0.0.1")
    assert coordinator.register("http://hooks.school.example:8099/hook").status_code == 200
    assert coordinator.store.schools["school-a"].webhook_url == "http://hooks.school.example:8099/hook"


def test_the_dev_stack_still_refuses_the_cloud_metadata_address():
    coordinator = Coordinator(STAGEPOOL_ENV="dev")
    assert coordinator.register("http://169.254.169.254/latest/meta-data/").status_code == 422
    assert coordinator.store.schools == {}


def test_a_school_without_a_webhook_asks_no_resolver():
    coordinator = Coordinator()
    response = coordinator.client.put("/api/v1/schools/school-a", json=SCHOOL, headers=coordinator.headers)
    assert response.status_code == 200 and coordinator.resolver.asked == []
