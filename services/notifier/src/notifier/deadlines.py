"""The deadline reminders (issue 15.4): an e-mail to every student who has not made a top 3 before a period's
wish deadline, or not chosen a candidate before its choice deadline, at each configured lead
(NOTIFIER_DEADLINE_REMINDER_DAYS: 3 and 1 day before by default).

Intake names the students with an open window (`AbstractWindows`, asked at every step and kept only for it);
the rule of which lead is due is `domain.deadlines`. Each reminder is claimed in Redis before it is sent
(mail_once.MailOnce over `AbstractDeadlineMarks`: HSETNX per student), so it goes out at most once per student,
deadline and lead,
also when two instances run the step at the same moment (the step runs under the `deadlines` lease, so
normally one does). A transient SMTP failure gives the claim back and ends the step (tried again at the next
interval); a permanent one (a refused address) is counted and not repeated. A process killed between its claim
and the hand-over to SMTP loses that one reminder rather than sending it twice. The message is in Dutch with
the English below it (intake keeps no language of a student; English first when intake says `lang` en), the
deadline in Europe/Amsterdam time. Imports the ports, the domain, metrics and the shared time wording.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable, Sequence

from stagepool_shared.i18n import local_time

from . import metrics
from .domain.deadlines import Window, days_left, due_lead, mark_of
from .domain.model import EMAIL, Contact, DeliveryId, Message
from .errors import MailUnavailable
from .mail_once import FAILED, SENT, MailOnce, bilingual, render_both
from .ports import AbstractRenderer, AbstractWindows

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DeadlineOptions:
    """The leads before a deadline, how long a mark is kept after it, and where the catalogue is."""

    leads: tuple[timedelta, ...] = (timedelta(days=3), timedelta(days=1))
    retention: timedelta = timedelta(days=365)
    intake_url: str = "http://127.0.0.1:8001"


class DeadlineReminders:
    """The `deadlines` worker: one step asks intake for the open windows and sends the reminders that are due."""

    def __init__(self, windows: AbstractWindows, mail: MailOnce, renderer: AbstractRenderer,
                 clock: Callable[[], datetime], options: DeadlineOptions):
        self.windows, self.mail, self.renderer = windows, mail, renderer
        self.clock, self.options = clock, options

    def run_once(self) -> int:
        """Send every reminder that is due now and was not sent; the number sent (the worker looks again at
        once after a step that sent some, and waits its interval after one that sent none)."""
        now = self.clock()
        sent = 0
        for window in self.windows.open_windows(max(self.options.leads)):
            lead = due_lead(window.until, now, self.options.leads)
            if lead is None:
                continue
            done, stop = self._remind_window(window, lead, now)
            sent += done
            if stop:
                break
        if sent:
            logger.info("deadline reminders: %d sent", sent)
        return sent

    def _remind_window(self, window: Window, lead: timedelta, now: datetime) -> tuple[int, bool]:
        """The reminders of one window: (how many were sent, whether SMTP failed transiently)."""
        mark = mark_of(window, lead)
        keep_until = (window.until + self.options.retention).timestamp()
        message = self._messages(window, now)
        sent = 0
        for ref, contact in window.students:
            try:
                outcome = self.mail.send(ref, mark, _delivery(window, lead, ref), contact, message, keep_until)
            except MailUnavailable as err:
                metrics.DEADLINE_REMINDERS.labels(deadline=window.deadline, outcome=FAILED).inc()
                logger.warning("deadline reminders: %s; trying again later", err)
                return sent, True
            if outcome in (SENT, FAILED):
                metrics.DEADLINE_REMINDERS.labels(deadline=window.deadline, outcome=outcome).inc()
            sent += outcome == SENT
        return sent, False

    def _messages(self, window: Window, now: datetime) -> Callable[[Contact], Message]:
        """The window's message in Dutch with English, or English first for a contact whose language is en."""
        context = {"deadline": window.deadline, "until": local_time(window.until),
                   "days": days_left(window.until, now),
                   "catalogue_url": f"{self.options.intake_url}/pages/student/catalogue?period_id={window.period_id}"}
        texts = render_both(self.renderer, "deadline_reminder", context)
        return lambda contact: bilingual(texts, contact.lang)


def _delivery(window: Window, lead: timedelta, ref: str) -> DeliveryId:
    """The id the e-mail carries (Message-ID and X-Stagepool-Delivery): period, deadline, lead and student."""
    return DeliveryId(f"period-{window.period_id}", mark_of(window, lead).split(":", 1)[1], ref, EMAIL)


def leads_of(days: Sequence[float]) -> tuple[timedelta, ...]:
    """The configured leads in days (NOTIFIER_DEADLINE_REMINDER_DAYS) as durations, longest first."""
    return tuple(sorted((timedelta(days=d) for d in days if d > 0), reverse=True))
