"""The region's sign-in mapping through intake's admin API (issue 19): only the coordinator keeps it, only for
their own region, every bad field answers 422 by name, a match held elsewhere 409; and API token rotation."""

from __future__ import annotations

import pytest

from intake.bootstrap import bootstrap
from intake.config import Settings
from stagepool_shared.auth import Principal
from stagepool_shared.web.federation import FederationMap, user_id_for

from tests.fakes import FakeKeyValue, FakePublisher
from tests.fakes.intake import FakeIdempotencyStore, FakeIntakeStore
from tests.unit.intake.conftest import ENV

PATH = "/api/v1/sign-in/mappings/"
RULE = {"mapping_id": "roc-noord", "kind": "email_domain", "value": "ROC-Noord.nl", "role": "school_staff",
        "scope": "school-a"}


class Intake:
    def __init__(self) -> None:
        self.wiring = bootstrap(Settings.from_env(ENV), publisher=FakePublisher(), redis_client=FakeKeyValue(),
                                store=FakeIntakeStore(), idempotency=FakeIdempotencyStore())
        self.client = self.wiring.app().test_client()
        tokens = self.wiring.tokens
        self.tokens = {
            "coordinator": tokens.issue("u-c", "regional_coordinator", "r-noord", region_id="r-noord"),
            "coordinator_zuid": tokens.issue("u-z", "regional_coordinator", "r-zuid", region_id="r-zuid"),
            "school": tokens.issue("u-a", "school_staff", "school-a", region_id="r-noord"),
        }
        for region, school in (("coordinator", "school-a"), ("coordinator_zuid", "school-z")):
            body = {"school_id": school, "name": school, "contact_email": f"bpv@{school}.nl"}
            assert self.put(f"/api/v1/schools/{school}", body, region).status_code == 200

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": "Bearer " + self.tokens[who]}

    def put(self, path: str, body: dict, who: str = "coordinator"):
        return self.client.put(path, json=body, headers=self.headers(who))


@pytest.fixture
def intake() -> Intake:
    return Intake()


def test_the_coordinator_maps_an_institution_and_its_staff_then_sign_in_with_that_role(intake):
    answer = intake.put(PATH + "roc-noord", RULE)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json() == {**RULE, "value": "roc-noord.nl", "claim": ""}
    listed = intake.client.get("/api/v1/sign-in/mappings", headers=intake.headers("coordinator")).get_json()
    assert listed == {"mappings": [answer.get_json()]}
    federation = FederationMap(intake.wiring.redis_client)
    principal = federation.principal_for("https://idp", {"sub": "p-1", "email": "a@roc-noord.nl"})
    assert principal == Principal(user_id_for("https://idp", "p-1"), "school_staff", "school-a", "r-noord")


def test_a_regional_role_is_scoped_to_the_coordinators_own_region(intake):
    body = {"mapping_id": "desk", "kind": "subject", "value": "sub-77", "role": "desk_staff"}
    assert intake.put(PATH + "desk", body).get_json()["scope"] == "r-noord"


@pytest.mark.parametrize("change, field", [
    ({"kind": "nickname"}, "kind"),
    ({"role": "student"}, "role"),
    ({"role": "service"}, "role"),
    ({"value": ""}, "value"),
    ({"value": "roc noord"}, "value"),
    ({"value": "a\u2028b"}, "value"),
    ({"scope": "bad id!"}, "scope"),
    ({"mapping_id": "other"}, "mapping_id"),
    ({"kind": "claim"}, "claim"),
    ({"claim": "schac_home_organization"}, "claim"),
    ({"extra": "x"}, "extra"),
    ({"scope": None}, "scope"),
])
def test_a_bad_field_answers_422_naming_it_and_stores_nothing(intake, change, field):
    body = {k: v for k, v in {**RULE, **change}.items() if v is not None}
    answer = intake.put(PATH + "roc-noord", body)
    assert answer.status_code == 422, answer.get_json()
    assert field in answer.get_json()["fields"]
    assert FederationMap(intake.wiring.redis_client).rules("r-noord") == {}


def test_the_messages_are_dutch_by_default_and_english_on_request(intake):
    body = {**RULE, "role": "desk_staff"}
    nl = intake.put(PATH + "roc-noord", body).get_json()["fields"]["scope"]
    en = intake.client.put(PATH + "roc-noord?lang=en", json=body, headers=intake.headers("coordinator"))
    assert nl != en.get_json()["fields"]["scope"]
    assert en.get_json()["fields"]["scope"] == ["A regional role's scope is the region itself: leave it out."]


def test_a_school_of_another_region_is_a_field_error(intake):
    answer = intake.put(PATH + "roc-noord", {**RULE, "scope": "school-z"})
    assert answer.status_code == 422 and "scope" in answer.get_json()["fields"]


def test_a_match_another_region_holds_is_a_conflict_and_its_rules_are_out_of_reach(intake):
    zuid = {**RULE, "mapping_id": "zuid", "scope": "school-z"}
    assert intake.put(PATH + "zuid", zuid, "coordinator_zuid").status_code == 200
    assert intake.put(PATH + "roc-noord", RULE).status_code == 409
    headers = intake.headers("coordinator")
    assert intake.client.delete(PATH + "zuid", headers=headers).status_code == 404
    assert intake.client.get("/api/v1/sign-in/mappings", headers=headers).get_json() == {"mappings": []}


def test_two_rules_of_one_region_cannot_match_the_same_thing(intake):
    assert intake.put(PATH + "roc-noord", RULE).status_code == 200
    answer = intake.put(PATH + "roc-noord-2", {**RULE, "mapping_id": "roc-noord-2", "value": "roc-noord.nl"})
    assert answer.status_code == 409
    assert list(FederationMap(intake.wiring.redis_client).rules("r-noord")) == ["roc-noord"]


def test_only_a_coordinator_keeps_the_mapping(intake):
    headers = intake.headers("school")
    assert intake.client.put(PATH + "roc-noord", json=RULE, headers=headers).status_code == 403
    assert intake.client.get("/api/v1/sign-in/mappings", headers=headers).status_code == 403
    assert intake.client.get("/api/v1/sign-in/mappings").status_code == 401


def test_a_deleted_rule_maps_nobody(intake):
    intake.put(PATH + "roc-noord", RULE)
    assert intake.client.delete(PATH + "roc-noord", headers=intake.headers("coordinator")).status_code == 204
    federation = FederationMap(intake.wiring.redis_client)
    assert federation.principal_for("https://idp", {"sub": "p-1", "email": "a@roc-noord.nl"}) is None


def test_a_replaced_rule_no_longer_matches_its_old_value(intake):
    intake.put(PATH + "roc-noord", RULE)
    assert intake.put(PATH + "roc-noord", {**RULE, "value": "roc-noord.eu"}).status_code == 200
    federation = FederationMap(intake.wiring.redis_client)
    assert federation.principal_for("https://idp", {"sub": "p", "email": "a@roc-noord.nl"}) is None
    assert federation.principal_for("https://idp", {"sub": "p", "email": "a@roc-noord.eu"}) is not None


def test_rotating_a_token_answers_a_new_one_and_the_old_one_stops_working(intake):
    old = intake.headers("school")
    answer = intake.client.post("/api/v1/tokens/rotate", headers=old)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["token"].startswith("sp_") and body["expires_at"].endswith("+00:00")
    assert intake.client.get("/api/v1/periods", headers=old).status_code == 401
    new = {"Authorization": "Bearer " + body["token"]}
    assert intake.client.get("/api/v1/periods", headers=new).status_code == 200
    assert intake.client.post("/api/v1/tokens/rotate", headers=old).status_code == 401
