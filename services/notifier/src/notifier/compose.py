"""Composes the message of a delivery: gathers what it needs (round, outcomes, places, contacts) in batches,
renders the template in the recipient's language and picks the address for the channel.

A missing or invalid address is a permanent DeliveryError naming the problem, so the caller can report it
to the school; nothing to send on a channel is Skip. Imports the domain and the ports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .domain import messages
from .domain.model import (ABOUT_STUDENT, EMAIL, INBOX, ORGANISATION, OVERDUE, REMINDER, SCHOOL, STAFF_NOTES, STUDENT,
                           WEBHOOK, WITHDRAWN, WITHDRAWN_REGION, Contact, DeliveryId, Message, PlaceInfo, RoundInfo,
                           StudentOutcome)
from .domain.rules import is_valid_email
from .errors import DeliveryError, Skip
from .ports import AbstractDirectory, AbstractRenderer, AbstractStore


@dataclass(frozen=True)
class Composed:
    """A rendered message with its address on one channel and its structured data."""

    address: str
    message: Message
    data: dict[str, Any]


@dataclass
class BatchContext:
    """Everything a batch of deliveries needs, fetched once: few Redis reads and few intake calls."""

    rounds: dict[str, RoundInfo] = field(default_factory=dict)
    outcomes: dict[tuple[str, str], StudentOutcome] = field(default_factory=dict)
    groups: dict[tuple[str, str, str], list[StudentOutcome]] = field(default_factory=dict)
    places: dict[str, PlaceInfo] = field(default_factory=dict)
    contacts: dict[str, Contact] = field(default_factory=dict)
    place_contacts: dict[str, Contact] = field(default_factory=dict)
    schools: dict[str, Contact | None] = field(default_factory=dict)

    @classmethod
    def load(cls, store: AbstractStore, directory: AbstractDirectory, ids: list[DeliveryId]) -> "BatchContext":
        """Read rounds, outcomes and places from the store, then the students' contacts, the contact persons
        of the places students and organisations are told of, and the schools from intake (may raise
        DirectoryUnavailable). Nothing of what intake answers is written anywhere."""
        ctx = cls()
        students: dict[str, set[str]] = {}
        for d in ids:
            if d.round_id not in ctx.rounds:
                info = store.round(d.round_id)
                if info is not None:
                    ctx.rounds[d.round_id] = info
            if d.kind in ABOUT_STUDENT:
                students.setdefault(d.round_id, set()).add(d.ref)
            elif (d.round_id, d.kind, d.ref) not in ctx.groups:
                ctx.groups[(d.round_id, d.kind, d.ref)] = store.outcomes_of(d.round_id, d.kind, d.ref)
        for round_id, refs in students.items():
            found = store.outcomes_for(round_id, sorted(refs))
            ctx.outcomes.update({(round_id, ref): outcome for ref, outcome in found.items()})
        ctx.places = store.places([o.place_id for o in ctx.all_outcomes() if o.place_id])
        refs = sorted({o.student_ref for o in ctx.all_outcomes()})
        ctx.contacts = directory.contacts(refs) if refs else {}
        told = sorted({o.place_id for o in ctx.told_of_places(ids) if o.place_id and o.is_placed})
        ctx.place_contacts = directory.place_contacts(told) if told else {}
        noted = {o.school_id for d in ids if d.kind in STAFF_NOTES and d.kind != WITHDRAWN_REGION
                 if (o := ctx.outcomes.get((d.round_id, d.ref)))}
        for school_id in sorted({d.ref for d in ids if d.kind == SCHOOL} | noted):
            ctx.schools[school_id] = directory.school(school_id)
        return ctx

    def all_outcomes(self) -> list[StudentOutcome]:
        return list(self.outcomes.values()) + [o for group in self.groups.values() for o in group]

    def told_of_places(self, ids: list[DeliveryId]) -> list[StudentOutcome]:
        """The outcomes whose place's contact person a delivery needs: a student's outcome or reminder (the
        message names the person), and an organisation's list by e-mail (it goes to that person)."""
        return ([o for d in ids if d.kind in (STUDENT, REMINDER) if (o := self.outcomes.get((d.round_id, d.ref)))]
                + [o for d in ids if d.kind == ORGANISATION and d.channel == EMAIL
                   for o in self.groups.get((d.round_id, d.kind, d.ref), [])])


def address_problem(contact: Contact | None) -> str | None:
    """Why a student cannot be e-mailed, or None."""
    if contact is None:
        return "unknown_contact"
    if not contact.email.strip():
        return "missing_address"
    if not is_valid_email(contact.email.strip()):
        return "invalid_address"
    return None


def await_contacts(d: DeliveryId, ctx: BatchContext) -> None:
    """Raise a transient `unknown_contact` when a student the message is about has no contact from intake yet.

    Intake answers a student's contact only once its own consumer has taken in the round's release, which
    can come after the notifier's; a message composed before then would tell the school and the organisation
    the student cannot be reached, and give the student's e-mail up. So the delivery waits for the retry
    policy's next attempt; on its last attempt it goes out with what intake knows (and the school hears of
    a student still unknown)."""
    if d.kind in (STUDENT, REMINDER) and d.channel == EMAIL:
        refs = [d.ref]
    elif d.kind in (SCHOOL, ORGANISATION):
        refs = [o.student_ref for o in ctx.groups.get((d.round_id, d.kind, d.ref), [])]
    else:
        return
    if any(ref not in ctx.contacts for ref in refs):
        raise DeliveryError("unknown_contact")


class Composer:
    """Builds the message of each kind of delivery."""

    def __init__(self, renderer: AbstractRenderer, respond_base_url: str,
                 sign_in_link: Callable[[str, str], str] | None = None):
        """`sign_in_link(student_ref, region_id)` makes a student's personal link for e-mails (optional)."""
        self.renderer = renderer
        self.respond_base_url = respond_base_url.rstrip("/")
        self.sign_in_link = sign_in_link

    def compose(self, d: DeliveryId, ctx: BatchContext, answered: bool = False, patient: bool = False) -> Composed:
        """The message of delivery `d`. `patient`: a student contact intake does not know yet makes it wait
        (a transient `unknown_contact`) instead of going out without it; see `await_contacts`."""
        info = ctx.rounds.get(d.round_id)
        if info is None:
            raise DeliveryError("round unknown (erased?)", permanent=True)
        if patient:
            await_contacts(d, ctx)
        if d.kind in (STUDENT, REMINDER):
            return self._student(d, ctx, info, answered)
        if d.kind == WITHDRAWN:
            return self._withdrawn(d, ctx, info)
        if d.kind in STAFF_NOTES:
            return self._staff_note(d, ctx, info)
        if d.kind == SCHOOL:
            return self._school(d, ctx, info)
        return self._organisation(d, ctx, info)

    def respond_url(self, round_id: str) -> str:
        return f"{self.respond_base_url}/api/v1/placements/{round_id}"

    def student_page_url(self, d: DeliveryId, info: RoundInfo) -> str:
        """Where the student sees and answers the outcome: a personal sign-in link in an e-mail, the page
        itself in the in-app inbox (the student is signed in there already)."""
        if d.channel == EMAIL and self.sign_in_link is not None:
            return self.sign_in_link(d.ref, info.region_id)
        return f"{self.respond_base_url}/pages/student"

    def _student(self, d: DeliveryId, ctx: BatchContext, info: RoundInfo, answered: bool) -> Composed:
        outcome = ctx.outcomes.get((d.round_id, d.ref))
        if outcome is None:
            raise Skip("no outcome (erased)")
        if d.kind == REMINDER and answered:
            raise Skip("already answered")
        contact = ctx.contacts.get(d.ref)
        place = ctx.places.get(outcome.place_id or "")
        context = messages.student_context(info, outcome, place, contact or Contact(), self.respond_url(d.round_id),
                                           self.student_page_url(d, info) if self.sign_in_link else "",
                                           ctx.place_contacts.get(outcome.place_id or ""))
        name = "reminder" if d.kind == REMINDER else ("student_placed" if context["placed"] else "student_unplaced")
        message = self.renderer.render(name, context, (contact or Contact()).lang)
        return Composed(self._student_address(d, contact), message, self._data(d, info, {"status": outcome.status}))

    @staticmethod
    def _student_address(d: DeliveryId, contact: Contact | None) -> str:
        if d.channel != EMAIL:
            return d.ref
        problem = address_problem(contact)
        if problem:  # an unknown contact is permanent here: a patient compose waited for it already
            raise DeliveryError(problem, permanent=True)
        return contact.email.strip()  # type: ignore[union-attr]

    def _withdrawn(self, d: DeliveryId, ctx: BatchContext, info: RoundInfo) -> Composed:
        """The student's note that the organisation withdrew the place after the release."""
        outcome = ctx.outcomes.get((d.round_id, d.ref))
        if outcome is None:
            raise Skip("no outcome (erased)")
        contact = ctx.contacts.get(d.ref)
        context = messages.withdrawal_context(info, outcome, ctx.places.get(outcome.place_id or ""),
                                              (contact or Contact()).name or "")
        message = self.renderer.render("place_withdrawn", context, (contact or Contact()).lang)
        return Composed(self._student_address(d, contact), message, self._data(d, info, {"status": "withdrawn"}))

    def _staff_note(self, d: DeliveryId, ctx: BatchContext, info: RoundInfo) -> Composed:
        """The school's (or the region's coordinators') note about one student: a withdrawn place, or an
        answer deadline that passed without an answer."""
        outcome = ctx.outcomes.get((d.round_id, d.ref))
        if outcome is None:
            raise Skip("no outcome (erased)")
        place = ctx.places.get(outcome.place_id or "")
        template = "answer_overdue" if d.kind == OVERDUE else "place_withdrawn_staff"
        if d.kind == WITHDRAWN_REGION:  # the coordinators' inbox: the pseudonym, never the name
            context = messages.withdrawal_context(info, outcome, place, d.ref)
            message = self.renderer.render(template, context, "nl")
            return Composed(info.region_id, message, self._data(d, info, {"student_ref": d.ref}))
        school = ctx.schools.get(outcome.school_id)
        if school is None:
            raise DeliveryError("school unknown to intake", permanent=True)
        contact = ctx.contacts.get(d.ref)
        context = messages.withdrawal_context(info, outcome, place, (contact.name if contact else "") or d.ref)
        message = self.renderer.render(template, context, school.lang)
        address = outcome.school_id if d.channel == INBOX else self._channel_address(d, school.email,
                                                                                     school.webhook_url)
        data = {"school_id": outcome.school_id, "student_ref": d.ref, "place_id": outcome.place_id}
        return Composed(address, message, self._data(d, info, data))

    def _school(self, d: DeliveryId, ctx: BatchContext, info: RoundInfo) -> Composed:
        school = ctx.schools.get(d.ref)
        if school is None:
            raise DeliveryError("school unknown to intake", permanent=True)
        outcomes = ctx.groups.get((d.round_id, SCHOOL, d.ref), [])
        problems = {o.student_ref: p for o in outcomes if (p := address_problem(ctx.contacts.get(o.student_ref)))}
        rows = messages.school_rows(outcomes, ctx.places, ctx.contacts, problems)
        context = messages.school_context(info, school, rows)
        message = self.renderer.render("school_overview", context, school.lang)
        address = self._channel_address(d, school.email, school.webhook_url)
        data = {"school_id": d.ref, "students": context["rows"], "unreachable": len(problems)}
        return Composed(address, message, self._data(d, info, data))

    def _organisation(self, d: DeliveryId, ctx: BatchContext, info: RoundInfo) -> Composed:
        outcomes = ctx.groups.get((d.round_id, ORGANISATION, d.ref), [])
        if not outcomes:
            raise Skip("no students placed any more")
        places = [ctx.places[o.place_id] for o in outcomes if o.place_id in ctx.places]
        name = places[0].organisation_name if places else d.ref
        email = next((c.email for p in places if (c := ctx.place_contacts.get(p.place_id)) and c.email), "")
        context = messages.organisation_context(info, name, outcomes, ctx.places, ctx.contacts)
        message = self.renderer.render("organisation_overview", context, "nl")
        address = self._channel_address(d, email, "")
        return Composed(address, message, self._data(d, info, {"organisation_id": d.ref}))

    @staticmethod
    def _channel_address(d: DeliveryId, email: str, webhook_url: str) -> str:
        if d.channel == INBOX:
            return d.ref
        if d.channel == WEBHOOK:
            if not webhook_url:
                raise Skip("no webhook configured")
            return webhook_url
        if not email.strip():
            raise DeliveryError("missing_address", permanent=True)
        if not is_valid_email(email.strip()):
            raise DeliveryError("invalid_address", permanent=True)
        return email.strip()

    @staticmethod
    def _data(d: DeliveryId, info: RoundInfo, extra: dict[str, Any]) -> dict[str, Any]:
        return {"round_id": d.round_id, "message_kind": d.message_kind, "recipient_kind": d.recipient_kind,
                "visible_from": info.released_at, **extra}

    def address_report(self, info: RoundInfo, student: str, problem: str, school: Contact | None) -> Message:
        """The inbox note telling a school one of its students could not be reached by e-mail."""
        context = {"round_id": info.round_id, "name": student, "student_ref": student, "problem": problem}
        return self.renderer.render("address_problem", context, school.lang if school else "nl")
