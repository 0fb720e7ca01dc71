"""The student's catalogue through the API (issue 15.2; the demo's scripted variant-3 students use it): the same
eligible places in the same order as the page, and the top 3 set by the same rule: 202 with wish.updated, a
field error naming a place the student may not choose, 409 after the wish deadline, nothing published then."""

from __future__ import annotations

from tests.fakes.intake import PERIOD
from tests.unit.intake.test_student_catalogue import cards, page, student  # noqa: F401  (the fixture)
from tests.unit.intake.test_variant_choice import bearer

CATALOGUE = "/api/v1/catalogue/p2027a"


def test_the_api_lists_the_places_the_page_shows_in_the_same_order(student):
    answer = student.client.get(CATALOGUE, headers=bearer(student))
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert [p["organisation_name"] for p in body["places"]] == cards(page(student)[1]) == ["Zorg Dichtbij",
                                                                                          "Ziekenhuis Stad"]
    assert body["top_places"] == [] and body["open"] is True and body["wishes_until"] is None


def test_a_student_sets_a_ranked_top_3_through_the_api(student):
    near, best = student.places["near"], student.places["best"]
    answer = student.client.put(f"{CATALOGUE}/top3", json={"top_places": [near, best]}, headers=bearer(student))
    assert answer.status_code == 202, answer.get_json()
    [event] = student.publisher.events("wish.updated")
    assert event.payload.top_places == [near, best]
    assert student.client.get(CATALOGUE, headers=bearer(student)).get_json()["top_places"] == [near, best]


def test_a_place_the_student_may_not_choose_is_a_field_error_naming_it_and_nothing_is_published(student):
    for names, message in ((("far",), "You are not eligible for this place: Ver Weg"),
                           (("gone",), "This place is closed: Ingetrokken Zorg"),
                           (("best", "best"), "A place appears more than once in the top 3."),
                           ((), "Choose at least one place.")):
        body = {"top_places": [student.places[n] for n in names]}
        answer = student.client.put(f"{CATALOGUE}/top3?lang=en", json=body, headers=bearer(student))
        assert answer.status_code == 422, names
        assert any(m.startswith(message) for m in answer.get_json()["fields"]["top_places"]), answer.get_json()
    answer = student.client.put(f"{CATALOGUE}/top3", json={"top_places": ["no such id!"]}, headers=bearer(student))
    assert answer.status_code == 422
    assert student.publisher.events() == []


def test_after_the_wish_deadline_the_top_3_is_refused_and_another_period_is_not_found(student):
    student.client.put("/api/v1/periods/p2027a", json={**PERIOD, "wishes_until": "2026-01-31"},
                       headers=student.as_("coordinator"))
    late = student.client.put(f"{CATALOGUE}/top3", json={"top_places": [student.places["best"]]},
                              headers=bearer(student))
    assert late.status_code == 409
    assert student.client.get("/api/v1/catalogue/p2099z", headers=bearer(student)).status_code == 404
    assert student.client.get(CATALOGUE, headers=student.as_("school_a")).status_code == 403
    assert student.publisher.events() == []
