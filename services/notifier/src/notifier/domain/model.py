"""The notifier's domain objects: rounds, outcomes, places, contacts and delivery records.

Plain frozen dataclasses; imports the standard library and the plain event contract (the explanation's
`Hint`, kept as the round events carry it).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from stagepool_shared.events.contract import Hint

STUDENT = "student"
SCHOOL = "school"
ORGANISATION = "organisation"
REMINDER = "reminder"
#: A place withdrawn after release: the note to the student, to the school (ref: the student) and to the
#: region's coordinators (ref: the student; inbox only).
WITHDRAWN = "withdrawn"
WITHDRAWN_SCHOOL = "withdrawn_school"
WITHDRAWN_REGION = "withdrawn_region"
#: The answer deadline passed without an answer: the note to the school (ref: the student).
OVERDUE = "overdue"
DELIVERY_KINDS = (STUDENT, SCHOOL, ORGANISATION, REMINDER, WITHDRAWN, WITHDRAWN_SCHOOL, WITHDRAWN_REGION, OVERDUE)
#: The kinds of delivery whose ref is a student (erased with the student).
ABOUT_STUDENT = (STUDENT, REMINDER, WITHDRAWN, WITHDRAWN_SCHOOL, WITHDRAWN_REGION, OVERDUE)
#: The kinds of delivery to staff about one student: the school's or the region's note.
STAFF_NOTES = (WITHDRAWN_SCHOOL, WITHDRAWN_REGION, OVERDUE)

EMAIL = "email"
WEBHOOK = "webhook"
INBOX = "inbox"

PENDING = "pending"
SENT = "sent"
FAILED = "failed"
SKIPPED = "skipped"

#: Which channels each kind of delivery goes out on.
CHANNELS: dict[str, tuple[str, ...]] = {
    STUDENT: (EMAIL, INBOX),
    SCHOOL: (EMAIL, WEBHOOK, INBOX),
    ORGANISATION: (EMAIL, INBOX),
    REMINDER: (EMAIL, INBOX),
    WITHDRAWN: (EMAIL, INBOX),
    WITHDRAWN_SCHOOL: (EMAIL, WEBHOOK, INBOX),
    WITHDRAWN_REGION: (INBOX,),
    OVERDUE: (EMAIL, WEBHOOK, INBOX),
}

#: The message kind (as in notification events) of each delivery kind.
MESSAGE_KIND: dict[str, str] = {
    STUDENT: "outcome",
    SCHOOL: "school_overview",
    ORGANISATION: "organisation_overview",
    REMINDER: "reminder",
    WITHDRAWN: "place_withdrawn",
    WITHDRAWN_SCHOOL: "place_withdrawn",
    WITHDRAWN_REGION: "place_withdrawn",
    OVERDUE: "answer_overdue",
}

#: The recipient kind (as in notification events) of each delivery kind.
RECIPIENT_KIND: dict[str, str] = {
    STUDENT: "student", SCHOOL: "school", ORGANISATION: "organisation", REMINDER: "student",
    WITHDRAWN: "student", WITHDRAWN_SCHOOL: "school", WITHDRAWN_REGION: "region", OVERDUE: "school",
}
#: The message kind of a school's inbox note about a student who cannot be e-mailed.
ADDRESS_PROBLEM = "address_problem"

#: Recipient kinds that notification events name (the region's coordinators' inbox notes are not reported).
REPORTED_RECIPIENTS = ("student", "school", "organisation")


@dataclass(frozen=True)
class StudentOutcome:
    """One student's outcome in a released round, with the matcher's explanation.

    What the notifier keeps of the contract's `rounds.Outcome` (events.student_outcome translates): not the
    payload itself, since the notifier must not keep a student's support needs, and its Redis records and
    domain stay independent of the wire schema (which imports marshmallow)."""

    student_ref: str
    school_id: str
    status: str
    place_id: str | None = None
    organisation_id: str | None = None
    wish_match: str = "none"
    travel_minutes: int | None = None
    criteria_met: tuple[str, ...] = ()
    reason_code: str | None = None
    binding_constraint: str | None = None
    hints: tuple[Hint, ...] = ()
    choice: str | None = None  # variant 2's final round: what became of the student's choice (a code)

    @property
    def is_placed(self) -> bool:
        return self.status in ("placed", "kept") and self.place_id is not None


@dataclass(frozen=True)
class RoundInfo:
    """A released round: who may learn what from when, and the answer deadline."""

    round_id: str
    region_id: str
    period_id: str
    released_at: datetime
    respond_by: datetime


@dataclass(frozen=True)
class PlaceInfo:
    """What the notifier keeps of a place: what a placed student and the school need to know. Not its contact
    person: intake gives that at delivery time, after release (issue 19.4)."""

    place_id: str
    organisation_id: str
    organisation_name: str
    address: str
    start_date: str | None = None
    reserved_for: tuple[str, ...] = ()

    def is_reserved_for(self, school_id: str) -> bool:
        return school_id in self.reserved_for


@dataclass(frozen=True)
class Contact:
    """A person's or school's contact details, fetched from intake only after release."""

    name: str = ""
    email: str = ""
    phone: str = ""
    lang: str = "nl"
    webhook_url: str = ""


@dataclass(frozen=True)
class DeliveryId:
    """One message to one recipient over one channel in one round: the unit of exactly-one effect."""

    round_id: str
    kind: str
    ref: str
    channel: str

    @property
    def suffix(self) -> str:
        return f"{self.round_id}:{self.kind}:{self.ref}:{self.channel}"

    @property
    def message_kind(self) -> str:
        return MESSAGE_KIND[self.kind]

    @property
    def recipient_kind(self) -> str:
        return RECIPIENT_KIND[self.kind]


@dataclass(frozen=True)
class Delivery:
    """A delivery record: its state (pending -> sent | failed | skipped) and its attempts so far."""

    id: DeliveryId
    state: str = PENDING
    attempts: int = 0
    last_error: str = ""
    due_at: float = 0.0

    def attempted(self) -> "Delivery":
        return replace(self, attempts=self.attempts + 1)


@dataclass(frozen=True)
class Message:
    """A rendered message: subject and plain-text body in the recipient's language."""

    subject: str
    body: str
    lang: str = "nl"


@dataclass(frozen=True)
class InboxEntry:
    """A message in a recipient's in-app inbox, visible from `visible_from`.

    Stored without its text (`subject` and `body` empty): the entry names the delivery it stands for (and,
    for an address problem, the problem's code in `detail`), and the text, with the names intake gives, is
    written each time the entry is read (inbox.InboxReader). So no name, e-mail or phone is kept (issue 19.4).
    """

    delivery: str
    round_id: str
    message_kind: str
    subject: str
    body: str
    visible_from: datetime
    created_at: datetime
    detail: str = ""


@dataclass(frozen=True)
class Response:
    """A student's answer to a placement."""

    kind: str  # "accepted" | "refused"
    event_id: str
    reason_code: str | None = None


@dataclass(frozen=True)
class Exclusions:
    """Organisations and places a student may never be placed with again (a desk report, a refusal, a failed
    placement): learnt from placement.replacement_requested and placement.failed."""

    organisation_ids: frozenset[str] = frozenset()
    place_ids: frozenset[str] = frozenset()

    def excludes(self, outcome: "StudentOutcome") -> bool:
        return (outcome.organisation_id in self.organisation_ids) or (outcome.place_id in self.place_ids)


@dataclass(frozen=True)
class RoundPlan:
    """Every delivery a released round needs, plus the students awaiting an answer."""

    round: RoundInfo
    outcomes: list[StudentOutcome]
    deliveries: list[DeliveryId] = field(default_factory=list)
    awaiting: list[str] = field(default_factory=list)
