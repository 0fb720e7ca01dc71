"""The notifier's use cases on fakes: release in parts, embargo, exactly one effect, retries, bad addresses,
answers, reminders and erasure."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest

from notifier import commands, jobs
from notifier.errors import AlreadyAnswered, PlacementNotFound
from notifier.events import answer_event
from stagepool_shared import topics
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.students import StudentErased

from tests.fakes.notifier import RELEASE, placed, unplaced


def release_three(world):
    world.student("s1", "Sanne", "sanne@mail.example")
    world.student("s2", "Ahmed", "ahmed@mail.example", lang="en")
    world.student("s3", "Jip", "jip@mail.example")
    return world.release([placed("s1"), unplaced("s2"), placed("s3", school="sch-b", place="plc-2", org="org-2")],
                         parts=2)


def test_a_round_is_planned_only_when_every_part_has_arrived(world):
    first, second = world.release([placed("s1"), unplaced("s2")], parts=2, handle=False)
    world.handle(first)
    world.handle(first)  # a redelivered part does not count twice
    assert world.store.round("rnd-1") is None and world.store.pending_count() == 0
    world.handle(second)
    assert world.store.round("rnd-1") is not None and world.store.pending_count() == 2 * 2 + 3 + 2


def test_nothing_is_sent_or_visible_before_the_release_moment(world):
    release_three(world)
    assert world.store.pending_count() > 0
    assert world.drain() == 0
    assert world.email.sent == [] and world.webhook.sent == []
    assert commands.read_inbox(world.wiring.deps, "student", "s1") == []


def test_after_release_every_recipient_gets_exactly_one_message_per_channel(world):
    envelopes = release_three(world)
    world.send_released()
    for env in envelopes:  # redelivered events change nothing
        world.handle(env)
    world.clock.advance(hours=1)
    world.drain()
    addresses = sorted(a for _, a, _, _ in world.email.sent)
    assert addresses == sorted(["sanne@mail.example", "ahmed@mail.example", "jip@mail.example",
                                "stage@alfa.example", "stage@beta.example", "stage@org-1.example",
                                "stage@org-2.example"])
    assert [a for _, a, _, _ in world.webhook.sent] == ["https://alfa.example/hook"]  # sch-b has no webhook
    assert len(commands.read_inbox(world.wiring.deps, "student", "s1")) == 1
    assert set(world.store.states().values()) == {"sent", "skipped"}
    assert world.store.pending_count() == 0


def test_messages_carry_the_place_and_the_organisation_learns_its_students_contact_details(world):
    release_three(world)
    world.send_released()
    sanne = world.email.to("sanne@mail.example")[0]
    assert "Zorggroep Noord" in sanne.subject and "gereserveerd" in sanne.body
    assert world.email.to("ahmed@mail.example")[0].lang == "en"
    org = world.email.to("stage@org-1.example")[0].body
    assert "Sanne, sanne@mail.example, 06 1234 5678" in org and "Ahmed" not in org and "Jip" not in org


def test_a_notification_sent_event_goes_out_per_delivery_through_the_outbox(world):
    release_three(world)
    world.send_released()
    jobs.relay_outbox(world.wiring.deps)
    sent = world.publisher.events("notification.sent")
    keys = {(e.payload.recipient_ref, e.payload.channel) for e in sent}
    assert len(sent) == len(keys) == sum(1 for s in world.store.states().values() if s == "sent")
    assert world.store.outbox == []


def test_a_student_without_a_valid_address_is_reported_to_the_school_and_counted(world):
    world.student("s1", "Sanne", "sanne@mail.example")
    world.student("s4", "Noor", "noor-at-nowhere")
    world.release([placed("s1"), unplaced("s4")])
    world.send_released()
    assert world.email.to("noor-at-nowhere") == []
    overview = world.email.to("stage@alfa.example")[0].body
    assert "Niet bereikbaar per e-mail (1)" in overview and "Noor: ongeldig e-mailadres" in overview
    school_inbox = commands.read_inbox(world.wiring.deps, "school", "sch-a")
    assert [e.message_kind for e in school_inbox].count("address_problem") == 1
    assert len(commands.read_inbox(world.wiring.deps, "student", "s4")) == 1  # still in her inbox
    jobs.relay_outbox(world.wiring.deps)
    failed = world.publisher.events("notification.failed")
    assert [(e.payload.recipient_ref, e.payload.reason) for e in failed] == [("s4", "invalid_address")]
    letters = [e for t, e in world.publisher.published if t == topics.dlq(topics.NOTIFICATIONS)]
    assert len(letters) == 1 and "s4" in base64.b64decode(letters[0].payload.raw_base64).decode()


def test_a_failing_channel_is_retried_with_backoff_and_then_delivers_once(world):
    world.student("s1", "Sanne", "sanne@mail.example")
    world.email.fail_times, world.email.fail_only = 2, "sanne@mail.example"
    world.release([placed("s1")])
    world.send_released()
    assert world.email.to("sanne@mail.example") == []
    world.clock.advance(seconds=10)
    world.drain()
    world.clock.advance(seconds=20)
    world.drain()
    assert len(world.email.to("sanne@mail.example")) == 1
    ids = [d for d in world.store.deliveries if d.ref == "s1" and d.channel == "email"]
    assert world.store.deliveries[ids[0]].attempts == 3


def test_a_delivery_that_keeps_failing_is_given_up_recorded_and_dead_lettered(world):
    world.student("s1", "Sanne", "sanne@mail.example")
    world.email.fail_times = 99
    world.release([placed("s1")])
    world.clock.now = RELEASE
    for _ in range(5):
        world.drain()
        world.clock.advance(minutes=10)
    jobs.relay_outbox(world.wiring.deps)
    states = world.store.states()
    assert states["rnd-1:student:s1:email"] == "failed" and world.email.calls == 3 * 3  # student, school, organisation
    payload = [e.payload for e in world.publisher.events("notification.failed") if e.payload.recipient_ref == "s1"]
    assert payload[0].attempts == 3 and payload[0].reason == "down"
    assert world.store.pending_count() == 0


def test_while_intake_is_down_deliveries_wait_instead_of_failing(world):
    world.student("s1", "Sanne", "sanne@mail.example")
    world.release([placed("s1")])
    world.clock.now = RELEASE
    world.directory.down = True
    world.wiring.dispatcher.run_once()
    assert world.email.sent == [] and "failed" not in world.store.states().values()
    world.directory.down = False
    world.clock.advance(minutes=1)
    world.drain()
    assert len(world.email.to("sanne@mail.example")) == 1


def test_a_student_accepts_once_and_cannot_then_refuse(world):
    release_three(world)
    deps = world.wiring.deps
    with pytest.raises(PlacementNotFound):
        commands.answer_placement(deps, "rnd-1", "s1", "accepted")  # before release: nothing to answer
    world.clock.now = RELEASE
    first = commands.answer_placement(deps, "rnd-1", "s1", "accepted")
    again = commands.answer_placement(deps, "rnd-1", "s1", "accepted")
    assert first.event_id == again.event_id
    assert [e.payload.place_id for e in world.publisher.events("placement.accepted")] == ["plc-1"]
    with pytest.raises(AlreadyAnswered):
        commands.answer_placement(deps, "rnd-1", "s1", "refused", "travel")
    with pytest.raises(PlacementNotFound):
        commands.answer_placement(deps, "rnd-1", "s2", "accepted")  # unplaced


def test_a_refusal_carries_its_reason_code(world):
    release_three(world)
    world.clock.now = RELEASE
    commands.answer_placement(world.wiring.deps, "rnd-1", "s3", "refused", "travel")
    refused = world.publisher.events("placement.refused")
    assert [(e.payload.student_ref, e.payload.reason_code) for e in refused] == [("s3", "travel")]


def test_students_who_have_not_answered_are_reminded_once_before_the_deadline(world):
    release_three(world)
    world.send_released()
    commands.answer_placement(world.wiring.deps, "rnd-1", "s1", "accepted")
    assert jobs.schedule_due_reminders(world.wiring.deps) == 0  # too early
    world.clock.advance(days=6, minutes=1)  # deadline is 7 days after release, lead 1 day
    assert jobs.schedule_due_reminders(world.wiring.deps) == 1
    assert jobs.schedule_due_reminders(world.wiring.deps) == 0
    world.drain()
    reminders = world.email.to("jip@mail.example")
    assert len(reminders) == 2 and reminders[1].subject.startswith("Herinnering")
    assert len(world.email.to("sanne@mail.example")) == 1


def test_an_answer_from_the_log_stops_the_reminder(world):
    release_three(world)
    world.clock.now = RELEASE + timedelta(days=6, hours=1)
    event = answer_event("accepted", world.store.outcome("rnd-1", "s3"), world.store.round("rnd-1"), None)
    world.handle(event)
    assert jobs.schedule_due_reminders(world.wiring.deps) == 1  # s1 only


def test_erasure_drops_everything_kept_under_the_pseudonym(world):
    release_three(world)
    world.send_released()
    world.handle(new_envelope("student.erased", StudentErased("s1", "sch-a", "reg-1"), producer="intake",
                              partition_key="reg-1"))
    assert world.store.outcome("rnd-1", "s1") is None
    assert commands.read_inbox(world.wiring.deps, "student", "s1") == []
    assert not [d for d in world.store.deliveries if d.ref == "s1"]
    assert not [k for k in world.store.awaiting if k[1] == "s1"]


def test_a_part_number_beyond_the_parts_is_an_invalid_event(world):
    from stagepool_shared.errors import InvalidEvent
    from stagepool_shared.events import rounds
    bad = new_envelope("round.released", rounds.RoundReleased("rnd-9", "reg-1", "p", RELEASE.isoformat(),
                                                              RELEASE.isoformat(), 3, 2, []),
                       producer="matcher", partition_key="reg-1")
    with pytest.raises(InvalidEvent):
        world.handle(bad)
    assert world.store.round("rnd-9") is None


def test_a_student_intake_has_not_recorded_as_released_yet_is_waited_for_not_given_up(world):
    """Intake answers contacts only once its own consumer has the release: when the notifier is first, the
    student's e-mail and the school's and organisation's lists wait for it (a bench run gave 553 up)."""
    world.release([placed("s1")])
    world.send_released()
    assert world.email.to("sanne@mail.example") == [] and world.email.to("stage@alfa.example") == []
    world.student("s1", "Sanne", "sanne@mail.example")  # intake takes in the release a moment later
    world.clock.advance(seconds=10)
    world.drain()
    assert len(world.email.to("sanne@mail.example")) == 1
    overview = world.email.to("stage@alfa.example")[0].body
    assert "Niet bereikbaar" not in overview and "Sanne" in overview
    assert "Sanne, sanne@mail.example" in world.email.to("stage@org-1.example")[0].body
    school_inbox = commands.read_inbox(world.wiring.deps, "school", "sch-a")
    assert [e.message_kind for e in school_inbox].count("address_problem") == 0


def test_a_student_intake_never_knows_is_reported_to_the_school_after_the_last_attempt(world):
    world.release([placed("s1")])
    world.clock.now = RELEASE
    for _ in range(6):
        world.drain()
        world.clock.advance(minutes=10)
    assert world.store.states()["rnd-1:student:s1:email"] == "failed"
    overview = world.email.to("stage@alfa.example")[0].body
    assert "Niet bereikbaar per e-mail (1)" in overview
    school_inbox = commands.read_inbox(world.wiring.deps, "school", "sch-a")
    assert [e.message_kind for e in school_inbox].count("address_problem") == 1
