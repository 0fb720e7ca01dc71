"""One current outcome per student and period (issue 14): the outcome of the latest released round of the
period that holds the student; earlier rounds are history. Answers to anything but the current outcome, and
to a place at an organisation excluded for the student, are refused (409), also over the API."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notifier import commands, jobs
from notifier.errors import AlreadyAnswered, NotCurrentOutcome, PlacementExcluded
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events import placements, rounds
from tests.fakes.notifier import RELEASE, RESPOND_BY, placed, unplaced

LATER = RELEASE + timedelta(days=2)


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def two_rounds(world, second=None):
    """s1 placed at plc-1 in rnd-1; a later round rnd-2 of the same period gives s1 another outcome."""
    world.student("s1", "Sanne", "sanne@mail.example")
    world.release([placed("s1")])
    world.release([second or placed("s1", place="plc-2", org="org-2")], round_id="rnd-2", released_at=LATER)


def test_a_student_cannot_accept_a_place_that_a_later_round_took_away(world):
    two_rounds(world, unplaced("s1"))
    world.clock.now = LATER
    with pytest.raises(NotCurrentOutcome):
        commands.answer_placement(world.wiring.deps, "rnd-1", "s1", "accepted")
    assert world.publisher.events("placement.accepted") == []
    assert world.store.response("rnd-1", "s1") is None


def test_the_api_answers_409_with_a_clear_message_for_a_superseded_round(world):
    two_rounds(world)
    world.clock.now = LATER
    client = world.wiring.app().test_client()
    old = client.post("/api/v1/placements/rnd-1/accept", headers=auth("student:s1"))
    assert old.status_code == 409 and old.get_json()["error"] == "not_current"
    english = client.post("/api/v1/placements/rnd-1/accept?lang=en", headers=auth("student:s1"))
    assert "later round" in english.get_json()["message"]
    assert "latere ronde" in old.get_json()["message"]
    refuse = client.post("/api/v1/placements/rnd-1/refuse", json={"reason_code": "travel"}, headers=auth("student:s1"))
    assert refuse.status_code == 409
    current = client.post("/api/v1/placements/rnd-2/accept", headers=auth("student:s1"))
    assert current.status_code == 200
    [event] = world.publisher.events("placement.accepted")
    assert event.payload.round_id == "rnd-2" and event.payload.place_id == "plc-2"


def test_a_later_round_not_yet_released_does_not_supersede_the_current_outcome(world):
    two_rounds(world)
    world.clock.now = RELEASE
    commands.answer_placement(world.wiring.deps, "rnd-1", "s1", "accepted")
    assert world.publisher.events("placement.accepted")


def test_the_current_outcome_is_per_period(world):
    world.student("s1", "Sanne", "sanne@mail.example")
    world.release([placed("s1")])
    world.release([placed("s1", place="plc-2", org="org-2")], round_id="rnd-p2", released_at=LATER,
                  period_id="2027-p2")
    world.clock.now = LATER
    current = commands.current_outcomes(world.wiring.deps, "s1")
    assert sorted(p.round.round_id for p in current) == ["rnd-1", "rnd-p2"]
    commands.answer_placement(world.wiring.deps, "rnd-1", "s1", "accepted")


def excluded(world, *, orgs=(), places=(), cause="desk_report"):
    world.handle(new_envelope("placement.replacement_requested", placements.ReplacementRequested(
        request_id="req-1", region_id="reg-1", period_id="2027-p1", student_ref="s1", school_id="sch-a",
        cause=cause, exclude_organisation_ids=list(orgs), exclude_place_ids=list(places)),
        producer="matcher", partition_key="reg-1"))


def test_a_student_can_never_accept_a_place_at_an_organisation_excluded_for_them(world):
    world.student("s1", "Sanne", "sanne@mail.example")
    world.release([placed("s1")])
    excluded(world, orgs=["org-1"])
    world.clock.now = RELEASE
    client = world.wiring.app().test_client()
    answer = client.post("/api/v1/placements/rnd-1/accept", headers=auth("student:s1"))
    assert answer.status_code == 409 and answer.get_json()["error"] == "excluded"
    with pytest.raises(PlacementExcluded):
        commands.answer_placement(world.wiring.deps, "rnd-1", "s1", "accepted")
    assert world.publisher.events("placement.accepted") == []


def test_an_excluded_place_and_a_failed_placement_exclude_too(world):
    world.student("s1", "Sanne", "sanne@mail.example")
    world.release([placed("s1")])
    excluded(world, places=["plc-1"], cause="refusal")
    world.clock.now = RELEASE
    with pytest.raises(PlacementExcluded):
        commands.answer_placement(world.wiring.deps, "rnd-1", "s1", "accepted")
    world.release([placed("s2", place="plc-2", org="org-2")], round_id="rnd-2", released_at=RELEASE)
    world.handle(new_envelope("placement.failed", placements.PlacementFailed(
        round_id="rnd-2", region_id="reg-1", student_ref="s2", school_id="sch-a", place_id="plc-2",
        organisation_id="org-2", reason_code="not_suitable"), producer="intake", partition_key="reg-1"))
    with pytest.raises(PlacementExcluded):
        commands.answer_placement(world.wiring.deps, "rnd-2", "s2", "accepted")


def kept(ref: str, place: str = "plc-1", org: str = "org-1"):
    """The matcher keeps a binding placement in a later round: same place, status kept."""
    return rounds.Outcome(student_ref=ref, school_id="sch-a", status="kept", place_id=place, organisation_id=org,
                          wish_match="top1", criteria_met=["programme"])


def test_a_placement_kept_unanswered_by_a_later_round_is_answered_on_the_current_round(world):
    two_rounds(world, kept("s1"))
    world.clock.now = LATER
    with pytest.raises(NotCurrentOutcome):
        commands.answer_placement(world.wiring.deps, "rnd-1", "s1", "accepted")
    envelope = commands.answer_placement(world.wiring.deps, "rnd-2", "s1", "accepted")
    assert envelope.payload.round_id == "rnd-2" and envelope.payload.place_id == "plc-1"


def test_an_accepted_placement_kept_by_a_later_round_stays_accepted(world):
    world.student("s1", "Sanne", "sanne@mail.example")
    world.release([placed("s1")])
    world.clock.now = RELEASE
    first = commands.answer_placement(world.wiring.deps, "rnd-1", "s1", "accepted")
    world.release([kept("s1")], round_id="rnd-2", released_at=LATER)
    world.clock.now = LATER
    again = commands.answer_placement(world.wiring.deps, "rnd-2", "s1", "accepted")
    assert again.event_id == first.event_id and len(world.publisher.events("placement.accepted")) == 1
    with pytest.raises(AlreadyAnswered):
        commands.answer_placement(world.wiring.deps, "rnd-2", "s1", "refused", "travel")
    [period] = commands.student_periods(world.wiring.deps, "s1")
    assert period.current.round.round_id == "rnd-2" and period.current.response.kind == "accepted"
    assert not period.current.open_for_answer


def test_only_the_current_outcome_is_reminded(world):
    two_rounds(world, kept("s1"))
    world.clock.now = RESPOND_BY - timedelta(hours=1)
    assert jobs.schedule_due_reminders(world.wiring.deps) == 1
    assert {d.round_id for d in world.store.deliveries if d.kind == "reminder"} == {"rnd-2"}
