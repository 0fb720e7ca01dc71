"""Invitations to the end evaluation by e-mail (issue 20.5, R133).

Reporting announces `evaluation.opened` when a placement's end evaluation opens (14 days before the POK's end,
or at its end): ids only. The notifier invites the three parties, looking each address up when it sends and
keeping it nowhere: the student (intake's directory of released students), the organisation (the contact
person of the place, which intake gives for released places) and the school (its registered contact address in
intake). Each party's invitation is sent once (mail_once.MailOnce, per student, POK and party). The message is
in Dutch with the English below it and links to the placement's page in reporting, where each party signs in
and evaluates. Imports the ports, the domain, metrics and the contact tasks' message helper.
"""

from __future__ import annotations

import logging
from typing import Any

from . import metrics
from .contact_tasks import ContactTaskOptions, both_languages
from .domain.model import EMAIL, Contact, DeliveryId
from .mail_once import NO_ADDRESS, SENT, MailOnce
from .ports import AbstractDirectory, AbstractRenderer

logger = logging.getLogger(__name__)

PARTIES = ("student", "organisation", "school")


class EvaluationInviter:
    """Invites the student, the organisation and the school of one `evaluation.opened`, each once."""

    def __init__(self, directory: AbstractDirectory, mail: MailOnce, renderer: AbstractRenderer,
                 options: ContactTaskOptions = ContactTaskOptions()):
        self.directory, self.mail, self.renderer, self.options = directory, mail, renderer, options

    def __call__(self, opened: Any) -> int:
        """Send the invitations not sent yet; how many were sent now."""
        sent = 0
        for party, contact in self._addressees(opened).items():
            delivery = DeliveryId(f"period-{opened.period_id}", "evaluation_invite",
                                  f"{opened.agreement_id}:{party}", EMAIL)
            outcome = self.mail.send(opened.student_ref, f"evaluation:{opened.agreement_id}:{party}", delivery,
                                     contact, lambda c, party=party: self._message(opened, party, c))
            metrics.EVALUATION_INVITES.labels(party=party, outcome=outcome).inc()
            if outcome == NO_ADDRESS:
                logger.info("evaluation %s: no address for the %s", opened.agreement_id, party)
            sent += outcome == SENT
        return sent

    def _addressees(self, opened: Any) -> dict[str, Contact | None]:
        return {"student": self.directory.contacts([opened.student_ref]).get(opened.student_ref),
                "organisation": self.directory.place_contacts([opened.place_id]).get(opened.place_id),
                "school": self.directory.school(opened.school_id)}

    def _message(self, opened: Any, party: str, contact: Contact):  # noqa: ANN202 (a Message)
        context = {"party": party, "name": contact.name, "student_ref": opened.student_ref,
                   "organisation_id": opened.organisation_id, "period_id": opened.period_id,
                   "url": f"{self.options.reporting_url}/pages/aftercare/{opened.period_id}/{opened.student_ref}"}
        return both_languages(self.renderer, "evaluation_invite", context)
