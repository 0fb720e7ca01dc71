"""Input schemas of reporting's HTTP edge: unknown fields raise, every string and code is bounded.

The required minimum of a desk report (what, when, which organisation or placement) is checked by the domain,
so one answer names everything that is missing. Imports marshmallow and the shared event vocabularies.
"""

from __future__ import annotations

from typing import Any

from marshmallow import fields, validate

from stagepool_shared.events.base import ID_PATTERN
from stagepool_shared.events.desk import DESK_STATUSES
from stagepool_shared.events.placements import FAILURE_REASONS
from stagepool_shared.web.openapi_schemas import StrictSchema

from .domain.aftercare import END_REASONS, MAX_HOURS
from .domain.aftercare_intro import CALL_OUTCOMES, OUTCOMES, REJECTION_REASONS
from .domain.desk import CATEGORIES, PHASES
from .domain.followup import CONTACT_KINDS
from .domain.sbb import MEASURE_STATUSES, OWNER_ROLES
from .domain.sbb import OUTCOMES as SBB_OUTCOMES

_ID = validate.Regexp(ID_PATTERN)


def _id(required: bool = False) -> fields.String:
    if required:
        return fields.String(required=True, validate=_ID)
    return fields.String(load_default=None, allow_none=True, validate=_ID)


class StrictBoolean(fields.Boolean):
    """Only JSON true/false: marshmallow's Boolean would also take "yes", "on", 1 (issue 19.7)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class NewReportSchema(StrictSchema):
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    incident_date = fields.Date(load_default=None, allow_none=True)
    organisation_id = _id()
    place_id = _id()
    period_id = _id()
    student_ref = _id()
    school_id = _id()
    category = fields.String(load_default="discrimination", validate=validate.OneOf(CATEGORIES))
    phase = fields.String(load_default="during_internship", validate=validate.OneOf(PHASES))
    anonymous = StrictBoolean(load_default=False)
    alternative_placement_needed = StrictBoolean(load_default=False)


class StatusChangeSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(DESK_STATUSES))
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class AlternativePlaceSchema(StrictSchema):
    period_id = _id(required=True)
    school_id = _id()


class NotSuitableSchema(StrictSchema):
    period_id = _id(required=True)
    reason_code = fields.String(required=True, validate=validate.OneOf(FAILURE_REASONS))
    after_introduction = StrictBoolean(load_default=False)


class ContactMomentSchema(StrictSchema):
    period_id = _id(required=True)
    date = fields.Date(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(CONTACT_KINDS))
    signal = StrictBoolean(load_default=False)
    exception = StrictBoolean(load_default=False)
    held = StrictBoolean(load_default=None, allow_none=True)  # unset: held up to today, planned after
    desk_referral = StrictBoolean(load_default=False)  # a held signal, referred with the student's consent


class EvaluationSchema(StrictSchema):
    """The end evaluation (issue 20.5): every party scores and says whether it would do it again; the student
    answers per phase whether they experienced discrimination (null: not answered). `experienced_discrimination`
    is the older single answer, read as `discrimination_during`."""

    period_id = _id(required=True)
    satisfaction = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))
    would_again = StrictBoolean(required=True)
    discrimination_searching = StrictBoolean(load_default=None, allow_none=True)
    discrimination_introduction = StrictBoolean(load_default=None, allow_none=True)
    discrimination_during = StrictBoolean(load_default=None, allow_none=True)
    experienced_discrimination = StrictBoolean(load_default=None, allow_none=True)


class CaseListQuery(StrictSchema):
    """?view=overdue: only the cases past their deadline."""

    view = fields.String(validate=validate.OneOf(["overdue"]))


class ExportQuery(StrictSchema):
    """?format=csv: the SBB export as CSV (JSON by default)."""

    format = fields.String(validate=validate.OneOf(["json", "csv"]))


class PeriodQuery(StrictSchema):
    """?period_id= of the placement asked about."""

    period_id = _id(required=True)


# Aftercare (issue 20): the school contact per organisation, the POK and the kennismaking.

class SchoolContactSchema(StrictSchema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    email = fields.Email(required=True, validate=validate.Length(max=200))


class PokDetailsSchema(StrictSchema):
    period_id = _id(required=True)
    start_date = fields.Date(required=True)
    end_date = fields.Date(required=True)
    hours = fields.Integer(required=True, strict=True, validate=validate.Range(1, MAX_HOURS))
    supervisor_name = fields.String(required=True, validate=validate.Length(min=1, max=120))


class PokStepSchema(StrictSchema):
    """send, sign, start: only the period of the placement."""

    period_id = _id(required=True)


class PokEndSchema(StrictSchema):
    period_id = _id(required=True)
    early = StrictBoolean(load_default=False)
    reason = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(END_REASONS))


class IntroductionProposalSchema(StrictSchema):
    period_id = _id(required=True)
    moment = fields.AwareDateTime(required=True)


class IntroductionAccompanySchema(StrictSchema):
    period_id = _id(required=True)
    accompanied = StrictBoolean(required=True)


class IntroductionOutcomeSchema(StrictSchema):
    """reason_code is checked by the domain, so a rejection without one is a field error of its own."""

    period_id = _id(required=True)
    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES))
    reason_code = fields.String(load_default=None, allow_none=True, validate=validate.OneOf(REJECTION_REASONS))


class TaskCallSchema(StrictSchema):
    """The school's call with the organisation on a follow-up task (R105): the day and what it brought."""

    called_on = fields.Date(required=True)
    call_outcome = fields.String(required=True, validate=validate.OneOf(CALL_OUTCOMES))


# The desk's SBB file (issue 20.6): SBB's answer, the measures taken. An empty measure and a deadline in the past
# are the domain's field errors (commands/sbb.py), so one answer names them together.

class SbbAnswerSchema(StrictSchema):
    answered_on = fields.Date(required=True)
    reference = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9][A-Za-z0-9 ./_-]{0,59}$"))
    outcome = fields.String(required=True, validate=validate.OneOf(SBB_OUTCOMES))


class SbbMeasureSchema(StrictSchema):
    description = fields.String(required=True, validate=validate.Length(max=500))
    owner_role = fields.String(required=True, validate=validate.OneOf(OWNER_ROLES))
    deadline = fields.Date(required=True)
    status = fields.String(load_default="open", validate=validate.OneOf(MEASURE_STATUSES))


class SbbMeasureStatusSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(MEASURE_STATUSES))
