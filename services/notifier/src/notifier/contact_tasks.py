"""Contact-moment reminders and escalations by e-mail (issue 20.4, R132).

Reporting opens a reminder before each planned contact moment (and before the mid-point and the end of an
internship that has too few) and an escalation of a missed moment or checkpoint, and announces each as
`contact.task_opened`: ids and codes only. The notifier looks the address up when it sends, and keeps it
nowhere:

- a reminder (`school_contact`): the school's contact person for the organisation (R38), which reporting keeps
  sealed, asked through `AbstractTaskContacts` (reporting's /internal/v1/aftercare/tasks/<id>/contact);
- an escalation (`school_coordinator`): the school's registered contact address in intake (the school's
  internship coordinator), through the directory the round e-mails use.

Each task is e-mailed once (mail_once.MailOnce: claimed per student and task id before it is sent), so a task
announced twice (a replay, or reporting publishing again after a failed store) is e-mailed once. An
unreachable reporting or intake raises a transient error (the consumer retries the event); a transient SMTP
failure gives the claim back and raises too; no address, or one refused, is counted and not repeated. The
message is in Dutch with the English below it and links to the task on reporting's task page. Imports the
ports, the domain, metrics and the errors.
"""

from __future__ import annotations

import logging
from typing import Any

from . import metrics
from .domain.model import EMAIL, Contact, DeliveryId, Message
from .mail_once import NO_ADDRESS, SENT, MailOnce, bilingual, render_both
from .ports import AbstractDirectory, AbstractRenderer, AbstractTaskContacts

logger = logging.getLogger(__name__)

COORDINATOR = "school_coordinator"


class ContactTaskMailer:
    """Tells the addressee of one `contact.task_opened` by e-mail, once per task; the link goes to the task on
    reporting's pages (`reporting_url`)."""

    def __init__(self, contacts: AbstractTaskContacts, directory: AbstractDirectory, mail: MailOnce,
                 renderer: AbstractRenderer, reporting_url: str):
        self.contacts, self.directory, self.mail = contacts, directory, mail
        self.renderer, self.reporting_url = renderer, reporting_url

    def __call__(self, task: Any) -> bool:
        """Send the e-mail of this task (the event's payload) unless it was sent; True when it was sent now."""
        delivery = DeliveryId(f"period-{task.period_id}", "contact_task", task.task_id, EMAIL)
        outcome = self.mail.send(task.student_ref, f"contact-task:{task.task_id}", delivery, self._addressee(task),
                                 lambda contact: self._message(task, contact))
        metrics.CONTACT_TASK_MAILS.labels(kind=task.kind, outcome=outcome).inc()
        if outcome == NO_ADDRESS:
            logger.info("contact task %s: no address for the %s", task.task_id, task.addressee)
        return outcome == SENT

    def _addressee(self, task: Any) -> Contact | None:
        if task.addressee == COORDINATOR:
            return self.directory.school(task.school_id)
        return self.contacts.task_contact(task.region_id, task.school_id, task.task_id)

    def _message(self, task: Any, contact: Contact) -> Message:
        context = {"kind": task.kind, "reason": task.reason_code, "addressee": task.addressee,
                   "name": contact.name, "student_ref": task.student_ref, "organisation_id": task.organisation_id,
                   "period_id": task.period_id,
                   "task_url": f"{self.reporting_url}/pages/aftercare/tasks/{task.task_id}"}
        return bilingual(render_both(self.renderer, "contact_task", context))
