"""E-mails to the parties of a placement in aftercare (issue 20): the kennismaking to confirm, the POK to sign,
the end evaluation to fill in.

Reporting announces each with ids only: `introduction.proposed` (the organisation proposed a moment for the
kennismaking; the student confirms it), `agreement.status_changed` with status `sent` (the school sent
the placement agreement, POK, to be signed) and `evaluation.opened` (the end evaluation opened, 14 days before
the POK's end, or at its end). The notifier looks each party's address up when it sends and keeps it nowhere:
the student (intake's directory of released students), the organisation (the contact person of the place, which
intake gives for released places) and the school (its registered contact address in intake). Each party's
e-mail is sent once per agreement (mail_once.MailOnce, per student, kind, agreement and party). The message is
in Dutch with the English below it and links to the placement's page in reporting, where each party signs in.
Imports the ports, the domain, metrics and the contact tasks' message helper.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from stagepool_shared.i18n import local_time

from . import metrics
from .domain.model import EMAIL, Contact, DeliveryId, Message
from .mail_once import NO_ADDRESS, SENT, MailOnce, bilingual, render_both
from .ports import AbstractDirectory, AbstractRenderer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class PartyMail:
    """One kind of e-mail to the parties of a placement: its template (and mark), who gets it, the payload
    field that names what it is about (sent once per value and party), and the only payload status it is sent
    for (None: every payload)."""

    kind: str
    parties: tuple[str, ...]
    about: str = "agreement_id"
    status: str | None = None


#: The organisation proposed a kennismaking moment: the student confirms it (R103).
INTRODUCTION_PROPOSED = PartyMail("introduction_proposed", ("student",), about="introduction_id")
#: The school sent the POK: the student and the organisation sign it (the school knows; it sent it).
POK_TO_SIGN = PartyMail("pok_to_sign", ("student", "organisation"), status="sent")
#: The end evaluation opened: all three evaluate (R133).
EVALUATION_INVITE = PartyMail("evaluation_invite", ("student", "organisation", "school"))


class PartyMailer:
    """Sends one kind of e-mail to the parties of the placement an event names, each once."""

    def __init__(self, what: PartyMail, directory: AbstractDirectory, mail: MailOnce, renderer: AbstractRenderer,
                 reporting_url: str):
        self.what, self.directory, self.mail, self.renderer = what, directory, mail, renderer
        self.reporting_url = reporting_url

    def __call__(self, about: Any) -> int:
        """Send the e-mails not sent yet to the parties of `about` (a payload with the `PartyMail.about` field,
        period_id, student_ref, school_id, organisation_id and place_id); how many were sent now."""
        if self.what.status is not None and about.status != self.what.status:
            return 0
        sent = 0
        for party in self.what.parties:
            ref = f"{getattr(about, self.what.about)}:{party}"
            delivery = DeliveryId(f"period-{about.period_id}", self.what.kind, ref, EMAIL)
            outcome = self.mail.send(about.student_ref, f"{self.what.kind}:{ref}", delivery,
                                     self._addressee(about, party), lambda c, party=party: self._message(about, party, c))
            metrics.PARTY_MAILS.labels(kind=self.what.kind, party=party, outcome=outcome).inc()
            if outcome == NO_ADDRESS:
                logger.info("%s %s: no address for the %s", self.what.kind, ref, party)
            sent += outcome == SENT
        return sent

    def _addressee(self, about: Any, party: str) -> Contact | None:
        if party == "student":
            return self.directory.contacts([about.student_ref]).get(about.student_ref)
        if party == "organisation":
            return self.directory.place_contacts([about.place_id]).get(about.place_id) if about.place_id else None
        return self.directory.school(about.school_id)

    def _message(self, about: Any, party: str, contact: Contact) -> Message:
        context = {"party": party, "name": contact.name, "student_ref": about.student_ref,
                   "organisation_id": about.organisation_id, "period_id": about.period_id,
                   "moment": local_time(getattr(about, "moment", None)),
                   "url": f"{self.reporting_url}/pages/aftercare/{about.period_id}/{about.student_ref}"}
        return bilingual(render_both(self.renderer, self.what.kind, context))
