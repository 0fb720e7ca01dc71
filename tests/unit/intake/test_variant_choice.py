"""What a student sees and does per matching variant (issue 15.3, 15.4): the catalogue says which variant
applies and what happens without a choice; a variant-2 student chooses (or ranks) the candidates offered until
the period's choice deadline, the choice goes into the round as their top wishes, and every bad choice is a
field error (or, after the deadline, a clear refusal) with nothing published."""

from __future__ import annotations

import re

import pytest

from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.variants import CandidatesOffered

from intake.handlers import handle
from tests.fakes.intake import PERIOD
from tests.unit.intake.test_student_catalogue import page, student  # noqa: F401  (the fixture)


def set_variant(api, variant: int, k: int = 3) -> None:
    answer = api.client.put("/api/v1/variants", json={"period_id": "p2027a", "crebo": "25491", "variant": variant,
                                                      "candidates": k}, headers=api.as_("school_a"))
    assert answer.status_code == 202, answer.get_json()
    api.publisher.published.clear()


def offer(api, *names: str) -> list[str]:
    """The matcher's offer of candidates (the handler of W4's offer event writes the same store)."""
    ids = [api.places[n] for n in names]
    api.wiring.deps.planning.put_candidates(api.ref, "p2027a", ids)
    return ids


def choose(api, *place_ids: str, lang: str = ""):
    data = {"csrf_token": api.csrf, **{f"candidate_{r}": p for r, p in enumerate(place_ids, start=1)}}
    return api.client.post(f"/pages/student/catalogue/p2027a/choice{lang}", data=data)


def test_without_a_setting_the_catalogue_says_the_school_makes_the_match(student):
    status, body = page(student)
    assert status == 200 and 'data-variant="1"' in body
    assert "Je school maakt de match" in body and "top3-title" in body


def test_a_variant_3_student_reads_that_their_top_3_goes_into_the_round(student):
    set_variant(student, 3)
    _, body = page(student, "?lang=en")
    assert 'data-variant="3"' in body and "Your top 3 goes into the round as your wishes" in body


def test_a_variant_2_student_before_the_offer_reads_what_happens_and_keeps_the_top_3_form(student):
    set_variant(student, 2, k=4)
    _, body = page(student)
    assert 'data-variant="2"' in body and "4 plaatsen aangeboden" in body
    assert "houd je de plaats die de matcher voor je koos" in body  # what happens without a choice (15.4)
    assert "kandidaatplaatsen zijn er nog niet" in body and "top3-title" in body


def test_a_variant_2_student_chooses_a_candidate_and_it_becomes_their_first_wish(student):
    set_variant(student, 2)
    best, near = offer(student, "best", "near")
    _, body = page(student)
    assert 'id="choice-form"' in body and "Zorg Dichtbij" in body and "top3-title" not in body
    candidates = body.split('id="candidates">')[1].split("</ol>")[0]
    assert re.findall(r"<li>([^<]+)</li>", candidates) == ["Zorg Dichtbij, Groningen (4 min)",
                                                           "Ziekenhuis Stad, 9711 (0 min)"]  # no place ids
    answer = choose(student, near, best)
    assert answer.status_code == 302
    [event] = student.publisher.events("wish.updated")
    assert event.payload.top_places == [near, best] and event.payload.student_ref == student.ref
    assert event.payload.candidate_choice == [near, best]  # the student's own choice, apart from a top 3
    assert student.store.get_wish(student.ref, "p2027a").payload["top_places"] == [near, best]
    assert "Je keuze is bewaard" in page(student, "?chose=1")[1]


@pytest.mark.parametrize("picked, message", [
    ((), "Choose one of the places offered."),
    (("near", "near"), "A place appears more than once in your choice."),
    (("far",), "This place was not offered to you: Ver Weg"),
])
def test_a_bad_choice_is_a_field_error_and_nothing_is_published(student, picked, message):
    set_variant(student, 2)
    offer(student, "best", "near")
    answer = choose(student, *[student.places[p] for p in picked], lang="?lang=en")
    assert answer.status_code == 422
    assert message in answer.get_data(as_text=True)
    assert student.publisher.events() == []
    assert student.store.get_wish(student.ref, "p2027a").payload.get("top_places", []) == []


def test_a_candidate_withdrawn_after_the_offer_is_a_field_error_naming_it_and_nothing_is_published(student):
    set_variant(student, 2)
    _, near = offer(student, "best", "near")
    assert student.client.delete(f"/api/v1/places/{near}", headers=student.as_("org_1")).status_code == 202
    student.publisher.published.clear()
    answer = choose(student, near, lang="?lang=en")
    assert answer.status_code == 422 and f"This place is closed: Ziekenhuis Stad ({near})." in answer.get_data(
        as_text=True)
    assert student.publisher.events() == []


def test_a_choice_after_the_deadline_is_refused_clearly_and_nothing_changes(student):
    set_variant(student, 2)
    best, _ = offer(student, "best", "near")
    closed = {**PERIOD, "choices_until": "2026-01-01"}
    assert student.client.put("/api/v1/periods/p2027a", json=closed,
                              headers=student.as_("coordinator")).status_code == 200
    assert "De termijn om te kiezen is voorbij." in page(student)[1]
    answer = choose(student, best)
    assert answer.status_code == 409
    assert "Je houdt de plaats die de matcher koos." in answer.get_data(as_text=True)
    assert student.publisher.events() == []


def test_a_choice_deadline_before_the_wish_deadline_is_a_field_error(student):
    period = {**PERIOD, "wishes_until": "2027-01-10", "choices_until": "2027-01-05"}
    answer = student.client.put("/api/v1/periods/p2027a?lang=en", json=period, headers=student.as_("coordinator"))
    assert answer.status_code == 422
    assert answer.get_json()["fields"]["choices_until"] == ["The choice deadline comes before the wish deadline."]


def test_a_student_of_another_variant_or_without_an_offer_cannot_choose(student):
    assert choose(student, student.places["best"]).status_code == 404  # variant 1
    set_variant(student, 2)
    assert choose(student, student.places["best"]).status_code == 404  # no offer yet
    assert student.publisher.events() == []


# -- the API (the demo's scripted students choose through it) ---------------------------------------------------
def bearer(api) -> dict[str, str]:
    return {"Authorization": "Bearer " + api.wiring.tokens.issue(api.ref, "student", api.ref, region_id="r-noord")}


def test_a_variant_2_student_reads_the_offer_and_chooses_through_the_api(student):
    set_variant(student, 2, k=2)
    best, near = offer(student, "best", "near")
    view = student.client.get("/api/v1/choices/p2027a", headers=bearer(student)).get_json()
    assert (view["variant"], view["candidates"], view["offered"], view["chosen"], view["open"]) == (
        2, 2, [best, near], [], True)
    answer = student.client.post("/api/v1/choices/p2027a", json={"choice": [near]}, headers=bearer(student))
    assert answer.status_code == 202, answer.get_json()
    assert [e.payload.top_places for e in student.publisher.events("wish.updated")] == [[near]]
    assert student.client.get("/api/v1/choices/p2027a", headers=bearer(student)).get_json()["chosen"] == [near]


def test_the_api_refuses_a_bad_or_late_choice_and_publishes_nothing(student):
    set_variant(student, 2)
    best, _ = offer(student, "best", "near")
    answer = student.client.post("/api/v1/choices/p2027a?lang=en", json={"choice": [student.places["far"]]},
                                 headers=bearer(student))
    assert answer.status_code == 422
    assert answer.get_json()["fields"]["choice"][0].startswith("This place was not offered to you: Ver Weg")
    student.client.put("/api/v1/periods/p2027a", json={**PERIOD, "choices_until": "2026-01-01"},
                       headers=student.as_("coordinator"))
    late = student.client.post("/api/v1/choices/p2027a?lang=en", json={"choice": [best]}, headers=bearer(student))
    assert late.status_code == 409
    assert "The deadline to choose has passed; you keep the place the matcher picked." in late.get_data(as_text=True)
    assert student.publisher.events() == []


def test_the_matchers_offer_reaches_the_student_through_the_event(student):
    set_variant(student, 2)
    offer_ids = [student.places["near"], student.places["best"]]
    payload = CandidatesOffered("rnd-1", "r-noord", "p2027a", "school-a", student.ref, offer_ids)
    envelope = new_envelope("candidates.offered", payload, producer="matcher", partition_key="r-noord")
    handle(envelope, student.wiring.deps)
    handle(envelope, student.wiring.deps)  # redelivered: the same offer
    view = student.client.get("/api/v1/choices/p2027a", headers=bearer(student)).get_json()
    assert view["offered"] == offer_ids
    assert 'id="choice-form"' in page(student)[1]


def test_erasing_the_student_forgets_the_offer(student):
    offer(student, "best", "near")
    answer = student.client.delete(f"/api/v1/students/{student.ref}", headers=student.as_("school_a"))
    assert answer.status_code == 202
    assert student.wiring.deps.planning.candidates(student.ref, "p2027a") == []
