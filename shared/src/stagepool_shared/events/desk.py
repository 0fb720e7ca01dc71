"""Reporting-desk events: that a report exists and how its case moves, never what it says.

The content of a discrimination report stays encrypted in reporting's own store; these events carry an
opaque report id, the organisation concerned and the status only. Imports marshmallow and events.base only.
"""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import fields, validate

from .. import topics
from .base import PayloadSchema, id_field, spec

DESK_STATUSES = ("received", "in_progress", "forwarded_to_sbb", "closed")


@dataclass(frozen=True)
class DeskReportFiled:
    """A discrimination report was registered at the desk."""

    report_id: str
    region_id: str
    organisation_id: str | None = None
    school_id: str | None = None
    anonymous: bool = False


class DeskReportFiledSchema(PayloadSchema):
    payload_class = DeskReportFiled
    report_id = id_field()
    region_id = id_field()
    organisation_id = id_field(required=False, load_default=None, allow_none=True)
    school_id = id_field(required=False, load_default=None, allow_none=True)
    anonymous = fields.Boolean(load_default=False)


@dataclass(frozen=True)
class DeskReportStatusChanged:
    """A desk case moved to a new status."""

    report_id: str
    region_id: str
    status: str
    previous_status: str


class DeskReportStatusChangedSchema(PayloadSchema):
    payload_class = DeskReportStatusChanged
    report_id = id_field()
    region_id = id_field()
    status = fields.String(required=True, validate=validate.OneOf(DESK_STATUSES))
    previous_status = fields.String(required=True, validate=validate.OneOf(DESK_STATUSES))


SPECS = (
    spec("desk.report_filed", topics.DESK, DeskReportFiledSchema),
    spec("desk.report_status_changed", topics.DESK, DeskReportStatusChangedSchema),
)
