"""What the school page shows of its own students after release (issue 14.8): each period's current outcome
with the place and organisation by name, the student's answer and the follow-up. Imports the ports, the
status record and intake's own student check.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.status import PlacementStatus
from ..ports import Deps
from .students import own_student


@dataclass(frozen=True)
class ShownStatus:
    """A period's status with the names the school knows the place by (empty when the place is unknown)."""

    status: PlacementStatus
    organisation_name: str = ""
    address: str = ""


def placement_statuses(deps: Deps, school_id: str, student_ref: str,
                       checked: bool = False) -> dict[str, ShownStatus]:
    """period_id -> the own student's current status ({} before a release); `checked` when the caller already
    made sure the student is the school's own (NotFound otherwise)."""
    if not checked:
        own_student(deps, school_id, student_ref)
    shown = {}
    for period_id, status in deps.store.placement_statuses(student_ref).items():
        place = deps.store.get_place(status.place_id) if status.place_id else None
        payload = place.payload if place is not None else {}
        shown[period_id] = ShownStatus(status, payload.get("organisation_name", ""), payload.get("address", ""))
    return shown
