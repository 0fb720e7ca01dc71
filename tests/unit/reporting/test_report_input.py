"""Input hygiene at reporting's edge (issue 19.7): the period report's ids are checked (an unknown period is
404, CR LF is 422, never 500) and booleans are strict JSON true/false."""

from __future__ import annotations

from typing import Any

import pytest
from marshmallow import ValidationError

from reporting.schemas import ContactMomentSchema, EvaluationSchema, NewReportSchema, NotSuitableSchema
from tests.fakes.reporting import PERIOD, REGION


@pytest.fixture
def coordinator(wiring) -> tuple[Any, dict[str, str]]:
    token = wiring.tokens.issue("usr-coord", "regional_coordinator", REGION, region_id=REGION)
    return wiring.app().test_client(), {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize("fmt", ["html", "csv"])
def test_the_report_of_a_known_period_is_served(coordinator, fmt: str) -> None:
    client, headers = coordinator
    assert client.get(f"/api/v1/reports/{REGION}/{PERIOD}.{fmt}", headers=headers).status_code == 200


@pytest.mark.parametrize("fmt", ["html", "csv"])
def test_an_unknown_period_is_not_found(coordinator, fmt: str) -> None:
    client, headers = coordinator
    response = client.get(f"/api/v1/reports/{REGION}/2099-p9.{fmt}", headers=headers)
    assert response.status_code == 404
    assert response.get_json()["error"] == "not_found"


@pytest.mark.parametrize("period", ["2027-p1%0D%0AX-Injected:%201", "2027-p1%0A", "%20", "a%00b"])
def test_a_period_id_with_control_characters_is_refused_with_422(coordinator, period: str) -> None:
    client, headers = coordinator
    response = client.get(f"/api/v1/reports/{REGION}/{period}.csv", headers=headers)
    assert response.status_code == 422, response.get_data(as_text=True)[:200]
    assert "period_id" in response.get_json()["fields"]
    assert "X-Injected" not in response.headers


@pytest.mark.parametrize(("schema", "body", "name"), [
    (NewReportSchema, {"anonymous": "yes"}, "anonymous"),
    (NewReportSchema, {"alternative_placement_needed": 1}, "alternative_placement_needed"),
    (NotSuitableSchema, {"period_id": PERIOD, "reason_code": "other", "after_introduction": "true"},
     "after_introduction"),
    (ContactMomentSchema, {"period_id": PERIOD, "date": "2027-03-01", "kind": "visit", "signal": "on"}, "signal"),
    (EvaluationSchema, {"period_id": PERIOD, "satisfaction": 4, "would_again": "yes"}, "would_again"),
])
def test_a_boolean_is_only_json_true_or_false(schema: type, body: dict[str, Any], name: str) -> None:
    with pytest.raises(ValidationError) as refused:
        schema().load(body)
    assert name in refused.value.messages


def test_the_filing_api_refuses_yes_for_anonymous(wiring) -> None:
    token = wiring.tokens.issue("usr-s", "student", "stu_x", region_id=REGION)
    response = wiring.app().test_client().post("/api/v1/desk/reports", json={"anonymous": "yes"},
                                                headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 422
    assert "anonymous" in response.get_json()["fields"]
