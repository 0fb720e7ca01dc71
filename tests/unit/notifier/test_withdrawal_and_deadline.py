"""A place withdrawn after release tells the student, the school and the region's coordinators, once each;
an answer deadline that passes without an answer is reported to the school, once, after the reminder
(issue 14, points 3 and 4)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from notifier import commands, jobs
from notifier.errors import PlaceWithdrawn
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events import places
from tests.fakes.notifier import RELEASE, RESPOND_BY, placed, unplaced


def withdraw(world, place_id="plc-1", org="org-1", event_id=None):
    envelope = new_envelope("place.withdrawn", places.PlaceWithdrawn(place_id, org, "reg-1", "2027-p1"),
                            producer="intake", partition_key="reg-1", **({"event_id": event_id} if event_id else {}))
    world.handle(envelope)
    return envelope


def released(world):
    """s1 and s2 placed at plc-1 (s2 refuses), s3 at plc-2, s4 unplaced; the round is out and delivered."""
    for ref, name in (("s1", "Sanne"), ("s2", "Daan"), ("s3", "Jip"), ("s4", "Noor")):
        world.student(ref, name, f"{name.lower()}@mail.example")
    world.release([placed("s1"), placed("s2"), placed("s3", place="plc-2", org="org-2"), unplaced("s4")])
    world.clock.now = RELEASE
    world.drain()
    commands.answer_placement(world.wiring.deps, "rnd-1", "s2", "refused", "travel")
    world.email.sent.clear()
    world.webhook.sent.clear()


def test_a_place_withdrawn_after_release_tells_the_student_the_school_and_the_coordinator_once(world):
    released(world)
    world.clock.advance(hours=2)
    event = withdraw(world)
    world.handle(event)  # redelivered: nothing more
    world.drain()
    [student] = world.email.to("sanne@mail.example")
    assert "ingetrokken" in student.subject and "Zorggroep Noord" in student.subject
    assert "volgende ronde" in student.body and "Meldpunt" in student.body
    assert world.email.to("daan@mail.example") == []  # refused: no news
    assert world.email.to("jip@mail.example") == []  # another place
    [school] = world.email.to("stage@alfa.example")
    assert "Sanne" in school.subject and "PLACE_WITHDRAWN" in school.body
    assert [d.kind for d, *_ in world.webhook.sent] == ["withdrawn_school"]
    kinds = [e.message_kind for e in commands.read_inbox(world.wiring.deps, "school", "sch-a")]
    assert kinds.count("place_withdrawn") == 1
    [note] = commands.read_inbox(world.wiring.deps, "region", "reg-1")
    assert note.message_kind == "place_withdrawn" and "s1" in note.body and "Sanne" not in note.body
    inbox = [e.message_kind for e in commands.read_inbox(world.wiring.deps, "student", "s1")]
    assert inbox == ["outcome", "place_withdrawn"]
    sent = [e.payload for _, e in world.store.outbox if e.event_type == "notification.sent"]
    withdrawn = [p for p in sent if p.message_kind == "place_withdrawn"]  # the coordinators' note is not reported
    assert sorted((p.recipient_kind, p.recipient_ref, p.channel) for p in withdrawn) == [
        ("school", "sch-a", "email"), ("school", "sch-a", "inbox"), ("school", "sch-a", "webhook"),
        ("student", "s1", "email"), ("student", "s1", "inbox")]
    jobs.relay_outbox(world.wiring.deps)  # the new message kind is valid on the wire
    assert len([e for e in world.publisher.events("notification.sent")
                if e.payload.message_kind == "place_withdrawn"]) == 5


def test_a_withdrawn_place_can_no_longer_be_answered_and_stops_the_reminder_and_deadline_note(world):
    released(world)
    withdraw(world)
    with pytest.raises(PlaceWithdrawn):
        commands.answer_placement(world.wiring.deps, "rnd-1", "s1", "accepted")
    client = world.wiring.app().test_client()
    answer = client.post("/api/v1/placements/rnd-1/accept", headers={"Authorization": "Bearer student:s1"})
    assert answer.status_code == 409 and answer.get_json()["error"] == "place_withdrawn"
    world.clock.now = RESPOND_BY + timedelta(minutes=1)
    jobs.remind(world.wiring.deps)
    world.drain()
    assert world.email.to("sanne@mail.example")[-1].subject.startswith("Je stageplek bij")  # no reminder after
    overdue = [m for m in world.email.to("stage@alfa.example") if "Geen antwoord" in m.subject]
    assert not [m for m in overdue if "Sanne" in m.subject]


def test_an_accepted_place_withdrawn_later_is_news_too(world):
    released(world)
    commands.answer_placement(world.wiring.deps, "rnd-1", "s1", "accepted")
    withdraw(world)
    world.drain()
    assert len(world.email.to("sanne@mail.example")) == 1


def test_a_withdrawal_of_a_superseded_placement_or_before_release_tells_nobody(world):
    world.student("s1", "Sanne", "sanne@mail.example")
    world.release([placed("s1")])
    withdraw(world, place_id="plc-1")  # before the release moment: the matcher re-plans, nobody is told
    world.clock.now = RELEASE
    world.drain()
    world.email.sent.clear()
    later = RELEASE + timedelta(days=1)
    world.release([placed("s1", place="plc-2", org="org-2")], round_id="rnd-2", released_at=later)
    world.clock.now = later
    world.drain()
    world.email.sent.clear()
    withdraw(world, place_id="plc-1", event_id="3f6c1e8a-0000-4000-8000-000000000001")
    world.drain()
    assert world.email.sent == []


def test_an_unanswered_placement_is_reminded_first_then_reported_to_the_school_once(world):
    released(world)  # s1 and s3 have not answered; s2 refused
    commands.answer_placement(world.wiring.deps, "rnd-1", "s3", "accepted")
    world.clock.now = RESPOND_BY - timedelta(hours=1)
    jobs.remind(world.wiring.deps)
    world.drain()
    assert world.email.to("sanne@mail.example")[0].subject.startswith("Herinnering")
    assert not [m for m in world.email.to("stage@alfa.example") if "Geen antwoord" in m.subject]
    world.clock.now = RESPOND_BY
    jobs.remind(world.wiring.deps)  # at the deadline an answer is still accepted: no note yet
    assert world.store.pending_count() == 0
    world.clock.now = RESPOND_BY + timedelta(minutes=1)
    jobs.remind(world.wiring.deps)
    jobs.remind(world.wiring.deps)
    world.drain()
    notes = [m for m in world.email.to("stage@alfa.example") if "Geen antwoord" in m.subject]
    assert len(notes) == 1 and "Sanne" in notes[0].subject and "vervalt niet" in notes[0].body
    assert [d.kind for d, *_ in world.webhook.sent] == ["overdue"]
    inbox = [e.message_kind for e in commands.read_inbox(world.wiring.deps, "school", "sch-a")]
    assert inbox.count("answer_overdue") == 1
    assert world.store.outcome("rnd-1", "s1") is not None  # never dropped
    jobs.relay_outbox(world.wiring.deps)
    assert {e.payload.recipient_ref for e in world.publisher.events("notification.sent")
            if e.payload.message_kind == "answer_overdue"} == {"sch-a"}


def test_the_deadline_rule_skips_superseded_placements(world):
    world.student("s1", "Sanne", "sanne@mail.example")
    world.release([placed("s1")])
    world.release([placed("s1", place="plc-2", org="org-2")], round_id="rnd-2",
                  released_at=RELEASE + timedelta(days=1))
    world.clock.now = RESPOND_BY + timedelta(minutes=1)
    assert jobs.schedule_overdue_notices(world.wiring.deps) == 1  # rnd-2 only
    assert {d.round_id for d in world.store.deliveries if d.kind == "overdue"} == {"rnd-2"}


def test_the_coordinators_read_their_regions_notes_through_the_inbox_api(world):
    released(world)
    withdraw(world)
    world.drain()
    client = world.wiring.app().test_client()
    notes = client.get("/api/v1/inbox", headers={"Authorization": "Bearer regional_coordinator:reg-1"})
    assert notes.status_code == 200
    [note] = notes.get_json()["messages"]
    assert note["kind"] == "place_withdrawn" and "PLACE_WITHDRAWN" in note["body"]
    other = client.get("/api/v1/inbox", headers={"Authorization": "Bearer regional_coordinator:reg-2"})
    assert other.get_json()["messages"] == []
