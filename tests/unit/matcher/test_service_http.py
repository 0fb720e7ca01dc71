"""The matcher's HTTP API through Flask's test client, built through bootstrap with the in-memory store and a
FakePublisher."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from stagepool_shared.auth import Principal

from stagepool_shared.events.places import PlaceWithdrawn
from stagepool_shared.events.wishes import WishWithdrawn

from matcher import handlers
from matcher.jobs import release_due_rounds
from tests.fakes.matcher import PERIOD, REGION, event, matcher_wiring, place, wish

PEOPLE = {
    "coord": Principal("usr-coord", "regional_coordinator", REGION, REGION),
    "coord2": Principal("usr-coord-2", "regional_coordinator", "reg-other", "reg-other"),
    "staff-a": Principal("usr-a", "school_staff", "sch-a", REGION),
    "support-a": Principal("usr-sa", "support_staff", "sch-a", REGION),
    "staff-b": Principal("usr-b", "school_staff", "sch-b", REGION),
    "staff-b2": Principal("usr-b2", "school_staff", "sch-b", REGION),
    "org": Principal("usr-org", "organisation_staff", "org-plc-1", REGION),
}


class Tokens:
    def lookup(self, token):
        return PEOPLE.get(token)


@pytest.fixture
def wiring():
    return matcher_wiring(tokens=Tokens())


@pytest.fixture
def client(wiring):
    return wiring.app().test_client()


def as_(who):
    return {"Authorization": f"Bearer {who}"}


def proposed_round(deps, client, support=False):
    for env in (event("wish.submitted", wish("stu-1", "sch-a", support=support)),
                event("wish.submitted", wish("stu-2", "sch-b")), event("place.posted", place("plc-1", 2))):
        handlers.handle(env, deps)
    answer = client.post("/api/v1/rounds", json={"region_id": REGION, "period_id": PERIOD, "seed": 3},
                         headers=as_("coord"))
    assert answer.status_code == 202
    (requested,) = deps.publisher.events("round.requested")
    handlers.handle(requested, deps)
    return answer.json["round_id"]


def test_a_coordinator_requests_a_round_and_only_for_her_region(deps, client):
    assert client.post("/api/v1/rounds", json={"region_id": REGION, "period_id": PERIOD},
                       headers=as_("staff-a")).status_code == 403
    assert client.post("/api/v1/rounds", json={"region_id": REGION, "period_id": PERIOD},
                       headers=as_("coord2")).status_code == 404
    answer = client.post("/api/v1/rounds", json={"region_id": REGION, "period_id": PERIOD, "kind": "rematch"},
                         headers=as_("coord"))
    assert answer.status_code == 202 and deps.publisher.events("round.requested")[0].payload.kind == "rematch"
    assert client.get(f"/api/v1/rounds/{answer.json['round_id']}", headers=as_("coord")).json["status"] == "requested"


def test_unknown_fields_and_bad_values_are_refused(client):
    answer = client.post("/api/v1/rounds", json={"region_id": REGION, "period_id": PERIOD, "gender": "x"},
                         headers=as_("coord"))
    assert answer.status_code == 422 and "gender" in answer.json["fields"]
    assert client.post("/api/v1/rounds", json={"region_id": REGION, "period_id": PERIOD, "seed": "1"},
                       headers=as_("coord")).status_code == 422


def test_staff_see_only_their_school_and_organisations_nothing_before_release(deps, client):
    round_id = proposed_round(deps, client)
    everyone = client.get(f"/api/v1/rounds/{round_id}", headers=as_("coord")).json
    assert {o["student_ref"] for o in everyone["outcomes"]} == {"stu-1", "stu-2"}
    mine = client.get(f"/api/v1/rounds/{round_id}", headers=as_("staff-a")).json
    assert [o["student_ref"] for o in mine["outcomes"]] == ["stu-1"]
    assert client.get(f"/api/v1/rounds/{round_id}", headers=as_("org")).status_code == 404
    assert client.get(f"/api/v1/rounds/{round_id}", headers=as_("coord2")).status_code == 404
    assert client.get("/api/v1/rounds/rnd-nope", headers=as_("coord")).status_code == 404


def test_release_needs_two_distinct_staff_per_school_and_support_staff_for_support_needs(deps, client):
    round_id = proposed_round(deps, client, support=True)
    body = {"release_at": "2027-01-15T09:00:00Z", "respond_by": "2027-01-22T17:00:00Z"}
    assert client.post(f"/api/v1/rounds/{round_id}/approvals", headers=as_("staff-a")).status_code == 201
    assert client.post(f"/api/v1/rounds/{round_id}/approvals", headers=as_("staff-a")).json["users_missing"] == 3
    refused = client.post(f"/api/v1/rounds/{round_id}/release", json=body, headers=as_("coord"))
    assert refused.status_code == 409 and refused.json["fields"]["users_missing"] == [3]
    answer = client.post(f"/api/v1/rounds/{round_id}/approvals", headers=as_("staff-b")).json
    assert answer["users_missing"] == 2 and answer["schools_missing_support"] == ["sch-a"]
    assert client.post(f"/api/v1/rounds/{round_id}/release", json=body, headers=as_("coord")).status_code == 409
    answer = client.post(f"/api/v1/rounds/{round_id}/approvals", headers=as_("support-a")).json
    assert answer["users_missing"] == 1 and answer["schools_missing_support"] == [] and not answer["complete"]
    assert client.post(f"/api/v1/rounds/{round_id}/approvals", headers=as_("staff-b2")).json["complete"]
    assert client.post(f"/api/v1/rounds/{round_id}/release", json=body, headers=as_("coord")).status_code == 202
    assert len(deps.publisher.events("round.approved")) == 5
    (scheduled,) = deps.publisher.events("round.release_scheduled")
    assert scheduled.payload.release_at == "2027-01-15T09:00:00.000Z"


def test_release_is_refused_while_a_school_s_own_staff_have_not_approved(deps, client):
    round_id = proposed_round(deps, client)
    for who in ("staff-b", "staff-b2", "coord"):
        assert client.post(f"/api/v1/rounds/{round_id}/approvals", headers=as_(who)).status_code == 201
    seen = client.get(f"/api/v1/rounds/{round_id}", headers=as_("coord")).json["approval"]
    assert not seen["complete"]
    assert seen["schools"] == [
        {"school_id": "sch-a", "staff_approvals": 0, "staff_missing": 2, "support_needed": False,
         "support_missing": False, "complete": False},
        {"school_id": "sch-b", "staff_approvals": 2, "staff_missing": 0, "support_needed": False,
         "support_missing": False, "complete": True}]
    body = {"release_at": "2027-01-15T09:00:00Z", "respond_by": "2027-01-22T17:00:00Z"}
    refused = client.post(f"/api/v1/rounds/{round_id}/release", json=body, headers=as_("coord"))
    assert refused.status_code == 409
    assert refused.json["fields"]["schools"] == [{"school_id": "sch-a", "staff_missing": 2, "support_missing": False}]
    assert deps.publisher.events("round.release_scheduled") == []


def test_organisations_see_their_own_placements_after_release(deps, client):
    round_id = proposed_round(deps, client)
    for who in ("staff-a", "support-a", "staff-b", "staff-b2"):
        client.post(f"/api/v1/rounds/{round_id}/approvals", headers=as_(who))
    client.post(f"/api/v1/rounds/{round_id}/release", headers=as_("coord"),
                json={"release_at": "2020-01-15T09:00:00Z", "respond_by": "2020-01-22T17:00:00Z"})
    assert release_due_rounds(deps) == [round_id]
    seen = client.get(f"/api/v1/rounds/{round_id}", headers=as_("org")).json
    assert seen["status"] == "released" and {o["organisation_id"] for o in seen["outcomes"]} == {"org-plc-1"}


def test_two_rounds_are_compared_figure_by_figure(deps, client):
    first = proposed_round(deps, client)
    handlers.handle(event("place.posted", place("plc-2", 5)), deps)
    answer = client.post("/api/v1/rounds", json={"region_id": REGION, "period_id": PERIOD, "seed": 3},
                         headers=as_("coord"))
    handlers.handle(deps.publisher.events("round.requested")[-1], deps)
    diff = client.get(f"/api/v1/rounds/{first}/compare/{answer.json['round_id']}", headers=as_("coord")).json
    assert diff["figures"]["placed"] == {"round": 2, "other": 2, "difference": 0}
    assert [r["school_id"] for r in diff["school_rates"]] == ["sch-a", "sch-b"]
    listed = client.get(f"/api/v1/rounds?region_id={REGION}", headers=as_("coord")).json["rounds"]
    assert len(listed) == 2


def test_without_a_token_the_api_answers_401(client):
    assert client.get("/api/v1/rounds/rnd-1").status_code == 401


def test_the_comparison_counts_per_student_who_keeps_gains_loses_or_changes_a_place(deps, client):
    first = proposed_round(deps, client)  # plc-1 has 2 slots: stu-1 and stu-2 placed (not released: nothing binds)
    handlers.handle(event("wish.submitted", wish("stu-0", "sch-a")), deps)  # sorts first: takes stu-2's slot
    handlers.handle(event("place.posted", place("plc-2", 1)), deps)
    answer = client.post("/api/v1/rounds", json={"region_id": REGION, "period_id": PERIOD, "seed": 3},
                         headers=as_("coord"))
    handlers.handle(deps.publisher.events("round.requested")[-1], deps)
    second = answer.json["round_id"]
    moved = client.get(f"/api/v1/rounds/{first}/compare/{second}", headers=as_("coord")).json["movement"]
    assert {k: moved[k] for k in ("keep", "gain", "lose", "change")} == {"keep": 1, "gain": 1, "lose": 0, "change": 1}
    assert moved["text"]["nl"] == ("1 student houdt dezelfde plaats, 1 student krijgt een plaats, 0 studenten "
                                   "verliezen hun plaats en 1 student krijgt een andere plaats.")
    assert moved["text"]["en"].startswith("1 student keeps the same place, 1 student gains a place")
    staff = client.get(f"/api/v1/rounds/{first}/compare/{second}", headers=as_("staff-b")).json["movement"]
    assert {k: staff[k] for k in ("keep", "gain", "lose", "change")} == {"keep": 0, "gain": 0, "lose": 0, "change": 1}


def test_a_round_whose_place_was_withdrawn_after_it_was_computed_is_not_released(deps, client):
    """Released as it is, the round would place a student at a place that no longer exists: the coordinator is
    told which place, and asked for a new round first (nothing is scheduled)."""
    round_id = proposed_round(deps, client, support=True)
    for who in ("staff-a", "staff-b", "support-a", "staff-b2"):
        assert client.post(f"/api/v1/rounds/{round_id}/approvals", headers=as_(who)).status_code == 201
    handlers.handle(event("place.withdrawn", PlaceWithdrawn("plc-1", "org-plc-1", REGION, PERIOD)), deps)
    body = {"release_at": "2027-01-15T09:00:00Z", "respond_by": "2027-01-22T17:00:00Z"}
    refused = client.post(f"/api/v1/rounds/{round_id}/release?lang=en", json=body, headers=as_("coord"))
    assert refused.status_code == 409 and "request a new round" in refused.json["message"]
    assert refused.json["fields"]["withdrawn_places"] == ["plc-1"] and refused.json["fields"]["students_left"] == []
    assert deps.publisher.events("round.release_scheduled") == []


def _scheduled_round(deps, client, release_at="2020-01-15T09:00:00Z"):
    round_id = proposed_round(deps, client, support=True)
    for who in ("staff-a", "staff-b", "support-a", "staff-b2"):
        assert client.post(f"/api/v1/rounds/{round_id}/approvals", headers=as_(who)).status_code == 201
    body = {"release_at": release_at, "respond_by": "2030-01-22T17:00:00Z"}
    assert client.post(f"/api/v1/rounds/{round_id}/release", json=body, headers=as_("coord")).status_code == 202
    return round_id


def test_a_place_withdrawn_after_the_release_was_scheduled_holds_the_release_and_nobody_hears(deps, client):
    """The moment is still to come (2030): the coordinator sees the hold at once, with the place named, and
    at the moment nothing is released; scheduling it again is refused while the place is gone."""
    round_id = _scheduled_round(deps, client, release_at="2030-01-15T09:00:00Z")
    handlers.handle(event("place.withdrawn", PlaceWithdrawn("plc-1", "org-plc-1", REGION, PERIOD)), deps)
    seen = client.get(f"/api/v1/rounds/{round_id}", headers=as_("coord")).json
    assert seen["release_held"] == {"withdrawn_places": ["plc-1"], "students_left": []}
    assert deps.store.scheduled_releases() == []
    deps.clock.now = datetime(2030, 2, 1, tzinfo=UTC)
    assert release_due_rounds(deps) == [] and deps.publisher.events("round.released") == []
    again = {"release_at": "2030-01-16T09:00:00Z", "respond_by": "2030-01-22T17:00:00Z"}
    assert client.post(f"/api/v1/rounds/{round_id}/release", json=again, headers=as_("coord")).status_code == 409


def test_a_placed_students_wish_withdrawn_after_scheduling_holds_the_release(deps, client):
    round_id = _scheduled_round(deps, client, release_at="2030-01-15T09:00:00Z")
    handlers.handle(event("wish.withdrawn", WishWithdrawn("stu-2", "sch-b", REGION, PERIOD)), deps)
    held = client.get(f"/api/v1/rounds/{round_id}", headers=as_("coord")).json["release_held"]
    assert held == {"withdrawn_places": [], "students_left": ["stu-2"]}


def test_the_release_worker_holds_a_due_round_the_handlers_did_not(deps, client):
    """A withdrawal stored but not yet held (the handler's instance died between the two writes): the worker
    checks again at the moment and publishes nothing."""
    round_id = _scheduled_round(deps, client)
    deps.store.remove_place("evt-direct", REGION, PERIOD, "plc-1", withdrawn_at="2020-01-14T09:00:00Z")
    assert deps.store.scheduled_releases() == [round_id]
    assert release_due_rounds(deps) == [] and deps.publisher.events("round.released") == []
    assert deps.store.get_round(round_id).held.places == ("plc-1",)
    assert deps.store.get_round(round_id).status != "released"


def test_a_withdrawal_after_the_release_changes_nothing_of_the_released_round(deps, client):
    round_id = _scheduled_round(deps, client)
    assert release_due_rounds(deps) == [round_id]
    handlers.handle(event("place.withdrawn", PlaceWithdrawn("plc-1", "org-plc-1", REGION, PERIOD)), deps)
    record = deps.store.get_round(round_id)
    assert record.status == "released" and record.held is None


def test_a_place_withdrawn_after_the_worker_s_check_binds_as_withdrawn_and_its_student_goes_to_the_fast_track(
        deps, client):
    """The worker checked and published; the withdrawal came in before the matcher read its own release back:
    the placement binds as withdrawn (a re-match frees the place's student) and the student is queued."""
    round_id = _scheduled_round(deps, client)
    assert release_due_rounds(deps) == [round_id]
    handlers.handle(event("place.withdrawn", PlaceWithdrawn("plc-1", "org-plc-1", REGION, PERIOD)), deps)
    for released in deps.publisher.events("round.released"):
        handlers.handle(released, deps)
    fixed = deps.store.load_pool(REGION, PERIOD, None).fixed
    assert fixed and all(f.withdrawn for f in fixed.values())
    queued = deps.store.queued_fast_tracks(float("inf"))
    assert queued == [(REGION, PERIOD, sorted(fixed))]


def test_a_withdrawal_the_scheduled_round_does_not_touch_leaves_its_release_scheduled(deps, client):
    round_id = _scheduled_round(deps, client, release_at="2030-01-15T09:00:00Z")
    handlers.handle(event("place.posted", place("plc-other", 1)), deps)
    handlers.handle(event("place.withdrawn", PlaceWithdrawn("plc-other", "org-plc-other", REGION, PERIOD)), deps)
    handlers.handle(event("wish.submitted", wish("stu-9", "sch-a")), deps)
    handlers.handle(event("wish.withdrawn", WishWithdrawn("stu-9", "sch-a", REGION, PERIOD)), deps)
    assert deps.store.scheduled_releases() == [round_id] and deps.store.get_round(round_id).held is None
