"""The matcher pages' forms: what a coordinator may type, checked before anything is published.

Form fields arrive as text; empty fields count as not given. Moments typed in a date-time field are Dutch
local time (Europe/Amsterdam). Imports marshmallow, the shared vocabularies and the shared form helpers.
"""

from __future__ import annotations

from datetime import datetime

from marshmallow import fields, validate

from stagepool_shared.events.base import ID_PATTERN
from stagepool_shared.events.rounds import ROUND_KINDS
from stagepool_shared.events.wishes import SECTORS
from stagepool_shared.i18n import LOCAL_ZONE
from stagepool_shared.web.pages import form_values, typed  # noqa: F401 (re-exported to the pages)
from stagepool_shared.web.openapi_schemas import StrictSchema

DEADLINE_BEFORE_RELEASE = "The answer deadline must come after the release moment."


class StartRoundForm(StrictSchema):
    """Start a round: the period (required), optionally one sector, the kind, a seed, the round it follows."""

    period_id = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))
    sector = fields.String(load_default=None, validate=validate.OneOf(SECTORS))
    kind = fields.String(load_default="initial", validate=validate.OneOf(ROUND_KINDS))
    seed = fields.Integer(load_default=None, validate=validate.Range(0, 2**31 - 1))
    previous_round_id = fields.String(load_default=None, validate=validate.Regexp(ID_PATTERN))


class ReleaseForm(StrictSchema):
    """The release moment (not needed when releasing now) and the students' answer deadline."""

    release_at = fields.NaiveDateTime(load_default=None)
    respond_by = fields.NaiveDateTime(required=True)
    release_now = fields.String(load_default=None)


def local_moment(value: datetime) -> datetime:
    """A moment typed without a time zone, read as Dutch local time."""
    return value.replace(tzinfo=LOCAL_ZONE) if value.tzinfo is None else value


def as_local_input(value: datetime) -> str:
    """A moment as a date-time field shows it (local time, minutes)."""
    return value.astimezone(LOCAL_ZONE).strftime("%Y-%m-%dT%H:%M")
