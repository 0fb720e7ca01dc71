"""Writes the text of in-app inbox entries when they are read (issue 19.4).

An inbox entry is stored without its text: it names the delivery it stands for. Reading composes that
delivery again from what the notifier keeps (round, outcomes, places: pseudonyms and codes) and what intake
answers now (names, e-mail addresses and phone numbers of released students, places' contact persons,
schools), exactly as the sender composed it, and keeps none of it. So a name is never stored in the
notifier, and a student erased in intake is named in no inbox afterwards. The composition decides who learns
what (a school its own students, an organisation the students placed with it, a student themself; the
region's coordinators pseudonyms only), and the API and pages show an inbox only to its own recipient.

When intake cannot be reached, the entries are written with pseudonyms instead of names. An entry whose
delivery has nothing left to say (the outcome was erased) is left out. Imports the composer, the ports and
the domain.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from .compose import BatchContext, Composer
from .domain.model import (ADDRESS_PROBLEM, DELIVERY_KINDS, EMAIL, INBOX, WITHDRAWN_REGION, Contact, DeliveryId,
                           InboxEntry, Message)
from .errors import DeliveryError, DirectoryUnavailable, Skip
from .ports import AbstractDirectory, AbstractStore

logger = logging.getLogger(__name__)


class InboxReader:
    """Renders a recipient's stored inbox entries with the names intake gives at this moment."""

    def __init__(self, store: AbstractStore, directory: AbstractDirectory, composer: Composer):
        self.store = store
        self.directory = directory
        self.composer = composer

    def __call__(self, entries: list[InboxEntry]) -> list[InboxEntry]:
        wanted = [(entry, d) for entry in entries if (d := delivery_of(entry)) is not None]
        ctx = self._context([d for _, d in wanted])
        shown = []
        for entry, d in wanted:
            message = self._message(entry, d, ctx)
            if message is not None:
                shown.append(replace(entry, subject=message.subject, body=message.body))
        return shown

    def _context(self, ids: list[DeliveryId]) -> BatchContext:
        if all(d.kind == WITHDRAWN_REGION for d in ids):  # the coordinators read pseudonyms: ask intake nothing
            return BatchContext.load(self.store, Unreachable(), ids)
        try:
            ctx = BatchContext.load(self.store, self.directory, ids)
            for school_id in sorted(_schools_of_notes(ctx, ids) - set(ctx.schools)):
                ctx.schools[school_id] = self.directory.school(school_id)
            return ctx
        except DirectoryUnavailable as err:
            logger.warning("intake directory unavailable (%s); inbox shown with pseudonyms", err)
            return BatchContext.load(self.store, Unreachable(), ids)

    def _message(self, entry: InboxEntry, d: DeliveryId, ctx: BatchContext) -> Message | None:
        if entry.message_kind == ADDRESS_PROBLEM:
            return self._address_problem(entry, d, ctx)
        try:
            return self.composer.compose(d, ctx).message
        except (Skip, DeliveryError):
            return None

    def _address_problem(self, entry: InboxEntry, d: DeliveryId, ctx: BatchContext) -> Message | None:
        info, outcome = ctx.rounds.get(d.round_id), ctx.outcomes.get((d.round_id, d.ref))
        if info is None or outcome is None:
            return None
        contact = ctx.contacts.get(d.ref)
        name = contact.name if contact and contact.name else d.ref
        return self.composer.address_report(info, name, entry.detail or "unknown_contact",
                                            ctx.schools.get(outcome.school_id))


def delivery_of(entry: InboxEntry) -> DeliveryId | None:
    """The delivery an entry stands for, from its id `{round}:{kind}:{ref}:{channel}` (the round is known, a
    kind has no colon and a channel neither, so a ref with colons is read whole); None when unreadable. An
    address problem note stands for the student's e-mail delivery (`...:email:address_problem`)."""
    suffix = entry.delivery
    if entry.message_kind == ADDRESS_PROBLEM:
        suffix = suffix.removesuffix(f":{ADDRESS_PROBLEM}")
    if not suffix.startswith(f"{entry.round_id}:"):
        return None
    kind, _, rest = suffix[len(entry.round_id) + 1:].partition(":")
    ref, _, channel = rest.rpartition(":")
    if kind not in DELIVERY_KINDS or not ref:
        return None
    return DeliveryId(entry.round_id, kind, ref, EMAIL if entry.message_kind == ADDRESS_PROBLEM else INBOX)


def _schools_of_notes(ctx: BatchContext, ids: list[DeliveryId]) -> set[str]:
    """The schools of the students an address problem note is about (its language is the school's)."""
    return {o.school_id for d in ids if d.channel == EMAIL if (o := ctx.outcomes.get((d.round_id, d.ref)))}


class Unreachable(AbstractDirectory):
    """What is known without intake: no contact details; a school by its id (the texts then name pseudonyms)."""

    def contacts(self, student_refs: list[str]) -> dict[str, Contact]:
        return {}

    def place_contacts(self, place_ids: list[str]) -> dict[str, Contact]:
        return {}

    def school(self, school_id: str) -> Contact | None:
        return Contact(name=school_id)
