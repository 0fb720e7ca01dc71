"""Round events: a coordinator requests an allocation round, the matcher proposes it, staff approve it,
and at the release moment it is released to everyone.

Outcomes of a round travel in parts (`part` of `parts`) so that a large region never exceeds Kafka's
message size; consumers act once every part of a round has arrived. Outcomes carry pseudonyms only.
Imports marshmallow and the events package's base, rules and contract.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from marshmallow import fields, validate

from .. import topics
from .base import PayloadSchema, id_field, payload_schema, spec
from .contract import Hint
from .rules import choice, ident
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


class HintSchema(PayloadSchema):
    payload_class = Hint
    criterion = fields.String(required=True, validate=validate.Length(1, 40))
    change = fields.Float(required=True)
    unit = fields.String(required=True, validate=validate.Length(0, 20))
    opens_places = fields.Integer(required=True, strict=True, validate=validate.Range(0, None))
    free_places = fields.Integer(load_default=None, allow_none=True, strict=True, validate=validate.Range(0, None))


@dataclass(frozen=True)
class Outcome:
    """One student's outcome in a round, with the explanation (why this place, or why none)."""

    student_ref: str
    school_id: str
    status: str
    place_id: str | None = None
    organisation_id: str | None = None
    wish_match: str = "none"
    travel_minutes: int | None = None
    criteria_met: list[str] = field(default_factory=list)
    support_needs: list[str] = field(default_factory=list)
    reason_code: str | None = None
    binding_constraint: str | None = None
    hints: list[Hint] = field(default_factory=list)
    #: The student named places (a top-3 list) in the wish: the top-1/top-3 shares count only such students.
    named_places: bool = False
    #: Variant 2's final round only: what became of the student's choice (CHOICE_CODES); None elsewhere.
    choice: str | None = None


class OutcomeSchema(PayloadSchema):
    payload_class = Outcome
    student_ref = id_field()
    school_id = id_field()
    status = fields.String(required=True, validate=validate.OneOf(OUTCOME_STATUSES))
    place_id = id_field(required=False, load_default=None, allow_none=True)
    organisation_id = id_field(required=False, load_default=None, allow_none=True)
    wish_match = fields.String(load_default="none", validate=validate.OneOf(WISH_MATCHES))
    travel_minutes = fields.Integer(load_default=None, allow_none=True, strict=True)
    criteria_met = fields.List(fields.String(), load_default=list)
    support_needs = fields.List(fields.String(), load_default=list)
    reason_code = fields.String(load_default=None, allow_none=True)
    binding_constraint = fields.String(load_default=None, allow_none=True)
    hints = fields.List(fields.Nested(HintSchema), load_default=list)
    named_places = fields.Boolean(load_default=False)
    choice = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(CHOICE_CODES))


@dataclass(frozen=True)
class Manifest:
    """What makes a round reproducible: hash of its inputs, seed, versions, hash of its output."""

    input_hash: str
    seed: int
    solver: str
    solver_version: str
    code_version: str
    output_hash: str


class ManifestSchema(PayloadSchema):
    payload_class = Manifest
    input_hash = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))
    seed = fields.Integer(required=True, strict=True)
    solver = fields.String(required=True)
    solver_version = fields.String(required=True)
    code_version = fields.String(required=True)
    output_hash = fields.String(required=True, validate=validate.Regexp(r"^[0-9a-f]{64}$"))


@dataclass(frozen=True)
class SchoolRate:
    """A school's placement rate in one pool (region, period, sector) of a round: placed / seeking."""

    school_id: str
    seeking: int
    placed: int
    rate: float
    sector: str | None = None  # the pool's sector; None only in rounds summarised before it was recorded


class SchoolRateSchema(PayloadSchema):
    payload_class = SchoolRate
    school_id = id_field()
    seeking = fields.Integer(required=True, strict=True)
    placed = fields.Integer(required=True, strict=True)
    rate = fields.Float(required=True)
    sector = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(SECTORS))


@dataclass(frozen=True)
class Summary:
    """The fairness and quality figures of a round."""

    students: int
    placed: int
    unplaced: int
    worst_school_rate: float
    best_school_rate: float
    school_spread: float
    top1_share: float  # placed at their first named place, as a share of the students who named places
    top3_share: float  # placed at one of their (up to three) named places, of the same students
    school_rates: list[SchoolRate] = field(default_factory=list)
    unplaced_by_reason: dict[str, int] = field(default_factory=dict)
    #: Certified by the matcher's independent validator (None when the round was not certified): the most
    #: students any allocation of the pool could place (a separate maximum flow), and the highest rate of
    #: the worst-off school that any such allocation allows (the fair-share bound).
    max_placeable: int | None = None
    fair_bound: float | None = None
    #: Certified too (issue 17): the most students with a support need any allocation with these school
    #: totals, as many placed and the fewest released slots could place (the round places that many).
    support_placeable: int | None = None


class SummarySchema(PayloadSchema):
    payload_class = Summary
    students = fields.Integer(required=True, strict=True)
    placed = fields.Integer(required=True, strict=True)
    unplaced = fields.Integer(required=True, strict=True)
    worst_school_rate = fields.Float(required=True)
    best_school_rate = fields.Float(required=True)
    school_spread = fields.Float(required=True)
    top1_share = fields.Float(required=True)
    top3_share = fields.Float(required=True)
    school_rates = fields.List(fields.Nested(SchoolRateSchema), load_default=list)
    unplaced_by_reason = fields.Dict(keys=fields.String(), values=fields.Integer(), load_default=dict)
    max_placeable = fields.Integer(strict=True, allow_none=True, load_default=None)
    fair_bound = fields.Float(allow_none=True, load_default=None)
    support_placeable = fields.Integer(strict=True, allow_none=True, load_default=None)


@dataclass(frozen=True)
class RoundRequested:
    """A regional coordinator asks for an allocation round (initial, or a re-match keeping accepted places)."""

    round_id: str
    region_id: str
    period_id: str
    seed: int
    requested_by: str
    kind: str = "initial"
    sector: str | None = None
    previous_round_id: str | None = None
    #: The students a fast-track round re-places (empty for a full round).
    student_refs: list[str] = field(default_factory=list)


class RoundRequestedSchema(PayloadSchema):
    payload_class = RoundRequested
    round_id = id_field()
    region_id = id_field()
    period_id = id_field()
    seed = fields.Integer(required=True, strict=True, validate=validate.Range(0, 2**31 - 1))
    requested_by = id_field()
    kind = fields.String(load_default="initial", validate=validate.OneOf(EVENT_ROUND_KINDS))
    sector = fields.String(load_default=None, allow_none=True)
    previous_round_id = id_field(required=False, load_default=None, allow_none=True)
    student_refs = fields.List(id_field(), load_default=list, validate=validate.Length(max=20))


@dataclass(frozen=True)
class RoundProposed:
    """The matcher's proposal (one part of it): manifest, figures and the outcomes of this part."""

    round_id: str
    region_id: str
    period_id: str
    kind: str
    manifest: Manifest
    summary: Summary
    part: int
    parts: int
    outcomes: list[Outcome] = field(default_factory=list)


def _round_part_schema(payload_class: type, **declared: fields.Field) -> type[PayloadSchema]:
    """The schema of an event that carries one part of a round's outcomes: the round's ids, the `declared`
    fields, and `part` of `parts` with the part's outcomes (in the dataclass's field order)."""
    part_number = validate.Range(1, None)
    return payload_schema(payload_class, round_id=id_field(), region_id=id_field(), period_id=id_field(),
                          part=fields.Integer(required=True, strict=True, validate=part_number),
                          parts=fields.Integer(required=True, strict=True, validate=part_number),
                          outcomes=fields.List(fields.Nested(OutcomeSchema), load_default=list), **declared)


RoundProposedSchema = _round_part_schema(RoundProposed,
                                         kind=fields.String(required=True, validate=validate.OneOf(EVENT_ROUND_KINDS)),
                                         manifest=fields.Nested(ManifestSchema, required=True),
                                         summary=fields.Nested(SummarySchema, required=True))


@dataclass(frozen=True)
class RoundApproved:
    """One approval of a proposal by a staff member (two distinct staff users are needed; support staff
    approve students with support needs). `school_id` is the approver's scope, None for the whole region."""

    round_id: str = ident()
    region_id: str = ident()
    user_id: str = ident()
    role: str = choice(APPROVER_ROLES)
    school_id: str | None = None


RoundApprovedSchema = payload_schema(RoundApproved,
                                     school_id=id_field(required=False, load_default=None, allow_none=True))


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
    release_at: str  # ISO 8601 moments with their offset
    respond_by: str
    scheduled_by: str = ident()


RoundReleaseScheduledSchema = payload_schema(RoundReleaseScheduled, release_at=fields.String(required=True),
                                             respond_by=fields.String(required=True))


@dataclass(frozen=True)
class RoundReleased:
    """The round is released (one part of it): from `released_at` everyone may see their outcome."""

    round_id: str
    region_id: str
    period_id: str
    released_at: str
    respond_by: str
    part: int
    parts: int
    outcomes: list[Outcome] = field(default_factory=list)


RoundReleasedSchema = _round_part_schema(RoundReleased, released_at=fields.String(required=True),
                                         respond_by=fields.String(required=True))


SPECS = (
    spec("round.requested", topics.ROUNDS, RoundRequestedSchema),
    spec("round.proposed", topics.ROUNDS, RoundProposedSchema),
    spec("round.approved", topics.ROUNDS, RoundApprovedSchema),
    spec("round.objected", topics.ROUNDS, RoundObjectedSchema),
    spec("round.release_scheduled", topics.ROUNDS, RoundReleaseScheduledSchema),
    spec("round.released", topics.ROUNDS, RoundReleasedSchema),
)
