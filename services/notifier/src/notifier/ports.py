"""The notifier's ports: what handlers, commands and workers need from storage, intake's directory, the
message templates and delivery channels, and `Deps`, the bag of ports handed to each of them.

Adapters implement them (Redis, HTTP, SMTP, webhook, Jinja2); unit tests use the fakes in tests/fakes.
Publishing goes through the shared `Publisher` port. Imports only the standard library, the shared
envelope and ports, and the domain.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Callable, Sequence

from stagepool_shared.envelope import Envelope
from stagepool_shared.ports import Publisher

from .domain.deadlines import Window
from .domain.model import (Contact, Delivery, DeliveryId, Exclusions, InboxEntry, Message, PlaceInfo, Response,
                           RoundInfo, RoundPlan, StudentOutcome)

#: An event to publish later through the outbox: (topic or None for the event's own topic, envelope).
OutboxItem = tuple[str | None, Envelope]

#: Plans a complete round: (round, every outcome) -> every delivery it needs.
RoundPlanner = Callable[[RoundInfo, list[StudentOutcome]], RoundPlan]

#: An entry for an in-app inbox: (recipient kind, recipient ref, entry).
InboxWrite = tuple[str, str, InboxEntry]

#: Writes the text of stored inbox entries when they are read, with the names intake gives then (issue 19.4).
InboxRendering = Callable[[list[InboxEntry]], list[InboxEntry]]


@dataclass(frozen=True)
class DeliveryResult:
    """What became of one claimed delivery: `state` sent, failed or skipped at `at`, or pending again from
    `at` (a retry, or handed back unsent). The store writes a batch of results in one transaction, together
    with their outbox events and inbox entries, and only for records that still exist (an erased student's
    delivery is not brought back)."""

    delivery: Delivery
    state: str
    at: float
    error: str = ""
    events: tuple[OutboxItem, ...] = ()
    inbox: tuple[InboxWrite, ...] = ()


class AbstractDirectory(abc.ABC):
    """Intake's contact directory; it answers only for released students."""

    @abc.abstractmethod
    def contacts(self, student_refs: list[str]) -> dict[str, Contact]:
        """Contact details of released students; unknown refs are left out."""

    @abc.abstractmethod
    def school(self, school_id: str) -> Contact | None:
        """A school's name, e-mail, webhook and language; None when unknown."""

    @abc.abstractmethod
    def place_contacts(self, place_ids: list[str]) -> dict[str, Contact]:
        """The contact person of places a released round placed students at; the others are left out."""


class AbstractTaskContacts(abc.ABC):
    """Reporting's school contacts (R38): who a contact-moment reminder is for (issue 20.4)."""

    @abc.abstractmethod
    def task_contact(self, region_id: str, school_id: str, task_id: str) -> Contact | None:
        """The school's contact for the organisation of this reminder; None when reporting names none.
        DirectoryUnavailable when reporting cannot answer."""


class AbstractWindows(abc.ABC):
    """Intake's open windows before the periods' deadlines (issue 15.4)."""

    @abc.abstractmethod
    def open_windows(self, within: timedelta) -> list[Window]:
        """Every wish or choice deadline that has not passed and comes within `within`, with the students who
        have not acted yet."""


class AbstractDeadlineMarks(abc.ABC):
    """Which deadline reminders were sent, per student: a claim succeeds once, across every instance."""

    @abc.abstractmethod
    def claim(self, student_ref: str, mark: str, keep_until: float) -> bool:
        """Mark the reminder as sent unless it was; True only for the first claim. The mark is kept at least
        until `keep_until` (epoch seconds: the deadline plus the retention)."""

    @abc.abstractmethod
    def release(self, student_ref: str, mark: str) -> None:
        """Undo a claim whose e-mail could not be handed over (a transient failure), so it is tried again."""


class AbstractChannel(abc.ABC):
    """Delivers one rendered message; raises DeliveryError on failure."""

    name: str

    @abc.abstractmethod
    def send(self, delivery: DeliveryId, address: str, message: Message, data: dict[str, Any]) -> None:
        """Deliver `message` to `address`; `data` is the structured content (for webhooks)."""


class AbstractRenderer(abc.ABC):
    """Writes messages from templates in the recipient's language; the pages use its labels too."""

    @abc.abstractmethod
    def render(self, name: str, context: dict[str, Any], lang: str | None = None) -> Message:
        """The message `name` (e.g. "student_placed") in the recipient's language."""

    @abc.abstractmethod
    def labels(self, lang: str) -> dict[str, Any]:
        """The wording of codes (criteria, reasons, hints) in `lang`."""

    @staticmethod
    @abc.abstractmethod
    def hint_text(labels: dict[str, Any], criterion: str, change: Any, opens_places: int,
                  free_places: int | None = None) -> str:
        """One "what would have helped" sentence for an unplaced student."""


class AbstractStoredChannel(AbstractChannel):
    """A channel whose delivery is an entry in the notifier's own store (the in-app inbox). The dispatcher
    writes the entry in the same transaction as the delivery's mark, so it never duplicates and costs no
    write of its own."""

    @abc.abstractmethod
    def entry(self, delivery: DeliveryId, address: str, message: Message, data: dict[str, Any]) -> InboxWrite:
        """The inbox entry that delivers `message` to `address`."""


class AbstractStore(abc.ABC):
    """The notifier's state: places, rounds, outcomes, delivery records, inboxes, answers and the outbox."""

    # --- projections and rounds (consumer side)
    @abc.abstractmethod
    def save_place(self, event_id: str, place: PlaceInfo) -> bool: ...

    @abc.abstractmethod
    def withdraw_place(self, event_id: str, place_id: str, notices: Sequence[DeliveryId] = (),
                       due: float = 0.0) -> bool:
        """Mark the place withdrawn and, in the same transaction, queue the `notices` (due at `due`; one that
        exists already is left alone) and stop the reminders and deadline notes of the students they name.
        False when the event was processed before."""

    @abc.abstractmethod
    def placed_at(self, place_id: str) -> list[tuple[str, str]]:
        """(round id, student ref) of every stored outcome that places a student at this place."""

    @abc.abstractmethod
    def places(self, place_ids: list[str]) -> dict[str, PlaceInfo]: ...

    @abc.abstractmethod
    def add_round_part(self, event_id: str, round_info: RoundInfo, part: int, parts: int,
                       outcomes: list[StudentOutcome], reminder_at: float, plan: RoundPlanner) -> bool:
        """Store a part; when every part is in, call `plan(round_info, outcomes)` -> RoundPlan and write it
        in the same transaction. False when the event was processed before."""

    @abc.abstractmethod
    def round(self, round_id: str) -> RoundInfo | None: ...

    @abc.abstractmethod
    def outcome(self, round_id: str, student_ref: str) -> StudentOutcome | None: ...

    @abc.abstractmethod
    def outcomes_for(self, round_id: str, student_refs: list[str]) -> dict[str, StudentOutcome]:
        """The outcomes of these students in one read; erased ones are left out."""

    @abc.abstractmethod
    def outcomes_of(self, round_id: str, kind: str, ref: str) -> list[StudentOutcome]:
        """The outcomes of a school's students or of the students placed with an organisation."""

    @abc.abstractmethod
    def erase_student(self, event_id: str, student_ref: str) -> bool: ...

    @abc.abstractmethod
    def rounds_released_before(self, moment: float) -> list[str]:
        """Retention (R155, issue 20.7): the ids of the rounds released before `moment` (epoch seconds)."""

    @abc.abstractmethod
    def forget_round(self, round_id: str) -> None:
        """Retention: delete everything of a round (meta, outcomes, deliveries, queue and watch entries,
        answers, inbox entries, the students' round index), in one transaction."""

    @abc.abstractmethod
    def student_rounds(self, student_ref: str) -> list[str]:
        """Every stored round (released or not) that holds an outcome of this student."""

    @abc.abstractmethod
    def withdrawn_places(self, place_ids: list[str]) -> set[str]:
        """Which of these places their organisation withdrew."""

    @abc.abstractmethod
    def exclude(self, event_id: str, student_ref: str, organisation_ids: list[str], place_ids: list[str]) -> bool:
        """Add exclusions of a student, with the event's processed marker. False when processed before."""

    @abc.abstractmethod
    def exclusions(self, student_ref: str) -> Exclusions: ...

    # --- deliveries
    @abc.abstractmethod
    def claim_due(self, now: float, limit: int, lease_s: float) -> list[Delivery]:
        """Lease up to `limit` pending deliveries due at `now` (never one of a round before its release
        moment) until `now + lease_s`, in one atomic step."""

    @abc.abstractmethod
    def finish(self, results: list[DeliveryResult]) -> None:
        """Record a batch of results, their outbox events and inbox entries in one transaction."""

    @abc.abstractmethod
    def delivery(self, delivery_id: DeliveryId) -> Delivery | None: ...

    @abc.abstractmethod
    def pending_count(self) -> int: ...

    @abc.abstractmethod
    def spread(self, round_id: str) -> tuple[float | None, float | None]: ...

    # --- inbox, answers, reminders
    @abc.abstractmethod
    def put_inbox(self, recipient_kind: str, ref: str, entry: InboxEntry) -> None: ...

    @abc.abstractmethod
    def inbox(self, recipient_kind: str, ref: str) -> list[InboxEntry]: ...

    @abc.abstractmethod
    def response(self, round_id: str, student_ref: str) -> Response | None: ...

    @abc.abstractmethod
    def save_response(self, round_id: str, student_ref: str, response: Response) -> None: ...

    @abc.abstractmethod
    def due_reminders(self, now: float, limit: int) -> list[tuple[str, str]]: ...

    @abc.abstractmethod
    def schedule_reminder(self, round_id: str, student_ref: str, deliveries: list[DeliveryId], due: float) -> bool:
        """Create the reminder deliveries and drop the student from the awaiting list, atomically."""

    @abc.abstractmethod
    def drop_reminder(self, round_id: str, student_ref: str) -> None: ...

    @abc.abstractmethod
    def due_overdue(self, now: float, limit: int) -> list[tuple[str, str]]:
        """(round, student) of placed students whose answer deadline came (and who did not answer since)."""

    @abc.abstractmethod
    def schedule_overdue(self, round_id: str, student_ref: str, deliveries: list[DeliveryId], due: float) -> bool:
        """Create the school's deadline note and drop the student from the overdue watch, atomically."""

    @abc.abstractmethod
    def drop_overdue(self, round_id: str, student_ref: str) -> None: ...

    # --- outbox
    @abc.abstractmethod
    def outbox_peek(self, limit: int) -> list[OutboxItem]: ...

    @abc.abstractmethod
    def outbox_ack(self, items: Sequence[OutboxItem]) -> None:
        """Remove exactly these published events (by event id) from the outbox, wherever they are now: another
        instance may have removed some of them, and new events may have come after them."""


@dataclass
class Deps:
    """What every handler, command and background job works with. `render_inbox` writes the text of inbox
    entries when they are read (bootstrap wires inbox.InboxReader; without it entries are read as stored,
    without text)."""

    store: AbstractStore
    publisher: Publisher
    directory: AbstractDirectory
    clock: Callable[[], datetime]
    reminder_lead: timedelta = timedelta(hours=48)
    render_inbox: InboxRendering | None = None
    #: The e-mails an event asks for, by event type (empty without e-mail): `contact.task_opened`
    #: (contact_tasks.ContactTaskMailer, issue 20.4) and the aftercare e-mails to a placement's parties
    #: (party_mails.PartyMailer: `introduction.proposed`, `agreement.status_changed`, `evaluation.opened`).
    mailers: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
