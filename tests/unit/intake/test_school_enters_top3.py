"""The school's path for a student's choices (issue 15.2): a school's re-submission of a wish keeps the student's
top 3 and preferred kinds of organisation unless it gives them (API, page form, import; an empty list clears);
the school's top 3 is checked with the catalogue's rule, naming the place; and the school's student page shows
the preferred kinds and has a top-3 form of the places the student is eligible for."""

from __future__ import annotations

import copy
import re

import pytest

from stagepool_shared.auth import Principal
from stagepool_shared.web.accounts import Accounts

from tests.fakes.intake import PERIOD, submission
from tests.unit.intake.test_intake_imports import HEADERS, as_csv, upload, wish_row
from tests.unit.intake.test_student_catalogue import PASSWORD, choose, csrf, student  # noqa: F401


def stored(api) -> dict:
    return api.store.get_wish(api.ref, "p2027a").payload


@pytest.fixture
def chosen(student):  # noqa: F811
    """The student chose [best, near] and the kinds [ziekenhuis] in their catalogue."""
    places = student.places
    assert choose(student, places["best"], places["near"], kinds=("ziekenhuis",)).status_code == 302
    student.publisher.published.clear()
    return student


@pytest.fixture
def staff(chosen):
    """A signed-in member of the student's school, on its own client."""
    Accounts(chosen.wiring.redis_client).create_user(
        "school-a", PASSWORD, Principal("u-a", "school_staff", "school-a", "r-noord"))
    client = chosen.client.application.test_client()
    token = csrf(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"username": "school-a", "password": PASSWORD, "csrf_token": token}).status_code == 302
    client.token = csrf(client.get("/pages/school/wish").get_data(as_text=True))
    return client


def without_choices() -> dict:
    body = submission(wish_level=3, wish_max_travel_minutes=50)  # the school corrects the travel time
    del body["wish"]["preferred_org_types"]
    return body


def test_a_school_resubmission_through_the_api_keeps_the_students_choices_and_an_empty_list_clears(chosen):
    best, near = chosen.places["best"], chosen.places["near"]
    response = chosen.client.post("/api/v1/wishes", json=without_choices(), headers=chosen.as_("school_a"))
    assert response.status_code == 202, response.get_json()
    [event] = chosen.publisher.events("wish.updated")
    assert (event.payload.top_places, event.payload.preferred_org_types) == ([best, near], ["ziekenhuis"])
    assert event.payload.max_travel_minutes == 50
    assert (stored(chosen)["top_places"], stored(chosen)["preferred_org_types"]) == ([best, near], ["ziekenhuis"])
    cleared = without_choices()
    cleared["wish"] |= {"top_places": [], "preferred_org_types": []}
    assert chosen.client.post("/api/v1/wishes", json=cleared, headers=chosen.as_("school_a")).status_code == 202
    assert (stored(chosen)["top_places"], stored(chosen)["preferred_org_types"]) == ([], [])


def test_a_school_resubmission_through_the_wish_form_keeps_the_students_choices(chosen, staff):
    form = {"student.student_number": "S1001", "student.name": "Noor Bakker", "student.email": "noor@example.org",
            "student.date_of_birth": "2009-03-15", "wish.period_id": "p2027a", "wish.sector": "zorg",
            "wish.crebo": "25491", "wish.level": "3", "wish.study_year": "1", "wish.pathway": "bol",
            "wish.home.postcode": "9711 AB", "wish.max_travel_minutes": "50", "wish.transport_mode": "bike",
            "wish.needs_allowance": "on", "wish.activities": "adl_support", "csrf_token": staff.token}
    response = staff.post("/pages/school/wish", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert stored(chosen)["max_travel_minutes"] == 50
    assert stored(chosen)["top_places"] == [chosen.places["best"], chosen.places["near"]]
    assert stored(chosen)["preferred_org_types"] == ["ziekenhuis"]


def test_a_school_reimport_keeps_the_students_choices_when_the_cells_are_empty_and_a_dash_clears(chosen):
    row = wish_row(1001, postcode="9711 AB", max_reistijd_minuten="50", voorkeur_organisatietypes="")
    assert upload(chosen, "wishes", as_csv(HEADERS, [row])).status_code == 202
    assert stored(chosen)["top_places"] == [chosen.places["best"], chosen.places["near"]]
    assert stored(chosen)["preferred_org_types"] == ["ziekenhuis"] and stored(chosen)["max_travel_minutes"] == 50
    row = wish_row(1001, postcode="9711 AB", top3_plaatsen="-", voorkeur_organisatietypes="-")
    assert upload(chosen, "wishes", as_csv(HEADERS, [row])).status_code == 202
    assert (stored(chosen)["top_places"], stored(chosen)["preferred_org_types"]) == ([], [])


@pytest.mark.parametrize("which, message", [
    ("bbl", "Deze plaats past niet bij de opleiding en wensen van de student: Alleen BBL ("),
    ("years", "Deze plaats past niet bij de opleiding en wensen van de student: Derdejaars ("),
    ("gone", "Deze plaats is gesloten: Ingetrokken Zorg ("),
])
def test_the_schools_top_3_through_the_api_is_checked_like_the_catalogue_naming_the_place(chosen, which, message):
    before = copy.deepcopy(stored(chosen))
    body = submission(wish_top_places=[chosen.places["best"], chosen.places[which]])
    response = chosen.client.post("/api/v1/wishes", json=body, headers=chosen.as_("school_a"))
    assert response.status_code == 422
    [text] = response.get_json()["fields"]["wish.top_places"]
    assert text.startswith(message) and chosen.places[which] in text
    assert chosen.publisher.published == [] and stored(chosen) == before


def test_the_schools_top_3_through_the_import_is_checked_like_the_catalogue(chosen):
    row = wish_row(1001, postcode="9711 AB", top3_plaatsen=chosen.places["bbl"])
    response = upload(chosen, "wishes", as_csv(HEADERS, [row]))
    assert response.status_code == 422 and chosen.publisher.published == []
    [error] = response.get_json()["errors"]
    assert error["column"] == "top3_plaatsen" and error["message"].startswith(
        "Deze plaats past niet bij de opleiding en wensen van de student: Alleen BBL (")
    assert stored(chosen)["top_places"] == [chosen.places["best"], chosen.places["near"]]


def test_the_schools_student_page_shows_the_kinds_and_a_top_3_form_of_eligible_places(chosen, staff):
    body = staff.get(f"/pages/school/students/{chosen.ref}").get_data(as_text=True)
    assert '<td class="kinds">ziekenhuis</td>' in body
    form = body[body.index('name="choice_1"'):body.index("</select>", body.index('name="choice_1"'))]
    # the student's catalogue, best fit first: near now fits the preferred kind too; bbl, years, far, gone are not offered
    assert re.findall(r'<option value="(pl_\w+)"', form) == [chosen.places["near"], chosen.places["best"]]
    assert f'<option value="{chosen.places["best"]}" selected>Zorg Dichtbij, Groningen' in form
    assert re.search(r'value="ziekenhuis" checked', body)


def test_the_school_enters_the_top_3_on_the_student_page_also_after_the_deadline(chosen, staff):
    closed = {**PERIOD, "wishes_until": "2026-01-31"}
    assert chosen.client.put("/api/v1/periods/p2027a", json=closed, headers=chosen.as_("coordinator")).status_code == 200
    near = chosen.places["near"]
    response = staff.post(f"/pages/school/students/{chosen.ref}/top3", data={
        "period_id": "p2027a", "choice_1": near, "preferred_org_types": ["vvt"], "csrf_token": staff.token})
    assert response.status_code == 302
    [event] = chosen.publisher.events("wish.updated")
    assert (event.payload.top_places, event.payload.preferred_org_types) == ([near], ["vvt"])
    assert "Vastgelegd: de top 3 van de student." in staff.get(response.headers["Location"]).get_data(as_text=True)


def test_a_place_the_student_cannot_have_on_the_student_page_is_a_field_error_and_nothing_changes(chosen, staff):
    before = copy.deepcopy(stored(chosen))
    response = staff.post(f"/pages/school/students/{chosen.ref}/top3", data={
        "period_id": "p2027a", "choice_1": chosen.places["near"], "choice_2": chosen.places["bbl"],
        "preferred_org_types": ["ziekenhuis"], "csrf_token": staff.token})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and chosen.publisher.published == [] and stored(chosen) == before
    assert "Deze plaats past niet bij de opleiding en wensen van de student: Alleen BBL (" in body
    assert f'<option value="{chosen.places["near"]}" selected>' in body  # what was typed stays
