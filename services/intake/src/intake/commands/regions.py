"""What a regional coordinator keeps for the region: its periods and its schools (with the contact address
the notifier reads). These commands store only; they publish nothing.

Imports the domain, the builders and the ports.
"""

from __future__ import annotations

from typing import Any

from .. import building
from ..domain.model import Period, School
from ..errors import Conflict, NotFound
from ..ports import Deps


def create_period(deps: Deps, region_id: str, data: dict[str, Any]) -> Period:
    """Create or replace a period of the coordinator's region."""
    existing = deps.store.get_period(data["period_id"])
    if existing is not None and existing.region_id != region_id:
        raise Conflict("This period id is in use.")
    period = building.period(region_id, data)
    deps.store.save_period(period)
    return period


def list_periods(deps: Deps, region_id: str | None) -> list[Period]:
    """The periods of a region (every period without one)."""
    return [p for p in deps.store.list_periods() if not region_id or p.region_id == region_id]


def register_school(deps: Deps, region_id: str, data: dict[str, Any]) -> School:
    """Register (or re-register) a school of the coordinator's region."""
    existing = deps.store.get_school(data["school_id"])
    if existing is not None and existing.region_id != region_id:
        raise Conflict("This school id is in use.")
    school = School(school_id=data["school_id"], region_id=region_id, name=data["name"],
                    contact_email=data["contact_email"], webhook_url=data.get("webhook_url"))
    deps.store.save_school(school)
    return school


def school(deps: Deps, school_id: str) -> School:
    """A registered school (NotFound otherwise)."""
    found = deps.store.get_school(school_id)
    if found is None:
        raise NotFound()
    return found
