"""Organisation staff pages of intake: their places; post, edit and withdraw with field-level messages."""

from __future__ import annotations

import re

import pytest

from stagepool_shared.auth import Principal
from stagepool_shared.web.accounts import Accounts

PASSWORD = "correct horse battery"
GOOD_PLACE = {
    "period_id": "p2027a", "organisation_name": "Zorggroep Noord", "sector": "zorg", "org_type": "vvt",
    "location.postcode": "9401", "address": "Zorgweg 2, Assen", "crebos": "25491, 25498", "levels": "2, 3",
    "slots": "4", "supervision_capacity": "2", "min_age": "16", "offers_allowance": "on",
    "contact.name": "Mevr. de Vries", "contact.email": "stage@zorggroep.example",
}


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def org(api):
    Accounts(api.wiring.redis_client).create_user(
        "org-1", PASSWORD, Principal("u-o1", "organisation_staff", "org-1", "r-noord"))
    login_token = csrf(api.client.get("/login").get_data(as_text=True))
    landing = api.client.post("/login", data={"username": "org-1", "password": PASSWORD, "csrf_token": login_token})
    assert landing.headers["Location"].endswith("/pages/organisation")
    api.csrf = csrf(api.client.get("/pages/organisation/places/new").get_data(as_text=True))
    return api


def post(org, path: str, form: dict[str, str]):
    return org.client.post(path, data={**form, "csrf_token": org.csrf})


def test_an_organisation_without_places_is_told_so_and_offered_the_form(org):
    body = org.client.get("/pages/organisation").get_data(as_text=True)
    assert "nog geen plaatsen" in body and "/pages/organisation/places/new" in body


def test_a_bad_place_form_shows_each_message_next_to_its_field_and_publishes_nothing(org):
    response = post(org, "/pages/organisation/places/new",
                    {**GOOD_PLACE, "crebos": "25491, abc", "slots": "vier", "levels": "", "contact.email": "nope"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and org.publisher.published == []
    assert 'id="f-crebos-error">De tekst heeft niet de verwachte vorm.' in body
    assert 'id="f-slots-error">Geen geldig geheel getal.' in body
    assert 'id="f-levels-error">Dit veld is verplicht.' in body
    assert 'id="f-contact-email-error">Geen geldig e-mailadres.' in body
    assert re.search(r'id="f-slots" name="slots" type="text" value="vier"[^>]*aria-invalid="true"', body)
    assert 'value="Zorggroep Noord"' in body and "Controleer het formulier" in body


def test_a_valid_place_is_posted_and_listed(org):
    response = post(org, "/pages/organisation/places/new", GOOD_PLACE)
    assert response.status_code == 302
    [event] = org.publisher.events("place.posted")
    assert event.payload.crebos == ["25491", "25498"] and event.payload.levels == [2, 3]
    assert event.payload.offers_allowance is True and not hasattr(event.payload, "contact")  # issue 19.4
    assert org.store.get_place(event.payload.place_id).payload["contact"]["name"] == "Mevr. de Vries"
    body = org.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "De plaats is geplaatst." in body and "Zorggroep Noord" in body and "25491, 25498" in body


def test_a_place_is_edited_with_its_values_prefilled_and_then_withdrawn(org):
    post(org, "/pages/organisation/places/new", GOOD_PLACE)
    place_id = org.publisher.events("place.posted")[0].payload.place_id
    form = org.client.get(f"/pages/organisation/places/{place_id}/edit").get_data(as_text=True)
    assert 'value="25491, 25498"' in form and re.search(r'id="f-offers_allowance"[^>]*checked', form)
    bad = post(org, f"/pages/organisation/places/{place_id}/edit", {**GOOD_PLACE, "slots": "-1"})
    assert bad.status_code == 422 and org.publisher.events("place.updated") == []
    assert post(org, f"/pages/organisation/places/{place_id}/edit", {**GOOD_PLACE, "slots": "6"}).status_code == 302
    assert org.publisher.events("place.updated")[0].payload.slots == 6
    assert post(org, f"/pages/organisation/places/{place_id}/withdraw", {"confirmed": "1"}).status_code == 302
    assert len(org.publisher.events("place.withdrawn")) == 1
    assert "Ingetrokken" in org.client.get("/pages/organisation").get_data(as_text=True)
    assert org.client.get(f"/pages/organisation/places/{place_id}/edit").status_code == 404


def test_another_organisations_place_is_not_found(org, api):
    from tests.fakes.intake import PLACE

    api.client.post("/api/v1/places", json=PLACE, headers=api.as_("org_2"))
    foreign = api.publisher.events("place.posted")[0].payload.place_id
    assert org.client.get(f"/pages/organisation/places/{foreign}/edit").status_code == 404
    assert post(org, f"/pages/organisation/places/{foreign}/withdraw", {}).status_code == 404
    assert post(org, f"/pages/organisation/places/{foreign}/withdraw", {"confirmed": "1"}).status_code == 404
    assert api.publisher.events("place.withdrawn") == []


def test_an_unknown_period_is_a_message_next_to_the_period(org):
    response = post(org, "/pages/organisation/places/new", {**GOOD_PLACE, "period_id": "p-none"})
    assert response.status_code == 422
    assert 'id="f-period_id-error">' in response.get_data(as_text=True)
    assert org.publisher.published == []


def test_withdrawing_a_place_asks_for_confirmation_first_without_javascript(org):
    """Issue 14.13: withdrawing cannot be undone, so a confirm page comes first; nothing is published before."""
    post(org, "/pages/organisation/places/new", GOOD_PLACE)
    place_id = org.publisher.events("place.posted")[0].payload.place_id
    listing = org.client.get("/pages/organisation").get_data(as_text=True)
    assert re.search(r'<button type="submit" class="link">Intrekken', listing)  # styled as a visible link (CSS)
    first = post(org, f"/pages/organisation/places/{place_id}/withdraw", {})
    body = first.get_data(as_text=True)
    assert first.status_code == 200 and "Deze plaats intrekken?" in body and "Zorggroep Noord" in body
    assert 'name="confirmed" value="1"' in body and 'href="/pages/organisation"' in body and "<script" not in body
    assert org.publisher.events("place.withdrawn") == []
    assert post(org, f"/pages/organisation/places/{place_id}/withdraw", {"confirmed": "1"}).status_code == 302
    assert len(org.publisher.events("place.withdrawn")) == 1
