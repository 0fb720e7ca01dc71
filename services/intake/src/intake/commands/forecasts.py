"""Demand ahead (issue 16.1): a school posts how many students it expects per programme (crebo), level, study
year and period of the coming school year, one line at a time or from a file. A later line with the same
key replaces the earlier one. Wishes replace the forecast on the board as they come in.

Pattern A (publish, then store; see commands.common): `demand.forecast_posted` carries counts and codes only.
Imports the domain, the ports and the shared event payloads.
"""

from __future__ import annotations

from typing import Any, Sequence

from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.events.planning import DemandForecast

from ..domain import planning, qualifications
from ..domain.model import Period
from ..errors import InvalidInput
from ..ports import AbstractPlanningStore, Deps
from .common import PRODUCER, Prepared, RowProblem, commit, period_in_region, prepare_rows

UNKNOWN_CREBO = "Unknown crebo: not in the qualification file."


def planning_store(deps: Deps) -> AbstractPlanningStore:
    """The planning store bootstrap wires (every wiring has one)."""
    if deps.planning is None:  # pragma: no cover - bootstrap always sets it
        raise RuntimeError("intake is wired without a planning store")
    return deps.planning


def known_crebo(crebo: str, field_name: str = "crebo") -> str:
    """The crebo's sector, or a field error for a crebo outside the qualification file."""
    sector = qualifications.sector_of(crebo)
    if sector is None:
        raise InvalidInput({field_name: [UNKNOWN_CREBO]})
    return sector


def prepare_forecast(deps: Deps, school_id: str, region_id: str | None, data: dict[str, Any], event_id: str,
                     cache: dict[str, Period | None] | None = None) -> tuple[Envelope, dict[str, Any]]:
    """Check one demand line (its period and crebo) and build its event and stored line."""
    problems: dict[str, list[str]] = {}
    period = sector = None
    try:
        period = period_in_region(deps, data["period_id"], region_id, "period_id", cache)
    except InvalidInput as err:
        problems.update(err.messages)
    try:
        sector = known_crebo(data["crebo"])
    except InvalidInput as err:
        problems.update(err.messages)
    if problems or period is None or sector is None:
        raise InvalidInput(problems)
    payload = DemandForecast(school_id, period.region_id, planning.period_year(period), period.period_id, sector,
                             data["crebo"], data["level"], data["study_year"], data["students"])
    envelope = new_envelope("demand.forecast_posted", payload, producer=PRODUCER, partition_key=period.region_id,
                            event_id=event_id)
    line = {"period_id": period.period_id, "school_year": payload.school_year, "sector": sector,
            "crebo": payload.crebo, "level": payload.level, "study_year": payload.study_year,
            "students": payload.students}
    return envelope, line


def check_forecast_rows(deps: Deps, school_id: str, region_id: str | None,
                        rows: Sequence[tuple[int, dict[str, Any]]],
                        seed: str | None = None) -> tuple[Prepared, list[RowProblem]]:
    """Prepare every row of a forecast import; (row, field, message) for each problem of each row."""
    cache: dict[str, Period | None] = {}
    lines: dict[str, dict[str, Any]] = {}

    def prepare(data: dict[str, Any], event_id: str) -> Prepared:
        envelope, line = prepare_forecast(deps, school_id, region_id, data, event_id, cache)
        lines[planning.forecast_key(line)] = line
        return Prepared([envelope])

    prepared, problems = prepare_rows(rows, prepare, seed)
    prepared.stores.append(lambda d: planning_store(d).put_forecasts(school_id, lines))
    return prepared, problems


def post_forecasts(deps: Deps, school_id: str, region_id: str | None, items: Sequence[dict[str, Any]],
                   seed: str | None = None) -> list[Envelope]:
    """Post demand lines as one all-or-nothing batch: every line's problems by index, or publish, then store."""
    batch, problems = check_forecast_rows(deps, school_id, region_id, list(enumerate(items)), seed)
    if problems:
        raise InvalidInput(_by_field(problems, len(items) > 1))
    return commit(deps, batch)


def forecasts_of_school(deps: Deps, school_id: str) -> list[dict[str, Any]]:
    """The school's demand lines, sorted by period, crebo, level and study year."""
    return list(planning_store(deps).forecasts(school_id).values())


def _by_field(problems: list[RowProblem], indexed: bool) -> dict[str, list[str]]:
    messages: dict[str, list[str]] = {}
    for index, path, message in problems:
        messages.setdefault(f"{index}.{path}" if indexed else path, []).append(message)
    return messages
