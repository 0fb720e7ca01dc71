"""Personal data in the notifier (issue 19.4): the contact details of students and of a place's contact person
come from intake at delivery time, are used to deliver, and are not kept. Inbox entries keep the delivery
they stand for; their text, with names, is written when they are read, through intake."""

from __future__ import annotations

import logging

from prometheus_client import REGISTRY, generate_latest

from notifier import commands, jobs
from notifier.domain.model import Contact
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events import places
from tests.fakes.notifier import placed, unplaced

STUDENT = Contact(name="CANARY-Student Sanne", email="canary.sanne@mail.example", phone="06 5555 0101")
PLACE_CONTACT = Contact(name="CANARY-Contact Brink", email="canary.brink@org-1.example", phone="050 987 6543")
CANARIES = (STUDENT.name, STUDENT.email, STUDENT.phone, PLACE_CONTACT.name, PLACE_CONTACT.email,
            PLACE_CONTACT.phone)


def released(world):
    world.directory.students["s1"] = STUDENT
    world.directory.places["plc-1"] = PLACE_CONTACT
    world.student("s2", "Daan", "daan@mail.example")
    world.release([placed("s1"), unplaced("s2")])
    world.send_released()
    jobs.relay_outbox(world.wiring.deps)
    return world


def test_the_place_contact_person_comes_from_intake_at_delivery_time(world):
    released(world)
    [student] = world.email.to(STUDENT.email)
    assert f"{PLACE_CONTACT.name}, {PLACE_CONTACT.email}, {PLACE_CONTACT.phone}" in student.body
    [overview] = world.email.to(PLACE_CONTACT.email)  # the organisation's list goes to its contact person
    assert STUDENT.name in overview.body and STUDENT.phone in overview.body


def test_no_name_e_mail_or_phone_is_kept_in_the_store_or_leaves_in_an_event_log_or_metric(world, caplog):
    caplog.set_level(logging.DEBUG)
    released(world)
    kept = repr(vars(world.store)) + repr(world.publisher.events())
    text = caplog.text + generate_latest(REGISTRY).decode()
    for canary in CANARIES:
        assert canary not in kept, canary
        assert canary not in text, canary


def test_inbox_entries_are_written_with_names_when_read_through_intake(world):
    released(world)
    deps = world.wiring.deps
    [mine] = commands.read_inbox(deps, "student", "s1")
    assert STUDENT.name in mine.body and PLACE_CONTACT.email in mine.body
    school = [e for e in commands.read_inbox(deps, "school", "sch-a") if e.message_kind == "school_overview"]
    assert STUDENT.name in school[0].body
    [organisation] = commands.read_inbox(deps, "organisation", "org-1")
    assert STUDENT.email in organisation.body and "Daan" not in organisation.body


def test_an_erased_student_is_named_in_no_inbox_afterwards(world):
    released(world)
    del world.directory.students["s1"]  # intake erased her (and answers "not found" from now on)
    school = [e for e in commands.read_inbox(world.wiring.deps, "school", "sch-a")
              if e.message_kind == "school_overview"]
    assert STUDENT.name not in school[0].body
    assert all(STUDENT.email not in e.body for e in commands.read_inbox(world.wiring.deps, "organisation", "org-1"))


def test_when_intake_cannot_be_reached_the_inbox_shows_pseudonyms_instead_of_failing(world):
    released(world)
    world.directory.down = True
    [organisation] = commands.read_inbox(world.wiring.deps, "organisation", "org-1")
    assert "s1" in organisation.body and STUDENT.name not in organisation.body
    assert commands.read_inbox(world.wiring.deps, "school", "sch-a")


def test_a_students_address_problem_note_names_the_student_only_when_read(world):
    world.student("s4", "Noor", "noor-at-nowhere")
    world.release([unplaced("s4")])
    world.send_released()
    stored = [e for e in world.store.inbox("school", "sch-a") if e.message_kind == "address_problem"]
    assert len(stored) == 1 and "Noor" not in repr(stored)
    [note] = [e for e in commands.read_inbox(world.wiring.deps, "school", "sch-a")
              if e.message_kind == "address_problem"]
    assert "Noor" in note.body and "ongeldig" in note.body


def test_intake_is_asked_only_for_what_a_reader_may_see(world):
    """The coordinators' notes name pseudonyms: reading them asks intake nothing. An organisation's inbox
    needs its students' contact details, not its own contact person."""
    released(world)
    world.handle(new_envelope("place.withdrawn", places.PlaceWithdrawn("plc-1", "org-1", "reg-1", "2027-p1"),
                              producer="intake", partition_key="reg-1"))
    world.drain()
    asked = world.directory.lookups
    [note] = commands.read_inbox(world.wiring.deps, "region", "reg-1")
    assert "s1" in note.body and world.directory.lookups == asked
    before = world.directory.lookups
    commands.read_inbox(world.wiring.deps, "organisation", "org-1")
    assert world.directory.lookups == before + 1  # the students' contacts only
