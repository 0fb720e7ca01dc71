"""Invitations to the end evaluation by e-mail (issue 20.5): `evaluation.opened` carries ids only; the notifier
invites the student, the organisation's contact person and the school, each once, in Dutch with English, with
the link to the placement's page; a party without an address gets nothing, a transient SMTP failure is tried
again without inviting anyone twice."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from notifier import handlers
from notifier.adapters.directory import InMemoryDirectory
from notifier.bootstrap import bootstrap
from notifier.config import Settings
from notifier.domain.model import Contact
from notifier.errors import MailUnavailable
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.aftercare import EvaluationOpened
from tests.fakes import Clock, FakePublisher
from tests.fakes.notifier import FakeChannel, FakeDeadlineMarks, FakeStore
from tests.unit.notifier.conftest import ENV

STUDENT = Contact(name="Anna de Vries", email="anna@student.example")
ORGANISATION = Contact(name="Petra Smit", email="p.smit@umcg.example")
SCHOOL = Contact(name="Alfa-college", email="stage@alfa.example")


def inviter(email: FakeChannel, students: dict | None = None):
    directory = InMemoryDirectory(students={"stu_1": STUDENT} if students is None else students,
                                  schools={"sch-alfa": SCHOOL}, places={"plc-umcg-01": ORGANISATION})
    settings = Settings.from_env({**ENV, "REPORTING_PUBLIC_URL": "https://reporting.example"})
    wiring = bootstrap(settings, store=FakeStore(), publisher=FakePublisher(), directory=directory,
                       clock=Clock(datetime(2027, 6, 16, 8, tzinfo=UTC)),
                       channels={"email": email, "webhook": FakeChannel("webhook")}, deadline_marks=FakeDeadlineMarks())

    def opened() -> None:
        payload = EvaluationOpened("pok-1", "reg-groningen", "2027-p1", "stu_1", "sch-alfa", "org-umcg", "plc-umcg-01")
        handlers.handle(new_envelope("evaluation.opened", payload, producer="reporting",
                                     partition_key="reg-groningen"), wiring.deps)
    return opened


def test_the_three_parties_are_invited_once_each_in_dutch_and_english_with_the_placement_s_page():
    email = FakeChannel("email")
    opened = inviter(email)
    opened()
    opened()  # announced again (reporting published after a failed store): nobody gets a second e-mail
    assert sorted(address for _, address, _, _ in email.sent) == sorted(c.email for c in (STUDENT, ORGANISATION, SCHOOL))
    [student] = email.to(STUDENT.email)
    assert student.subject.startswith("Hoe was je stage? Vul de evaluatie in / How was your internship?")
    dutch, english = student.body.split("-" * 60)
    assert "Beste Anna de Vries" in dutch and "gediscrimineerd" in dutch and "discriminated against" in english
    assert "https://reporting.example/pages/aftercare/2027-p1/stu_1" in dutch
    [organisation] = email.to(ORGANISATION.email)
    assert "Beste Petra Smit" in organisation.body and "stu_1 bij uw organisatie" in organisation.body
    assert "gediscrimineerd" not in organisation.body
    [school] = email.to(SCHOOL.email)
    assert "leerbedrijf org-umcg" in school.body


def test_a_party_without_an_address_gets_nothing_and_the_others_are_invited():
    email = FakeChannel("email")
    inviter(email, students={})()  # the student is not in intake's directory (not released, or erased)
    assert sorted(address for _, address, _, _ in email.sent) == sorted([ORGANISATION.email, SCHOOL.email])


def test_a_transient_smtp_failure_is_tried_again_without_inviting_anyone_twice():
    email = FakeChannel("email", fail_times=1)
    opened = inviter(email)
    with pytest.raises(MailUnavailable):
        opened()
    opened()  # the consumer's retry
    assert sorted(address for _, address, _, _ in email.sent) == sorted(c.email for c in (STUDENT, ORGANISATION, SCHOOL))


def test_the_event_carries_no_name_and_no_address():
    assert not {"email", "name", "address", "phone"} & set(EvaluationOpened.__dataclass_fields__)
