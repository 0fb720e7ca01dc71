"""A place's contact person stays in intake (issue 19.4): the places topic never carries it, and the notifier
reads it over the internal call, with its service token, only for places of a released round."""

from __future__ import annotations

from stagepool_shared import registry
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.rounds import Outcome, RoundReleased

from intake.handlers import handle
from tests.fakes.intake import PLACE

CONTACT = {"name": "CANARY-Contact Mevr. Brink", "email": "canary.brink@zorggroep.example", "phone": "050 987 6543"}
RELEASED = "7c1d4e3f-7b4a-4b64-8c66-2c3d4e5f6a71"


def _post_place(api, who: str = "org_1") -> str:
    response = api.client.post("/api/v1/places", json={**PLACE, "contact": CONTACT}, headers=api.as_(who))
    assert response.status_code == 202, response.get_data(as_text=True)
    return response.get_json()["place_id"]


def _release(api, place_id: str, status: str = "placed") -> None:
    outcome = Outcome("stu_x", "school-a", status, place_id if status == "placed" else None,
                      "org-1" if status == "placed" else None)
    payload = RoundReleased("rd-9", "r-noord", "p2027a", "2027-01-10T09:00:00Z", "2027-01-17T09:00:00Z", 1, 1,
                            [outcome])
    handle(new_envelope("round.released", payload, producer="matcher", partition_key="r-noord",
                        event_id=RELEASED), api.wiring.deps)


def test_a_posted_or_updated_place_keeps_its_contact_person_in_intake_and_off_the_places_topic(api):
    place_id = _post_place(api)
    url = f"/api/v1/places/{place_id}"
    api.client.put(url, json={**PLACE, "contact": CONTACT, "slots": 6}, headers=api.as_("org_1"))
    published = b"".join(registry.encode(e) for e in api.publisher.events())
    assert [e.event_type for e in api.publisher.events()] == ["place.posted", "place.updated"]
    for canary in CONTACT.values():
        assert canary.encode() not in published
    stored = api.client.get(url, headers=api.as_("org_1")).get_json()["place"]
    assert stored["contact"] == CONTACT  # the organisation still sees and edits it


def test_the_notifier_reads_a_places_contact_person_only_after_the_places_release(api):
    place_id = _post_place(api)
    url = f"/internal/v1/places/contacts?place_id={place_id}&place_id=pl_other"
    assert api.client.get(url, headers=api.as_("notifier")).status_code == 404
    _release(api, place_id)
    body = api.client.get(url, headers=api.as_("notifier")).get_json()
    assert body["contacts"] == [{"place_id": place_id, "organisation_id": "org-1", **CONTACT}]
    assert body["not_found"] == ["pl_other"]


def test_a_place_only_in_a_released_round_without_students_placed_there_is_not_answered(api):
    place_id = _post_place(api)
    _release(api, place_id, status="unplaced")
    assert api.client.get(f"/internal/v1/places/contacts?place_id={place_id}",
                          headers=api.as_("notifier")).status_code == 404


def test_only_the_notifier_service_reads_place_contacts_and_bad_ids_are_refused(api):
    place_id = _post_place(api)
    _release(api, place_id)
    url = f"/internal/v1/places/contacts?place_id={place_id}"
    for who in ("other_service", "school_a", "org_1"):
        assert api.client.get(url, headers=api.as_(who)).status_code == 403, who
    assert api.client.get(url).status_code == 401
    for query in ("", "?place_id=", "?place_id=%0A", "?" + "&".join(["place_id=p"] * 501)):
        answer = api.client.get("/internal/v1/places/contacts" + query, headers=api.as_("notifier"))
        assert answer.status_code == 400, query
