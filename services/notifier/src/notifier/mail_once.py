"""One e-mail, sent once, in two languages: the piece every e-mail outside a round's deliveries shares (the
deadline reminders, the contact-moment reminders, the aftercare e-mails to a placement's parties).

`MailOnce.send` claims a mark in Redis before it sends (the deadline marks, per student and a mark name), so an
event announced twice (a replay, or a producer publishing again after a failed store), or a step run by two
instances, e-mails once. A transient SMTP failure gives the claim back and raises `MailUnavailable` (a consumer
retries the event; a worker step ends and tries again later); a refused address is logged and not repeated.
`bilingual` puts the message in Dutch with the English below it (English first for a contact whose language is
en). Imports the ports, the domain and the errors.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any, Callable

from .domain.model import Contact, DeliveryId, Message
from .domain.rules import is_valid_email
from .errors import DeliveryError, MailUnavailable
from .ports import AbstractChannel, AbstractDeadlineMarks, AbstractRenderer

logger = logging.getLogger(__name__)

#: What `MailOnce.send` answers: sent now, sent before, no (valid) address, or refused for good.
SENT, SENT_BEFORE, NO_ADDRESS, FAILED = "sent", "sent_before", "no_address", "failed"
SEPARATOR = "\n" + "-" * 60 + "\n\n"  # between the two languages


class MailOnce:
    """Sends an e-mail unless its mark was claimed before; the mark is kept for `retention` (or until the
    moment a caller names)."""

    def __init__(self, marks: AbstractDeadlineMarks, channel: AbstractChannel, clock: Callable[[], datetime],
                 retention: timedelta):
        self.marks, self.channel, self.clock, self.retention = marks, channel, clock, retention

    def send(self, student_ref: str, mark: str, delivery: DeliveryId, contact: Contact | None,
             message: Callable[[Contact], Message], keep_until: float | None = None) -> str:
        """Send `message(contact)` to `contact` once per (student, mark); the outcome (SENT, SENT_BEFORE, ...)."""
        if contact is None or not is_valid_email(contact.email):
            return NO_ADDRESS
        until = keep_until if keep_until is not None else (self.clock() + self.retention).timestamp()
        if not self.marks.claim(student_ref, mark, until):
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


def render_both(renderer: AbstractRenderer, template: str, context: dict[str, Any]) -> dict[str, Message]:
    """The template rendered in Dutch and in English."""
    return {lang: renderer.render(template, context, lang) for lang in ("nl", "en")}


def bilingual(texts: dict[str, Message], lang: str = "nl") -> Message:
    """One message in both languages: Dutch first, English first when `lang` is en."""
    first, second = (texts["en"], texts["nl"]) if lang == "en" else (texts["nl"], texts["en"])
    return Message(subject=f"{first.subject} / {second.subject}", body=first.body + SEPARATOR + second.body,
                   lang=first.lang)
