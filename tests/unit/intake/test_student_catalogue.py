"""The student's catalogue (issue 15.2): through the sign-in link a student sees only the places of their period
they are eligible for, best fit first, filters them, and makes or changes a ranked top 3 until the wish
deadline; every refused choice is a field error naming the place, and the school sees the top 3."""

from __future__ import annotations

import re

import pytest

from stagepool_shared.auth import Principal
from stagepool_shared.web.accounts import Accounts

from tests.fakes.intake import PERIOD, PLACE, submission

PASSWORD = "correct horse battery"
SUPPORTED = {"support_offered": ["extra_supervision"], "offers_allowance": True}


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def post_place(api, **changes) -> str:
    body = {**PLACE, **SUPPORTED, "location": {"postcode": "9712"}, **changes}
    response = api.client.post("/api/v1/places", json=body, headers=api.as_("org_1"))
    assert response.status_code == 202, response.get_json()
    return response.get_json()["place_id"]


@pytest.fixture
def student(api):
    """A student (bol, study year 1, by bike within 45 minutes of 9711) with six places around."""
    response = api.client.post("/api/v1/wishes", json=submission(), headers=api.as_("school_a"))
    assert response.status_code == 202, response.get_json()
    api.ref = response.get_json()["student_ref"]
    api.places = {
        "best": post_place(api, organisation_name="Zorg Dichtbij", town="Groningen", competences=["b1-k1-w2"]),
        "near": post_place(api, organisation_name="Ziekenhuis Stad", org_type="ziekenhuis", activities=["triage"],
                           location={"postcode": "9711"}),
        "bbl": post_place(api, organisation_name="Alleen BBL", pathways=["bbl"]),
        "years": post_place(api, organisation_name="Derdejaars", study_years=[2, 3]),
        "far": post_place(api, organisation_name="Ver Weg", location={"postcode": "9401"}),
        "gone": post_place(api, organisation_name="Ingetrokken Zorg"),
    }
    assert api.client.delete(f"/api/v1/places/{api.places['gone']}", headers=api.as_("org_1")).status_code == 202
    token = api.wiring.accounts.renew_link(Principal(api.ref, "student", api.ref, "r-noord"))
    assert api.client.get(f"/s/{token}").status_code == 302
    api.csrf = csrf(api.client.get("/pages/student/catalogue").get_data(as_text=True))
    api.publisher.published.clear()
    return api


def page(api, query: str = "") -> tuple[int, str]:
    response = api.client.get(f"/pages/student/catalogue{query}")
    return response.status_code, response.get_data(as_text=True)


def cards(body: str) -> list[str]:
    """The names of the places shown as cards, in order."""
    return re.findall(r'<h3 id="place-[^"]+-name">([^<]+)</h3>', body)


def choose(api, *place_ids: str, kinds: tuple[str, ...] = ()):
    form = {f"choice_{rank}": pid for rank, pid in enumerate(place_ids, start=1)}
    data = {**form, "csrf_token": api.csrf, "preferred_org_types": list(kinds)}
    return api.client.post("/pages/student/catalogue/p2027a/top3", data=data)


def test_the_catalogue_shows_only_eligible_open_places_best_fit_first(student):
    status, body = page(student)
    assert status == 200
    assert cards(body) == ["Zorg Dichtbij", "Ziekenhuis Stad"]  # fits activity and kind, though farther
    for name in ("Alleen BBL", "Derdejaars", "Ver Weg", "Ingetrokken Zorg"):
        assert name not in body
    assert "2 van de 2 plaatsen" in body and "b1-k1-w2" in body and "Groningen" in body
    assert "<dd>adl support</dd>" in body and "<dd>adl_support" not in body  # an activity code in words
    assert '<option value="adl_support">adl support</option>' in body  # the filter keeps the code as its value


def test_the_catalogue_filters_by_kind_competence_and_travel_and_refuses_a_bad_filter(student):
    assert cards(page(student, "?org_type=ziekenhuis")[1]) == ["Ziekenhuis Stad"]
    assert cards(page(student, "?competence=b1-k1-w2")[1]) == ["Zorg Dichtbij"]
    assert cards(page(student, "?activity=adl_support")[1]) == ["Zorg Dichtbij"]
    assert cards(page(student, "?max_minutes=2")[1]) == ["Ziekenhuis Stad"]
    status, body = page(student, "?max_minutes=veel")
    assert status == 422 and "Typ een aantal minuten van 1 tot en met 240." in body


def test_a_ranked_top_3_is_published_and_the_school_sees_it(student):
    best, near = student.places["best"], student.places["near"]
    response = choose(student, near, best)
    assert response.status_code == 302
    [event] = student.publisher.events("wish.updated")
    assert event.payload.top_places == [near, best] and event.payload.student_ref == student.ref
    assert student.store.get_wish(student.ref, "p2027a").payload["top_places"] == [near, best]
    assert "Je top 3 is bewaard" in student.client.get(response.headers["Location"]).get_data(as_text=True)
    school = student.client.get(f"/api/v1/students/{student.ref}", headers=student.as_("school_a"))
    assert school.get_json()["wishes"][0]["criteria"]["top_places"] == [near, best]
    Accounts(student.wiring.redis_client).create_user(
        "school-a", PASSWORD, Principal("u-a", "school_staff", "school-a", "r-noord"))
    staff = student.client.application.test_client()
    login = csrf(staff.get("/login").get_data(as_text=True))
    staff.post("/login", data={"username": "school-a", "password": PASSWORD, "csrf_token": login})
    seen = staff.get(f"/pages/school/students/{student.ref}").get_data(as_text=True)
    assert re.search(r'<ol class="top3"><li>Ziekenhuis Stad \(pl_\w+\)</li><li>Zorg Dichtbij, Groningen', seen)


@pytest.mark.parametrize("which, message", [
    ("bbl", "Deze plaats past niet bij jouw opleiding en wensen: Alleen BBL"),
    ("years", "Deze plaats past niet bij jouw opleiding en wensen: Derdejaars"),
    ("gone", "Deze plaats is gesloten: Ingetrokken Zorg"),
])
def test_a_place_the_student_cannot_choose_is_a_field_error_naming_it(student, which, message):
    response = choose(student, student.places["best"], student.places[which])
    assert response.status_code == 422 and student.publisher.published == []
    assert message in response.get_data(as_text=True)


def test_a_place_of_another_period_is_a_field_error_naming_it(student):
    other = {**PERIOD, "period_id": "p2027b", "name": "Najaar 2027"}
    assert student.client.put("/api/v1/periods/p2027b", json=other, headers=student.as_("coordinator")).status_code == 200
    elsewhere = post_place(student, period_id="p2027b", organisation_name="Najaarszorg")
    response = choose(student, elsewhere)
    assert response.status_code == 422 and "Deze plaats is voor een andere periode: Najaarszorg" in response.get_data(as_text=True)


def test_an_empty_or_repeated_choice_is_a_field_error_and_nothing_changes(student):
    empty = choose(student)
    assert empty.status_code == 422 and "Kies minstens één plaats." in empty.get_data(as_text=True)
    twice = choose(student, student.places["best"], student.places["best"])
    assert twice.status_code == 422 and "Een plaats staat meer dan eens in de top 3." in twice.get_data(as_text=True)
    assert student.publisher.published == [] and student.store.get_wish(student.ref, "p2027a").payload["top_places"] == []


def test_after_the_wish_deadline_the_student_is_refused_and_the_school_still_enters_the_choice(student):
    closed = {**PERIOD, "wishes_until": "2026-01-31"}
    assert student.client.put("/api/v1/periods/p2027a", json=closed, headers=student.as_("coordinator")).status_code == 200
    refused = choose(student, student.places["best"])
    assert refused.status_code == 409 and "De termijn voor je top 3 is voorbij" in refused.get_data(as_text=True)
    assert student.publisher.published == []
    by_school = submission(wish_top_places=[student.places["near"]])
    assert student.client.post("/api/v1/wishes", json=by_school, headers=student.as_("school_a")).status_code == 202
    assert student.publisher.events("wish.updated")[0].payload.top_places == [student.places["near"]]


def test_only_a_student_reaches_the_catalogue(api):
    assert api.client.get("/pages/student/catalogue").status_code in (302, 401)


def test_the_student_also_sets_preferred_kinds_of_organisation_offered_in_the_catalogue(student):
    unknown = choose(student, student.places["best"], kinds=("bakkerij",))
    assert unknown.status_code == 422 and student.publisher.published == []
    assert "Geen plaats van deze soort in jouw overzicht: bakkerij." in unknown.get_data(as_text=True)
    assert choose(student, student.places["best"], kinds=("ziekenhuis", "vvt")).status_code == 302
    [event] = student.publisher.events("wish.updated")
    assert event.payload.preferred_org_types == ["ziekenhuis", "vvt"]
    assert re.search(r'value="ziekenhuis" checked', page(student)[1])


def test_the_school_sets_the_choice_of_its_own_student_also_after_the_deadline(student):
    from intake import commands
    from intake.errors import NotFound

    closed = {**PERIOD, "wishes_until": "2026-01-31"}
    assert student.client.put("/api/v1/periods/p2027a", json=closed, headers=student.as_("coordinator")).status_code == 200
    with pytest.raises(NotFound):
        commands.choose_top_places(student.wiring.deps, student.ref, "p2027a", [student.places["near"]],
                                   school_id="school-b")
    commands.choose_top_places(student.wiring.deps, student.ref, "p2027a", [student.places["near"]],
                               school_id="school-a")
    assert student.publisher.events("wish.updated")[0].payload.top_places == [student.places["near"]]
