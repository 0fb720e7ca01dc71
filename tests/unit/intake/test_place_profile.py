"""The objective place profile (issue 15.1): organisations fill it in on their page, through the API and in the
import; it travels in the place event (the matcher reads none of it), the description stays in intake, and
free text that asks for a personal characteristic (R40) gets a field error and publishes nothing."""

from __future__ import annotations

import pytest

from intake.domain.forbidden import personal_demand

from tests.fakes.intake import PLACE
from tests.unit.intake.test_intake_imports import as_csv, upload
from tests.unit.intake.test_pages_organisation import GOOD_PLACE, org, post  # noqa: F401 (fixture)

PROFILE_FORM = {
    "town": "Assen", "description": "Je helpt bewoners bij het opstaan en bij de maaltijd.",
    "competences": "b1-k1-w2, b1-k2-w1", "keuzedelen": "k0080", "supervisor_role": "practice_trainer",
    "supervision_hours": "6", "company_size": "medium", "allowance_per_month": "250", "early_shifts": "on",
    "weekend_shifts": "on", "accessibility": "wheelchair, lift",
}


@pytest.mark.parametrize("text, found", [
    ("Alleen meisjes, liefst zonder hoofddoek.", "Alleen meisjes"),
    ("Wij zoeken een native speaker.", "native speaker"),
    ("Kandidaat moet van Nederlandse afkomst zijn", "Nederlandse afkomst"),
    ("Je bent jonger dan 20 jaar", "jonger dan"),
    ("We prefer only women on this ward", "only women"),
])
def test_a_demand_about_a_personal_characteristic_is_found(text, found):
    assert personal_demand(text) == found


@pytest.mark.parametrize("text", [
    "Je helpt bij de persoonlijke verzorging en de medicatie; vroege diensten.",
    "Rolstoeltoegankelijk gebouw met lift, ov-halte voor de deur; minimumleeftijd volgt uit de wet.",
    "You prepare pages and layouts for the web shop.",
])
def test_a_description_of_the_work_passes_the_screen(text):
    assert personal_demand(text) is None


def test_the_profile_from_the_page_travels_in_the_event_and_the_description_stays_in_intake(org):  # noqa: F811
    response = post(org, "/pages/organisation/places/new", {**GOOD_PLACE, **PROFILE_FORM})
    assert response.status_code == 302, response.get_data(as_text=True)
    [event] = org.publisher.events("place.posted")
    payload = event.payload
    assert payload.town == "Assen" and payload.competences == ["b1-k1-w2", "b1-k2-w1"]
    assert payload.keuzedelen == ["k0080"] and payload.supervisor_role == "practice_trainer"
    assert payload.supervision_hours == 6 and payload.company_size == "medium" and payload.allowance_per_month == 250
    assert (payload.early_shifts, payload.evening_shifts, payload.weekend_shifts) == (True, False, True)
    assert payload.accessibility == ["wheelchair", "lift"] and not hasattr(payload, "description")
    stored = org.store.get_place(payload.place_id).payload
    assert stored["description"].startswith("Je helpt bewoners")
    form = org.client.get(f"/pages/organisation/places/{payload.place_id}/edit").get_data(as_text=True)
    assert "Je helpt bewoners" in form and 'value="wheelchair, lift"' in form


def test_a_personal_demand_in_the_description_is_a_field_error_and_publishes_nothing(org):  # noqa: F811
    response = post(org, "/pages/organisation/places/new",
                    {**GOOD_PLACE, **PROFILE_FORM, "description": "Alleen jongens, geen hoofddoek."})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and org.publisher.published == []
    assert 'id="f-description-error">Beschrijf het werk, niet de persoon: haal &#34;Alleen jongens&#34; weg' in body


def test_a_personal_demand_through_the_api_is_a_field_error_naming_the_field(api):
    response = api.client.post("/api/v1/places?lang=en", json={**PLACE, "town": "Assen", "description": "Only girls"},
                               headers=api.as_("org_1"))
    assert response.status_code == 422 and api.publisher.published == []
    assert "Describe the work, not the person" in str(response.get_json()["fields"]["description"])


def test_the_places_import_takes_the_profile_and_screens_its_description(api):
    headers = ["periode", "organisatienaam", "sector", "organisatietype", "postcode", "adres", "crebos", "niveaus",
               "plaatsen", "begeleidingscapaciteit", "plaatsnaam", "beschrijving", "vergoeding_per_maand",
               "avonddiensten", "toegankelijkheid", "bedrijfsgrootte", "begeleider", "begeleiding_uren_per_week"]
    good = ["p2027a", "Zorggroep", "zorg", "vvt", "9401", "Zorgweg 2", "25491", "2|3", "3", "2", "Assen",
            "Zorg voor ouderen", "300", "ja", "lift", "small", "manager", "4"]
    bad = good[:11] + ["Geen hoofddoekje a.u.b."] + good[12:]
    refused = upload(api, "places", as_csv(headers, [good, bad], delimiter=","), who="org_1")
    assert refused.status_code == 422 and api.publisher.published == []
    [problem] = refused.get_json()["errors"]
    assert problem["row"] == 3 and problem["column"] == "beschrijving" and "hoofddoekje" in problem["message"]
    accepted = upload(api, "places", as_csv(headers, [good], delimiter=","), who="org_1")
    assert accepted.status_code == 202, accepted.get_json()
    [event] = api.publisher.events("place.posted")
    assert (event.payload.allowance_per_month, event.payload.evening_shifts, event.payload.town) == (300, True, "Assen")
    assert event.payload.company_size == "small" and event.payload.supervision_hours == 4


def test_a_name_is_not_screened_as_a_demand(api):
    body = {**PLACE, "organisation_name": "Origin Zorg", "town": "Ras", "description": "Je helpt bij de ADL."}
    assert api.client.post("/api/v1/places", json=body, headers=api.as_("org_1")).status_code == 202
