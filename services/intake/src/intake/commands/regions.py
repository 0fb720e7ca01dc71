"""What a regional coordinator keeps for the region: its periods and its schools (with the contact address
the notifier reads), and the schools' names for the other services' pages. These commands store only; they
publish nothing.

Imports the domain, the builders, the ports and the shared webhook target policy.
"""

from __future__ import annotations

from typing import Any, Sequence

from stagepool_shared.net import TargetRefused

from .. import building
from ..domain.model import Period, School
from ..errors import Conflict, InvalidInput, NotFound
from ..ports import Deps

WEBHOOK_NOT_ALLOWED = ("Not allowed as a webhook: use an https address of a host on the internet, not a local, "
                       "private, link-local or reserved address.")
WEBHOOK_UNRESOLVED = "The webhook's host cannot be found."


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
    """Register (or re-register) a school of the coordinator's region.

    The webhook URL is checked against the target policy first (https, a public address: issue 19.8); a
    refused URL is a field error and nothing is stored. The notifier checks it again when it sends.
    """
    existing = deps.store.get_school(data["school_id"])
    if existing is not None and existing.region_id != region_id:
        raise Conflict("This school id is in use.")
    if data.get("webhook_url"):
        check_webhook(deps, data["webhook_url"])
    school = School(school_id=data["school_id"], region_id=region_id, name=data["name"],
                    contact_email=data["contact_email"], webhook_url=data.get("webhook_url"))
    deps.store.save_school(school)
    return school


def check_webhook(deps: Deps, url: str) -> None:
    """InvalidInput on webhook_url unless the target policy allows the URL (the messages are in i18n)."""
    try:
        deps.webhook_targets.check(url)
    except TargetRefused as err:
        message = WEBHOOK_NOT_ALLOWED if err.permanent else WEBHOOK_UNRESOLVED
        raise InvalidInput({"webhook_url": [message]}) from err


def school(deps: Deps, school_id: str) -> School:
    """A registered school (NotFound otherwise)."""
    found = deps.store.get_school(school_id)
    if found is None:
        raise NotFound()
    return found


def school_names(deps: Deps, school_ids: Sequence[str]) -> tuple[dict[str, str], list[str]]:
    """The display names of registered schools by id, and the ids intake does not know (issue 14.16: the
    matcher's and reporting's pages show schools in words). A school's name is no personal data."""
    names: dict[str, str] = {}
    missing: list[str] = []
    for school_id in dict.fromkeys(school_ids):
        found = deps.store.get_school(school_id)
        if found is None:
            missing.append(school_id)
        else:
            names[school_id] = found.name
    return names, missing
