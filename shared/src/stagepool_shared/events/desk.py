"""Reporting-desk events: that a report exists and how its case moves, never what it says.

The content of a discrimination report stays encrypted in reporting's own store; these events carry an
opaque report id, the organisation concerned and the status only. Imports events.base and events.rules only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import topics
from .base import payload_schema, spec
from .rules import choice, flag, ident

DESK_STATUSES = ("received", "in_progress", "forwarded_to_sbb", "closed")


@dataclass(frozen=True)
class DeskReportFiled:
    """A discrimination report was registered at the desk."""

    report_id: str = ident()
    region_id: str = ident()
    organisation_id: str | None = ident(default=None)
    school_id: str | None = ident(default=None)
    anonymous: bool = flag(False)


DeskReportFiledSchema = payload_schema(DeskReportFiled)


@dataclass(frozen=True)
class DeskReportStatusChanged:
    """A desk case moved to a new status."""

    report_id: str = ident()
    region_id: str = ident()
    status: str = choice(DESK_STATUSES)
    previous_status: str = choice(DESK_STATUSES)


DeskReportStatusChangedSchema = payload_schema(DeskReportStatusChanged)


SPECS = (
    spec("desk.report_filed", topics.DESK, DeskReportFiledSchema),
    spec("desk.report_status_changed", topics.DESK, DeskReportStatusChangedSchema),
)
