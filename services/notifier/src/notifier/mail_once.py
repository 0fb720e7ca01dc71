"""One e-mail, sent once: claimed in Redis before it is sent (the deadline reminders' marks, per student and a
mark name), so an event announced twice (a replay, or a producer publishing again after a failed store) is
e-mailed once. A transient SMTP failure gives the claim back and raises `MailUnavailable` (the consumer retries
the event); a refused address is logged and not repeated. Used by the contact-moment reminders (contact_tasks.py)
and the evaluation invitations (evaluations.py). Imports the ports, the domain and the errors.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Callable

from .domain.model import Contact, DeliveryId, Message
from .domain.rules import is_valid_email
from .errors import DeliveryError, MailUnavailable
from .ports import AbstractChannel, AbstractDeadlineMarks

logger = logging.getLogger(__name__)

#: What `MailOnce.send` answers: sent now, sent before, no (valid) address, or refused for good.
SENT, SENT_BEFORE, NO_ADDRESS, FAILED = "sent", "sent_before", "no_address", "failed"


class MailOnce:
    """Sends an e-mail unless its mark was claimed before; the mark is kept for `retention`."""

    def __init__(self, marks: AbstractDeadlineMarks, channel: AbstractChannel, clock: Callable[[], datetime],
                 retention: timedelta):
        self.marks, self.channel, self.clock, self.retention = marks, channel, clock, retention

    def send(self, student_ref: str, mark: str, delivery: DeliveryId, contact: Contact | None,
             message: Callable[[Contact], Message]) -> str:
        """Send `message(contact)` to `contact` once per (student, mark); the outcome (SENT, SENT_BEFORE, ...)."""
        if contact is None or not is_valid_email(contact.email):
            return NO_ADDRESS
        if not self.marks.claim(student_ref, mark, (self.clock() + self.retention).timestamp()):
            return SENT_BEFORE
        try:
            self.channel.send(delivery, contact.email, message(contact), {})
        except DeliveryError as err:
            if not err.permanent:
                self.marks.release(student_ref, mark)
                raise MailUnavailable(f"e-mail unavailable: {err.reason}") from err
            logger.warning("%s: e-mail refused (%s)", mark, err)
            return FAILED
        return SENT
