"""The period figures: what the period report, the coordinator's page, the metrics and the `report` command
show, computed from the projections, the desk's case counts and the end evaluations. Read-only (nothing is
stored or published). Imports the domain, the desk and evaluation commands and the ports.
"""

from __future__ import annotations

import dataclasses

from ..domain.figures import PeriodFigures, period_figures
from ..ports import Deps
from .desk import count_cases_by_status
from .evaluations import evaluations_of_period


def figures_of_period(deps: Deps, region_id: str, period_id: str) -> PeriodFigures:
    """The figures of one region and period, from the projections, the desk store, the schools' matching
    variants (issue 15.5) and the end evaluations (issue 20.5)."""
    desk_counts = count_cases_by_status(deps, region_id)
    snapshot = deps.views.snapshot(region_id, period_id, desk_counts)
    figures = period_figures(dataclasses.replace(snapshot, variants=variants_of_period(deps, region_id, period_id),
                                                 offers=offers_of_period(deps, region_id, period_id)))
    return dataclasses.replace(figures, evaluations=evaluations_of_period(deps, region_id, period_id))


def variants_of_period(deps: Deps, region_id: str, period_id: str) -> dict[str, int]:
    """"school|crebo" -> the variant the school set for the period (kept from `variant.set`)."""
    if deps.planning is None:
        return {}
    return {f"{line['school_id']}|{line['crebo']}": line["variant"] for line in deps.planning.lines(region_id, "variant")
            if line["period_id"] == period_id}


def figures_of_all_periods(deps: Deps) -> list[PeriodFigures]:
    """The figures of every (region, period) reporting has seen."""
    return [figures_of_period(deps, region, period) for region, period in deps.views.periods()]


def periods_of_region(deps: Deps, region_id: str) -> list[str]:
    """The periods reporting has seen in a region, oldest first."""
    return [period for region, period in deps.views.periods() if region == region_id]


def offers_of_period(deps: Deps, region_id: str, period_id: str) -> dict[str, list[str]]:
    """student_ref -> the candidates the matcher offered them in the period (kept from `candidates.offered`)."""
    if deps.planning is None:
        return {}
    return {line["student_ref"]: line["place_ids"] for line in deps.planning.lines(region_id, "offer")
            if line["period_id"] == period_id}
