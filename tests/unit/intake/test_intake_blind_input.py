"""Personal characteristics are refused with the reason, in Dutch by default and in English on request."""

from __future__ import annotations

import pytest

from intake.domain.forbidden import forbidden_fields, is_forbidden_key
from tests.fakes.intake import PLACE, submission

FORBIDDEN = ["gender", "geslacht", "nationality", "Nationaliteit", "herkomst", "afkomst", "origin", "religion",
             "religie", "geloof", "photo", "foto", "photoUrl", "marital_status", "burgerlijke_staat",
             "burgerlijke-staat", "ethnicity", "country_of_birth", "geboorteplaats", "birthplace", "skin colour"]


@pytest.mark.parametrize("key", FORBIDDEN)
def test_a_personal_characteristic_in_the_wish_is_refused_in_dutch(api, key):
    body = submission()
    body["wish"][key] = "x"
    response = api.client.post("/api/v1/wishes", json=body, headers=api.as_("school_a"))
    assert response.status_code == 422
    assert response.get_json()["fields"][f"wish.{key}"] == ["geen objectief matchingscriterium"]
    assert api.publisher.published == []


def test_the_reason_is_in_english_on_request(api):
    body = submission()
    body["student"]["gender"] = "f"
    response = api.client.post("/api/v1/wishes?lang=en", json=body, headers=api.as_("school_a"))
    assert response.get_json()["fields"] == {"student.gender": ["not an objective matching criterion"]}


@pytest.mark.parametrize("key", ["name", "naam", "achternaam", "lastName", "leeftijd", "age"])
def test_a_name_or_age_inside_the_criteria_part_is_refused(api, key):
    body = submission()
    body["wish"][key] = "Jansen"
    response = api.client.post("/api/v1/wishes", json=body, headers=api.as_("school_a"))
    assert response.get_json()["fields"] == {f"wish.{key}": ["geen objectief matchingscriterium"]}


def test_a_place_asking_for_a_characteristic_is_refused(api):
    body = {**PLACE, "preferred_gender": "m"}
    response = api.client.post("/api/v1/places", json=body, headers=api.as_("org_1"))
    assert response.status_code == 422
    assert response.get_json()["fields"] == {"preferred_gender": ["geen objectief matchingscriterium"]}


def test_objective_fields_and_the_contact_name_are_not_flagged():
    assert forbidden_fields(submission(), criteria_keys=("wish",)) == {}
    assert forbidden_fields(PLACE) == {}
    assert not is_forbidden_key("original_value", in_criteria=True)


def test_an_unknown_field_is_refused_at_the_edge(api):
    body = submission()
    body["wish"]["priority"] = 1
    response = api.client.post("/api/v1/wishes?lang=en", json=body, headers=api.as_("school_a"))
    assert response.status_code == 422
    assert response.get_json()["fields"]["wish"]["priority"] == ["Unknown field."]
