"""Organisations post and manage their own places; the notifier reads contacts only after release."""

from __future__ import annotations

from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.rounds import Outcome, RoundReleased

from intake.handlers import handle
from tests.fakes.intake import CANARY_EMAIL, PLACE, submission


def _post_place(api, who="org_1", body=None):
    return api.client.post("/api/v1/places", json=body or PLACE, headers=api.as_(who))


def test_a_posted_place_is_published_for_the_callers_organisation(api):
    response = _post_place(api)
    assert response.status_code == 202
    [event] = api.publisher.events("place.posted")
    assert event.payload.organisation_id == "org-1"
    assert event.payload.place_id == response.get_json()["place_id"]
    assert event.payload.location.pc4 == "9401"


def test_an_organisation_updates_and_withdraws_only_its_own_place(api):
    place_id = _post_place(api).get_json()["place_id"]
    url = f"/api/v1/places/{place_id}"
    assert api.client.put(url, json={**PLACE, "slots": 6}, headers=api.as_("org_2")).status_code == 404
    assert api.client.delete(url, headers=api.as_("org_2")).status_code == 404
    assert api.client.get(url, headers=api.as_("org_2")).status_code == 404
    assert api.client.put(url, json={**PLACE, "slots": 6}, headers=api.as_("org_1")).status_code == 202
    assert api.client.delete(url, headers=api.as_("org_1")).status_code == 202
    assert api.client.delete(url, headers=api.as_("org_1")).status_code == 409
    assert [e.event_type for e in api.publisher.events()] == ["place.posted", "place.updated", "place.withdrawn"]
    assert api.client.get("/api/v1/places", headers=api.as_("org_2")).get_json()["place_ids"] == []


def test_school_staff_cannot_post_places(api):
    assert _post_place(api, who="school_a").status_code == 403


def _release(api, ref, event_id="6b0c3f2e-6a39-4a53-9b55-1b2c3d4e5f60"):
    payload = RoundReleased("rd-1", "r-noord", "p2027a", "2027-01-10T09:00:00Z", "2027-01-17T09:00:00Z", 1, 1,
                            [Outcome(ref, "school-a", "placed", "pl_1", "org-1")])
    envelope = new_envelope("round.released", payload, producer="matcher", partition_key="r-noord", event_id=event_id)
    handle(envelope, api.wiring.deps)


def test_contacts_are_answered_only_for_released_students(api):
    ref = api.client.post("/api/v1/wishes", json=submission(), headers=api.as_("school_a")).get_json()["student_ref"]
    url = f"/internal/v1/contacts?student_ref={ref}"
    assert api.client.get(url, headers=api.as_("notifier")).status_code == 404
    _release(api, ref)
    body = api.client.get(url + "&student_ref=stu_other", headers=api.as_("notifier")).get_json()
    assert body["contacts"][0]["email"] == CANARY_EMAIL
    assert body["not_found"] == ["stu_other"]


def test_only_the_notifier_service_reads_contacts(api):
    assert api.client.get("/internal/v1/contacts?student_ref=x", headers=api.as_("other_service")).status_code == 403
    assert api.client.get("/internal/v1/contacts?student_ref=x", headers=api.as_("school_a")).status_code == 403


def test_a_redelivered_release_is_recorded_once(api):
    _release(api, "stu_a")
    assert api.wiring.deps.store.mark_released("6b0c3f2e-6a39-4a53-9b55-1b2c3d4e5f60", ["stu_b"]) is False
    assert not api.store.is_released("stu_b")


def test_a_registered_school_is_readable_by_the_notifier(api):
    school = {"school_id": "school-a", "name": "Noorderpoort", "contact_email": "bpv@school-a.example"}
    assert api.client.put("/api/v1/schools/school-a", json=school, headers=api.as_("coordinator")).status_code == 200
    body = api.client.get("/internal/v1/schools/school-a", headers=api.as_("notifier")).get_json()
    assert body["contact_email"] == "bpv@school-a.example"
    assert api.client.get("/internal/v1/schools/nope", headers=api.as_("notifier")).status_code == 404


def test_only_coordinators_create_periods_and_the_end_follows_the_start(api):
    period = {"period_id": "p2", "name": "x", "starts_on": "2027-03-01", "ends_on": "2027-02-01"}
    assert api.client.put("/api/v1/periods/p2", json=period, headers=api.as_("school_a")).status_code == 403
    assert api.client.put("/api/v1/periods/p2", json=period, headers=api.as_("coordinator")).status_code == 422
    listed = api.client.get("/api/v1/periods", headers=api.as_("school_a")).get_json()["periods"]
    assert [p["period_id"] for p in listed] == ["p2027a"]


def test_a_place_names_the_pathways_and_study_years_it_takes_or_none_for_all(api):
    assert _post_place(api, body={**PLACE, "pathways": ["bbl"], "study_years": [2, 3]}).status_code == 202
    assert _post_place(api).status_code == 202
    taken, every = (e.payload for e in api.publisher.events("place.posted"))
    assert (taken.pathways, taken.study_years) == (["bbl"], [2, 3])
    assert (every.pathways, every.study_years) == ([], [])


def test_an_unknown_pathway_or_study_year_is_a_field_error(api):
    response = _post_place(api, body={**PLACE, "pathways": ["hbo"], "study_years": [5]})
    assert response.status_code == 422
    fields = response.get_json()["fields"]
    assert "pathways" in fields and "study_years" in fields
    assert api.publisher.events() == []
