"""The objection a reviewer makes to a match, as the review page's form and the rounds API take it.

A reason code from the list is required; the explanation (`note`) is required with reason `other` and
limited to 500 characters. The note is checked and then dropped: it may hold names, so it is never
published, stored or logged by the matcher (docs/rounds.md, "Objections"). Imports marshmallow and the
shared vocabularies.
"""

from __future__ import annotations

from typing import Any

from marshmallow import ValidationError, fields, validate, validates_schema

from stagepool_shared.events.base import ID_PATTERN
from stagepool_shared.events.rounds import OBJECTION_REASONS
from stagepool_shared.web.openapi_schemas import StrictSchema

OBJECTION_FIELDS = ("student_ref", "reason_code", "note")
NOTE_NEEDED = "Explain the objection when you choose 'other'."


class ObjectionSchema(StrictSchema):
    """Which of the school's students, why (a code from the list), and an optional explanation."""

    student_ref = fields.String(required=True, validate=validate.Regexp(ID_PATTERN))
    reason_code = fields.String(required=True, validate=validate.OneOf(OBJECTION_REASONS))
    note = fields.String(load_default="", validate=validate.Length(max=500))

    @validates_schema
    def _note_for_other(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("reason_code") == "other" and not data.get("note", "").strip():
            raise ValidationError({"note": [NOTE_NEEDED]})
