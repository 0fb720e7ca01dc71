"""Round events: a coordinator requests an allocation round, the matcher proposes it, staff approve it,
and at the release moment it is released to everyone.

Outcomes of a round travel in parts (`part` of `parts`) so that a large region never exceeds Kafka's
message size; consumers act once every part of a round has arrived. Outcomes carry pseudonyms only.
Imports marshmallow and the events package's base, rules and contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import fields

from .. import topics
from .base import payload_schema, spec
from .contract import Hint
from .rules import choice, code, decimal, flag, ident, listing, record, string, whole
from .wishes import SECTORS

#: Variant 2 (issue 15.3) runs in two rounds: a `candidates` round solves the period's pool under the rule and
#: offers each variant-2 student k candidates (`candidates.offered`; it is never proposed or released), and a
#: `final` round (its `previous_round_id` the candidates round) re-solves that round's frozen input with the
#: students' choices as their top wishes, and is then proposed, approved and released like any round.
CANDIDATES, FINAL = "candidates", "final"
ROUND_KINDS = ("initial", "rematch", CANDIDATES, FINAL)
#: A fast-track round (issue 20.3) re-places the few students it names from free capacity only; requested
#: through its own route, so it is no kind of the full-round forms (ROUND_KINDS).
FAST_TRACK = "fast_track"
EVENT_ROUND_KINDS = (*ROUND_KINDS, FAST_TRACK)
APPROVER_ROLES = ("school_staff", "support_staff", "regional_coordinator")
OUTCOME_STATUSES = ("placed", "unplaced", "kept")
WISH_MATCHES = ("top1", "top2", "top3", "preferred_type", "activities", "none")
#: What a final round (variant 2) did with a student's choice among the candidates offered.
CHOICE_CODES = ("CHOICE_GRANTED", "CHOICE_OTHER_CANDIDATE", "CHOICE_OTHER_PLACE", "NO_CHOICE_KEPT_PICK")
OUTCOMES_PER_PART = 500


#: A SHA-256 digest in hex (a round's input and output hashes).
SHA256_PATTERN = r"^[0-9a-f]{64}$"

HintSchema = payload_schema(Hint)


@dataclass(frozen=True)
class Outcome:
    """One student's outcome in a round, with the explanation (why this place, or why none)."""

    student_ref: str = ident()
    school_id: str = ident()
    status: str = choice(OUTCOME_STATUSES)
    place_id: str | None = ident(default=None)
    organisation_id: str | None = ident(default=None)
    wish_match: str = choice(WISH_MATCHES, default="none")
    travel_minutes: int | None = whole(None, None, default=None)
    criteria_met: list[str] = listing(string(), size=(None, None), default=list)
    support_needs: list[str] = listing(string(), size=(None, None), default=list)
    reason_code: str | None = string(default=None)
    binding_constraint: str | None = string(default=None)
    hints: list[Hint] = listing(record(Hint), size=(None, None), default=list)
    #: The student named places (a top-3 list) in the wish: the top-1/top-3 shares count only such students.
    named_places: bool = flag(False)
    #: Variant 2's final round only: what became of the student's choice (CHOICE_CODES); None elsewhere.
    choice: str | None = choice(CHOICE_CODES, default=None)


OutcomeSchema = payload_schema(Outcome)


@dataclass(frozen=True)
class Manifest:
    """What makes a round reproducible: hash of its inputs, seed, versions, hash of its output."""

    input_hash: str = code(SHA256_PATTERN)
    seed: int = whole(None, None)
    solver: str = string()
    solver_version: str = string()
    code_version: str = string()
    output_hash: str = code(SHA256_PATTERN)


ManifestSchema = payload_schema(Manifest)


@dataclass(frozen=True)
class SchoolRate:
    """A school's placement rate in one pool (region, period, sector) of a round: placed / seeking."""

    school_id: str = ident()
    seeking: int = whole(None, None)
    placed: int = whole(None, None)
    rate: float = decimal(None, None)
    #: The pool's sector; None only in rounds summarised before it was recorded.
    sector: str | None = choice(SECTORS, default=None)


SchoolRateSchema = payload_schema(SchoolRate)


@dataclass(frozen=True)
class Summary:
    """The fairness and quality figures of a round."""

    students: int = whole(None, None)
    placed: int = whole(None, None)
    unplaced: int = whole(None, None)
    worst_school_rate: float = decimal(None, None)
    best_school_rate: float = decimal(None, None)
    school_spread: float = decimal(None, None)
    #: Placed at their first named place, as a share of the students who named places.
    top1_share: float = decimal(None, None)
    #: Placed at one of their (up to three) named places, of the same students.
    top3_share: float = decimal(None, None)
    school_rates: list[SchoolRate] = listing(record(SchoolRate), size=(None, None), default=list)
    unplaced_by_reason: dict[str, int] = field(default_factory=dict)  # its schema field below (no rule for maps)
    #: Certified by the matcher's independent validator (None when the round was not certified): the most
    #: students any allocation of the pool could place (a separate maximum flow), and the highest rate of
    #: the worst-off school that any such allocation allows (the fair-share bound).
    max_placeable: int | None = whole(None, None, default=None)
    fair_bound: float | None = decimal(None, None, default=None)
    #: Certified too (issue 17): the most students with a support need any allocation with these school
    #: totals, as many placed and the fewest released slots could place (the round places that many).
    support_placeable: int | None = whole(None, None, default=None)


SummarySchema = payload_schema(Summary, unplaced_by_reason=fields.Dict(keys=fields.String(), values=fields.Integer(),
                                                                       load_default=dict))


@dataclass(frozen=True)
class RoundRequested:
    """A regional coordinator asks for an allocation round (initial, or a re-match keeping accepted places)."""

    round_id: str = ident()
    region_id: str = ident()
    period_id: str = ident()
    seed: int = whole(0, 2**31 - 1)
    requested_by: str = ident()
    kind: str = choice(EVENT_ROUND_KINDS, default="initial")
    sector: str | None = string(default=None)
    previous_round_id: str | None = ident(default=None)
    #: The students a fast-track round re-places (empty for a full round).
    student_refs: list[str] = listing(ident(), size=(None, 20), default=list)


RoundRequestedSchema = payload_schema(RoundRequested)


@dataclass(frozen=True)
class RoundProposed:
    """The matcher's proposal (one part of it): manifest, figures and the outcomes of this part."""

    round_id: str = ident()
    region_id: str = ident()
    period_id: str = ident()
    kind: str = choice(EVENT_ROUND_KINDS)
    manifest: Manifest = record(Manifest)
    summary: Summary = record(Summary)
    part: int = whole(1, None)
    parts: int = whole(1, None)
    outcomes: list[Outcome] = listing(record(Outcome), size=(None, None), default=list)


RoundProposedSchema = payload_schema(RoundProposed)


@dataclass(frozen=True)
class RoundApproved:
    """One approval of a proposal by a staff member (two distinct staff users are needed; support staff
    approve students with support needs). `school_id` is the approver's scope, None for the whole region."""

    round_id: str = ident()
    region_id: str = ident()
    user_id: str = ident()
    role: str = choice(APPROVER_ROLES)
    school_id: str | None = ident(default=None)


RoundApprovedSchema = payload_schema(RoundApproved)


#: Why a reviewer objects to a proposed placement (issue 14.7); the school's own explanation never travels.
OBJECTION_REASONS = ("travel", "support", "earlier_experience", "student_situation", "other")
OBJECTOR_ROLES = ("school_staff", "support_staff")


@dataclass(frozen=True)
class RoundObjected:
    """A reviewer of the student's own school objects to a proposed placement: the (student, place) pair is
    excluded from every later round of the period, and the school's approvals of the round are withdrawn.
    Only the reason code is carried, never the reviewer's free text (it may hold names)."""

    round_id: str = ident()
    region_id: str = ident()
    period_id: str = ident()
    student_ref: str = ident()
    school_id: str = ident()
    place_id: str = ident()
    organisation_id: str = ident()
    user_id: str = ident()
    role: str = choice(OBJECTOR_ROLES)
    reason_code: str = choice(OBJECTION_REASONS)


RoundObjectedSchema = payload_schema(RoundObjected)


@dataclass(frozen=True)
class RoundReleaseScheduled:
    """The coordinator sets the moment at which an approved round is released, and the answer deadline."""

    round_id: str = ident()
    region_id: str = ident()
    release_at: str = string()  # ISO 8601 moments with their offset
    respond_by: str = string()
    scheduled_by: str = ident()


RoundReleaseScheduledSchema = payload_schema(RoundReleaseScheduled)


@dataclass(frozen=True)
class RoundReleased:
    """The round is released (one part of it): from `released_at` everyone may see their outcome."""

    round_id: str = ident()
    region_id: str = ident()
    period_id: str = ident()
    released_at: str = string()
    respond_by: str = string()
    part: int = whole(1, None)
    parts: int = whole(1, None)
    outcomes: list[Outcome] = listing(record(Outcome), size=(None, None), default=list)


RoundReleasedSchema = payload_schema(RoundReleased)


SPECS = (
    spec("round.requested", topics.ROUNDS, RoundRequestedSchema),
    spec("round.proposed", topics.ROUNDS, RoundProposedSchema),
    spec("round.approved", topics.ROUNDS, RoundApprovedSchema),
    spec("round.objected", topics.ROUNDS, RoundObjectedSchema),
    spec("round.release_scheduled", topics.ROUNDS, RoundReleaseScheduledSchema),
    spec("round.released", topics.ROUNDS, RoundReleasedSchema),
)
