"""The inbox and answer API through Flask's test client, on fakes."""

from __future__ import annotations

from tests.fakes.notifier import RELEASE, placed


def client_for(world):
    world.student("s1", "Sanne", "sanne@mail.example")
    world.release([placed("s1")])
    return world.wiring.app().test_client()


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_inbox_needs_a_token_of_a_recipient_role(world):
    client = client_for(world)
    assert client.get("/api/v1/inbox").status_code == 401
    assert client.get("/api/v1/inbox", headers=auth("desk_staff:reg-1")).status_code == 403


def test_the_inbox_is_empty_before_release_and_holds_the_outcome_after(world):
    client = client_for(world)
    assert client.get("/api/v1/inbox", headers=auth("student:s1")).get_json()["messages"] == []
    world.send_released()
    messages = client.get("/api/v1/inbox", headers=auth("student:s1")).get_json()["messages"]
    assert len(messages) == 1 and "Zorggroep Noord" in messages[0]["subject"]
    school = client.get("/api/v1/inbox", headers=auth("school_staff:sch-a")).get_json()["messages"]
    assert [m["kind"] for m in school] == ["school_overview"]


def test_a_student_accepts_through_the_api_and_a_repeat_gives_the_same_event(world):
    client = client_for(world)
    assert client.post("/api/v1/placements/rnd-1/accept", headers=auth("student:s1")).status_code == 404
    world.clock.now = RELEASE
    first = client.post("/api/v1/placements/rnd-1/accept", headers=auth("student:s1"))
    again = client.post("/api/v1/placements/rnd-1/accept", headers=auth("student:s1"))
    assert first.status_code == again.status_code == 200
    assert first.get_json()["event_id"] == again.get_json()["event_id"]
    refuse = client.post("/api/v1/placements/rnd-1/refuse", json={"reason_code": "travel"}, headers=auth("student:s1"))
    assert refuse.status_code == 409


def test_a_refusal_needs_a_known_reason_code_and_only_the_student_may_answer(world):
    client = client_for(world)
    world.clock.now = RELEASE
    bad = client.post("/api/v1/placements/rnd-1/refuse", json={"reason_code": "ugly"}, headers=auth("student:s1"))
    assert bad.status_code == 422 and "reason_code" in bad.get_json()["fields"]
    other = client.post("/api/v1/placements/rnd-1/accept", headers=auth("school_staff:sch-a"))
    assert other.status_code == 403
    stranger = client.post("/api/v1/placements/rnd-1/accept", headers=auth("student:s999"))
    assert stranger.status_code == 404
    ok = client.post("/api/v1/placements/rnd-1/refuse", json={"reason_code": "travel"}, headers=auth("student:s1"))
    assert ok.status_code == 200 and world.publisher.events("placement.refused")
