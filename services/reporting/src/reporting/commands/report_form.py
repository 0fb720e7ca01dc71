"""Naming the organisation in a student's discrimination report (issue 14.15): the student picks it from their
own placements, or finds it by the name they know; they never have to type a code they have never seen.

Organisation names are business data (not personal data), known from the places' events. Imports the ports,
the errors and the shared auth types only.
"""

from __future__ import annotations

from stagepool_shared.auth import Principal

from ..errors import IncompleteReport
from ..ports import Deps

NOT_FOUND = "No organisation with this name takes part; check the name, or pick one from the list."
AMBIGUOUS = "Several organisations have this in their name: {names}. Type the whole name."


def own_organisations(deps: Deps, principal: Principal) -> list[tuple[str, str]]:
    """(organisation_id, name) of the organisations the student was placed at in their region, latest first."""
    names = deps.views.organisation_names(principal.region_id)
    found: list[tuple[str, str]] = []
    for region, period in reversed(deps.views.student_periods(principal.scope)):
        placement = deps.views.placement(region, period, principal.scope) if region == principal.region_id else None
        org = placement.organisation_id if placement is not None else None
        if org and org not in {o for o, _ in found}:
            found.append((org, names.get(org) or org))
    return found


def known_organisation_names(deps: Deps, principal: Principal) -> list[str]:
    """The names of every organisation with places in the student's region, sorted, to choose from."""
    return sorted({name for name in deps.views.organisation_names(principal.region_id).values() if name},
                  key=str.lower)


def find_organisation(deps: Deps, principal: Principal, typed: str) -> str:
    """The organisation_id of the organisation the student named: the whole name (any case), else the one
    organisation whose name contains the text.

    Raises:
        IncompleteReport: no organisation, or several, match (the message names them).
    """
    wanted = " ".join(typed.split()).lower()
    names = deps.views.organisation_names(principal.region_id)
    exact = sorted(org for org, name in names.items() if " ".join(name.split()).lower() == wanted)
    partial = sorted(org for org, name in names.items() if wanted and wanted in name.lower())
    matches = exact or partial
    if len(set(names[o] for o in matches)) == 1 or len(matches) == 1:
        return matches[0]
    if not matches:
        raise IncompleteReport({"organisation_name": [NOT_FOUND]})
    listed = ", ".join(sorted({names[o] for o in matches})[:5])
    raise IncompleteReport({"organisation_name": [AMBIGUOUS.format(names=listed)]})
