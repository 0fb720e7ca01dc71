"""Aftercare e-mails to a placement's parties (issue 20): `evaluation.opened` invites the student, the
organisation's contact person and the school to the end evaluation; `agreement.status_changed` with status
`sent` asks the student and the organisation to sign the POK. Each once, in Dutch with English, with the link to
the placement's page; the events carry ids only; a party without an address gets nothing, a transient SMTP
failure is tried again without mailing anyone twice."""

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
from stagepool_shared.events.aftercare import AgreementStatusChanged, EvaluationOpened, IntroductionProposed
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

    def opened(event_type: str = "evaluation.opened", status: str = "sent", place_id: str | None = "plc-umcg-01"):
        if event_type == "evaluation.opened":
            payload = EvaluationOpened("reg-groningen", "2027-p1", "stu_1", "sch-alfa", "org-umcg", place_id,
                                       agreement_id="pok-1")
        elif event_type == "introduction.proposed":
            payload = IntroductionProposed("reg-groningen", "2027-p1", "stu_1", "sch-alfa", "org-umcg", place_id,
                                           introduction_id=status, moment="2027-03-08T09:00:00+00:00")
        else:
            payload = AgreementStatusChanged("reg-groningen", "2027-p1", "stu_1", "sch-alfa", "org-umcg",
                                             agreement_id="pok-1", status=status, place_id=place_id)
        handlers.handle(new_envelope(event_type, payload, producer="reporting", partition_key="reg-groningen"),
                        wiring.deps)
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


def test_a_pok_sent_for_signing_reaches_the_student_and_the_organisation_once_and_no_other_status_does():
    email = FakeChannel("email")
    told = inviter(email)
    for status in ("signed", "active", "ended"):
        told("agreement.status_changed", status)
    assert email.sent == []
    told("agreement.status_changed", "sent")
    told("agreement.status_changed", "sent")  # the same POK sent again: nobody gets a second e-mail
    assert sorted(address for _, address, _, _ in email.sent) == sorted([STUDENT.email, ORGANISATION.email])
    [student] = email.to(STUDENT.email)
    assert student.subject.startswith("Je praktijkovereenkomst staat klaar: lees en onderteken / Your placement")
    assert "https://reporting.example/pages/aftercare/2027-p1/stu_1" in student.body
    [organisation] = email.to(ORGANISATION.email)
    assert "Beste Petra Smit" in organisation.body and "namens het leerbedrijf" in organisation.body


def test_an_event_from_before_the_place_was_sent_reaches_the_student_only():
    email = FakeChannel("email")
    inviter(email)("agreement.status_changed", "sent", place_id=None)
    assert [address for _, address, _, _ in email.sent] == [STUDENT.email]


def test_a_proposed_kennismaking_asks_the_student_to_confirm_the_moment_in_dutch_time_once_per_proposal():
    email = FakeChannel("email")
    told = inviter(email)
    told("introduction.proposed", "int-1")
    told("introduction.proposed", "int-1")  # the same proposal again
    [asked] = email.to(STUDENT.email)
    assert asked.subject.startswith("Kennismakingsgesprek bij je stageplaats: 08-03-2027 10:00 CET")
    assert "geen sollicitatie" in asked.body and "not a job interview" in asked.body
    assert [address for _, address, _, _ in email.sent] == [STUDENT.email]  # the student only
    told("introduction.proposed", "int-2")  # the organisation moved the moment: a new proposal, a new e-mail
    assert len(email.to(STUDENT.email)) == 2


def test_the_events_carry_no_name_and_no_address():
    for event in (EvaluationOpened, AgreementStatusChanged, IntroductionProposed):
        assert not {"email", "name", "address", "phone"} & set(event.__dataclass_fields__)
