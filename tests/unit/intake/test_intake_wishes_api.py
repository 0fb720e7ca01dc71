"""A school submits, reads, withdraws and erases wishes through the API; only objective data is published."""

from __future__ import annotations

import json

from tests.fakes.intake import CANARY_EMAIL, CANARY_NAME, submission


def _submit(api, who="school_a", body=None, **headers):
    return api.client.post("/api/v1/wishes", json=body or submission(), headers=api.as_(who, **headers))


def test_a_submitted_wish_is_accepted_with_the_event_id_of_the_published_event(api):
    response = _submit(api)
    assert response.status_code == 202
    [event] = api.publisher.events("wish.submitted")
    assert response.get_json()["event_id"] == event.event_id
    assert event.payload.student_ref == response.get_json()["student_ref"]


def test_the_published_wish_carries_no_personal_data(api):
    _submit(api)
    [event] = api.publisher.events()
    wire = json.dumps(event.payload.__dict__, default=lambda o: o.__dict__)
    for secret in (CANARY_NAME, CANARY_EMAIL, "S1001", "2009-03-15", "Grote Markt", "9711 AB", "klein team"):
        assert secret not in wire


def test_the_wish_has_the_age_at_the_period_start_and_a_coarse_home(api):
    _submit(api)
    wish = api.publisher.events()[0].payload
    assert wish.age_at_start == 17
    assert (wish.home.pc4, wish.home.lat, wish.home.lon) == ("9711", 53.22, 6.57)
    assert wish.region_id == "r-noord"


def test_explicit_coordinates_are_rounded_to_two_decimals(api):
    body = submission(wish_home={"postcode": "9999 ZZ", "lat": 53.123456, "lon": 6.987654})
    assert _submit(api, body=body).status_code == 202
    home = api.publisher.events()[0].payload.home
    assert (home.pc4, home.lat, home.lon) == ("9999", 53.12, 6.99)


def test_an_unknown_postcode_area_without_coordinates_is_refused_at_its_field(api):
    response = _submit(api, body=submission(wish_home={"postcode": "1011"}), **{"Accept-Language": "en"})
    assert response.status_code == 422
    assert "wish.home.postcode" in response.get_json()["fields"]
    assert api.publisher.published == []


def test_a_second_submission_for_the_same_student_and_period_is_an_update(api):
    _submit(api)
    _submit(api, body=submission(wish_level=2))
    assert [e.event_type for e in api.publisher.events()] == ["wish.submitted", "wish.updated"]


def test_the_school_reads_its_own_student_with_personal_data_and_leerwens(api):
    ref = _submit(api).get_json()["student_ref"]
    body = api.client.get(f"/api/v1/students/{ref}", headers=api.as_("school_a")).get_json()
    assert body["student"]["name"] == CANARY_NAME
    assert body["wishes"][0]["leerwens"].startswith("Ik wil")
    assert api.client.get("/api/v1/students", headers=api.as_("school_a")).get_json()["student_refs"] == [ref]


def test_another_school_gets_404_for_a_student_exactly_like_for_a_missing_one(api):
    ref = _submit(api).get_json()["student_ref"]
    foreign = api.client.get(f"/api/v1/students/{ref}", headers=api.as_("school_b"))
    missing = api.client.get("/api/v1/students/stu_doesnotexist", headers=api.as_("school_b"))
    assert foreign.status_code == missing.status_code == 404
    assert foreign.get_json() == missing.get_json()
    assert api.client.delete(f"/api/v1/students/{ref}", headers=api.as_("school_b")).status_code == 404
    assert api.client.get("/api/v1/students", headers=api.as_("school_b")).get_json()["student_refs"] == []


def test_organisation_staff_never_reach_student_data(api):
    ref = _submit(api).get_json()["student_ref"]
    assert api.client.get(f"/api/v1/students/{ref}", headers=api.as_("org_1")).status_code == 403
    assert _submit(api, who="org_1").status_code == 403


def test_a_request_without_a_token_is_401(api):
    assert api.client.post("/api/v1/wishes", json=submission()).status_code == 401


def test_withdraw_and_opt_out_publish_their_events_once(api):
    ref = _submit(api).get_json()["student_ref"]
    url = f"/api/v1/students/{ref}/wishes/p2027a"
    assert api.client.post(url + "/withdraw", json={"reason": "postponed"}, headers=api.as_("school_a")).status_code == 202
    assert api.client.post(url + "/withdraw", json={}, headers=api.as_("school_a")).status_code == 409
    _submit(api)
    assert api.client.post(url + "/opt-out", json={}, headers=api.as_("school_a")).status_code == 202
    types = [e.event_type for e in api.publisher.events()]
    assert types == ["wish.submitted", "wish.withdrawn", "wish.submitted", "wish.opted_out"]
    assert api.publisher.events("wish.withdrawn")[0].payload.reason == "postponed"


def test_erasure_publishes_student_erased_and_removes_the_personal_data(api):
    ref = _submit(api).get_json()["student_ref"]
    response = api.client.delete(f"/api/v1/students/{ref}", headers=api.as_("school_a"))
    assert response.status_code == 202
    [erased] = api.publisher.events("student.erased")
    assert (erased.payload.student_ref, erased.payload.region_id) == (ref, "r-noord")
    assert api.store.get_student(ref) is None and api.store.wishes_of_student(ref) == []
    assert api.client.get(f"/api/v1/students/{ref}", headers=api.as_("school_a")).status_code == 404


def test_a_wish_for_an_unknown_period_is_refused(api):
    response = _submit(api, body=submission(wish_period_id="p-none"))
    assert response.status_code == 422
    assert "wish.period_id" in response.get_json()["fields"]


def test_a_sector_outside_the_period_is_refused(api):
    assert _submit(api, body=submission(wish_sector="ict")).status_code == 422


def test_intake_field_messages_are_dutch_by_default(api):
    response = _submit(api, body=submission(wish_period_id="p-none"))
    assert response.get_json()["fields"]["wish.period_id"] == ["Onbekende periode."]


def test_a_top_3_place_that_was_never_posted_is_refused_at_its_field_in_english_on_request(api):
    response = api.client.post("/api/v1/wishes?lang=en", json=submission(wish_top_places=["plc-nowhere"]),
                               headers=api.as_("school_a"))
    assert response.status_code == 422
    assert response.get_json()["fields"]["wish.top_places"] == [
        "No open place with this id in this period: plc-nowhere."]
    assert api.publisher.published == []
