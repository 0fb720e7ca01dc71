"""The period figures: what the period report, the coordinator's page, the metrics and the `report` command
show, computed from the projections and the desk's case counts. Read-only (nothing is stored or published).
Imports the domain, the desk commands and the ports.
"""

from __future__ import annotations

from ..domain.figures import PeriodFigures, period_figures
from ..ports import Deps
from .desk import count_cases_by_status


def figures_of_period(deps: Deps, region_id: str, period_id: str) -> PeriodFigures:
    """The figures of one region and period, from the projections and the desk store."""
    desk_counts = count_cases_by_status(deps, region_id)
    return period_figures(deps.views.snapshot(region_id, period_id, desk_counts))


def figures_of_all_periods(deps: Deps) -> list[PeriodFigures]:
    """The figures of every (region, period) reporting has seen."""
    return [figures_of_period(deps, region, period) for region, period in deps.views.periods()]


def periods_of_region(deps: Deps, region_id: str) -> list[str]:
    """The periods reporting has seen in a region, oldest first."""
    return [period for region, period in deps.views.periods() if region == region_id]
