"""Contact-moment reminders and escalations by e-mail (issue 20.4): `contact.task_opened` carries ids only; the
notifier e-mails a reminder to the school's contact for the organisation (asked of reporting) and an
escalation to the school's coordinator (the school's address in intake), once per task, in Dutch with English,
with a link to the task; no address: nothing is sent; a transient SMTP failure is retried."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from notifier import handlers
from notifier.adapters.directory import InMemoryDirectory, InMemoryTaskContacts
from notifier.bootstrap import bootstrap
from notifier.config import Settings
from notifier.domain.model import Contact
from notifier.errors import MailUnavailable
from stagepool_shared.errors import TransientError
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.aftercare import ContactTaskOpened
from tests.fakes import Clock, FakePublisher
from tests.fakes.notifier import FakeChannel, FakeDeadlineMarks, FakeStore
from tests.unit.notifier.conftest import ENV

TASK = ("reg-groningen", "sch-alfa", "tsk-1")


class Mailer:
    def __init__(self, email: FakeChannel | None = None) -> None:
        self.email = email or FakeChannel("email")
        self.contacts = InMemoryTaskContacts({TASK: Contact(name="Karin Bos", email="k.bos@alfa.example")})
        directory = InMemoryDirectory(schools={"sch-alfa": Contact(name="Alfa-college", email="stage@alfa.example")})
        settings = Settings.from_env({**ENV, "REPORTING_PUBLIC_URL": "https://reporting.example"})
        self.wiring = bootstrap(settings, store=FakeStore(), publisher=FakePublisher(), directory=directory,
                                clock=Clock(datetime(2027, 3, 7, 8, tzinfo=UTC)),
                                channels={"email": self.email, "webhook": FakeChannel("webhook")},
                                deadline_marks=FakeDeadlineMarks(), task_contacts=self.contacts)

    def opened(self, kind: str, reason: str, addressee: str, task_id: str = "tsk-1") -> None:
        payload = ContactTaskOpened("reg-groningen", "2027-p1", "stu_1", "sch-alfa", "org-umcg", task_id=task_id,
                                    kind=kind, reason_code=reason, addressee=addressee)
        handlers.handle(new_envelope("contact.task_opened", payload, producer="reporting",
                                     partition_key="reg-groningen"), self.wiring.deps)


def test_a_reminder_reaches_the_school_s_contact_once_in_dutch_and_english():
    m = Mailer()
    m.opened("contact_reminder", "contact_due", "school_contact")
    m.opened("contact_reminder", "contact_due", "school_contact")  # the same task again: no second e-mail
    [message] = m.email.to("k.bos@alfa.example")
    assert message.subject.startswith("Herinnering: contactmoment stage (stu_1) / Reminder:")
    dutch, english = message.body.split("-" * 60)
    assert "Beste Karin Bos" in dutch and "contactmoment gepland met student stu_1 bij leerbedrijf org-umcg" in dutch
    assert "a contact moment is planned" in english
    assert "https://reporting.example/pages/aftercare/tasks/tsk-1" in dutch
    assert len(m.email.sent) == 1


def test_an_escalation_goes_to_the_school_s_coordinator_address_not_the_contact():
    m = Mailer()
    m.opened("contact_missed", "contact_missed", "school_coordinator")
    assert m.email.to("k.bos@alfa.example") == []
    [message] = m.email.to("stage@alfa.example")
    assert message.subject.startswith("Escalatie: contactmoment stage gemist")
    assert "Beste stagecoördinator" in message.body and "als stagecoördinator van de school" in message.body


def test_no_contact_named_sends_nothing_and_a_transient_failure_is_tried_again():
    m = Mailer(FakeChannel("email", fail_times=1))
    m.opened("contact_reminder", "contact_midpoint", "school_contact", task_id="tsk-unknown")
    assert m.email.calls == 0
    with pytest.raises(MailUnavailable) as err:
        m.opened("contact_reminder", "contact_midpoint", "school_contact")
    assert isinstance(err.value, TransientError)  # the consumer retries it, not the dead-letter topic
    m.opened("contact_reminder", "contact_midpoint", "school_contact")  # the consumer's retry
    [message] = m.email.to("k.bos@alfa.example")
    assert "De helft van de stage van student stu_1" in message.body


def test_the_address_is_looked_up_not_carried_by_the_event():
    assert not {"email", "name", "address"} & set(ContactTaskOpened.__dataclass_fields__)
