"""Supply ahead (issue 16.2): an organisation posts its capacity per BPV period of the coming school year
(or copies last year's places in one step), and says whether it takes part in stagematching (R29, R41).

Pattern A (publish, then store; see commands.common). `supply.forecast_posted` and
`organisation.participation_set` carry counts and codes only; the organisation's own words on why it opts
out stay in intake. Imports the domain, the ports and the shared event payloads.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, Sequence

from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.events.planning import Participation, SupplyForecast

from ..domain import planning
from ..domain.model import PLACE_WITHDRAWN, Period
from ..domain.planning import ParticipationRecord
from ..errors import InvalidInput
from ..ports import Deps
from .common import PRODUCER, Prepared, commit, event_ids, period_in_region
from .forecasts import known_crebo, planning_store

REASON_NEEDED = "Give a reason for opting out."
NOTHING_TO_COPY = "There are no places of last year to copy for this school year."


def _supply_envelope(organisation_id: str, period: Period, line: dict[str, Any], event_id: str) -> Envelope:
    payload = SupplyForecast(organisation_id, period.region_id, planning.period_year(period), period.period_id,
                             line["sector"], list(line["crebos"]), line["slots"])
    return new_envelope("supply.forecast_posted", payload, producer=PRODUCER, partition_key=period.region_id,
                        event_id=event_id)


def _check_line(deps: Deps, region_id: str | None, index: int | None, data: dict[str, Any],
                cache: dict[str, Period | None]) -> tuple[Period | None, dict[str, list[str]]]:
    at = "" if index is None else f"{index}."
    problems: dict[str, list[str]] = {}
    period = None
    try:
        period = period_in_region(deps, data["period_id"], region_id, f"{at}period_id", cache)
    except InvalidInput as err:
        problems.update(err.messages)
    for number, crebo in enumerate(data["crebos"]):
        try:
            known_crebo(crebo, f"{at}crebos.{number}")
        except InvalidInput as err:
            problems.update(err.messages)
    return period, problems


def post_supply(deps: Deps, organisation_id: str, region_id: str | None, items: Sequence[dict[str, Any]],
                seed: str | None = None) -> list[Envelope]:
    """Post supply lines (period, sector, crebos, slots) as one all-or-nothing batch."""
    cache: dict[str, Period | None] = {}
    problems: dict[str, list[str]] = {}
    checked: list[tuple[Period, dict[str, Any]]] = []
    for index, data in enumerate(items):
        period, found = _check_line(deps, region_id, index if len(items) > 1 else None, data, cache)
        problems.update(found)
        if period is not None and not found:
            checked.append((period, data))
    if problems:
        raise InvalidInput(problems)
    return _publish_supply(deps, organisation_id, checked, seed)


def _publish_supply(deps: Deps, organisation_id: str, checked: Sequence[tuple[Period, dict[str, Any]]],
                    seed: str | None) -> list[Envelope]:
    ids, lines, envelopes = event_ids(seed), {}, []
    for period, data in checked:
        line = {"period_id": period.period_id, "school_year": planning.period_year(period),
                "sector": data["sector"], "crebos": sorted(set(data["crebos"])), "slots": data["slots"]}
        envelopes.append(_supply_envelope(organisation_id, period, line, next(ids)))
        lines[planning.supply_key(line)] = line
    prepared = Prepared(envelopes, stores=[lambda d: planning_store(d).put_supply(organisation_id, lines)])
    return commit(deps, prepared)


def last_year_lines(deps: Deps, organisation_id: str, region_id: str | None,
                    school_year: str) -> list[tuple[Period, dict[str, Any]]]:
    """Last year's places of the organisation as supply lines of the school year's periods: per period and
    sector, the slots added up and the crebos together (withdrawn places left out)."""
    coming = [p for p in deps.store.list_periods()
              if planning.period_year(p) == school_year and (not region_id or p.region_id == region_id)]
    by_old = {planning.previous_period_id(p.period_id): p for p in coming}
    totals: dict[tuple[str, str], dict[str, Any]] = defaultdict(lambda: {"crebos": set(), "slots": 0})
    for place_id in deps.store.places_of_organisation(organisation_id):
        place = deps.store.get_place(place_id)
        if place is None or place.status == PLACE_WITHDRAWN or place.period_id not in by_old:
            continue
        total = totals[(by_old[place.period_id].period_id, place.payload["sector"])]
        total["crebos"].update(place.payload["crebos"])
        total["slots"] += int(place.payload["slots"])
    periods = {p.period_id: p for p in coming}
    return [(periods[period_id], {"period_id": period_id, "sector": sector, "crebos": sorted(t["crebos"]),
                                  "slots": t["slots"]})
            for (period_id, sector), t in sorted(totals.items())]


def copy_last_year(deps: Deps, organisation_id: str, region_id: str | None, school_year: str,
                   seed: str | None = None) -> list[Envelope]:
    """"Copy last year's places" in one step: post last year's places as the coming year's supply."""
    checked = last_year_lines(deps, organisation_id, region_id, school_year)
    if not checked:
        raise InvalidInput({"school_year": [NOTHING_TO_COPY]})
    return _publish_supply(deps, organisation_id, checked, seed)


def supply_of_organisation(deps: Deps, organisation_id: str) -> list[dict[str, Any]]:
    """The organisation's supply lines, by period and sector."""
    return list(planning_store(deps).supply(organisation_id).values())


def set_participation(deps: Deps, organisation_id: str, region_id: str, data: dict[str, Any],
                      seed: str | None = None) -> Envelope:
    """Record whether the organisation takes part in the school year (an opt-out needs a reason code)."""
    status, reason = data["status"], data.get("reason_code")
    if status == "opted_out" and not reason:
        raise InvalidInput({"reason_code": [REASON_NEEDED]})
    record = ParticipationRecord(organisation_id, region_id, data["school_year"], status,
                                 reason if status == "opted_out" else None,
                                 data.get("reason_text", "") if status == "opted_out" else "")
    payload = Participation(organisation_id, region_id, record.school_year, status, record.reason_code)
    envelope = new_envelope("organisation.participation_set", payload, producer=PRODUCER, partition_key=region_id,
                            event_id=next(event_ids(seed)))
    return commit(deps, Prepared([envelope], stores=[lambda d: planning_store(d).put_participation(record)]))[0]


def participation(deps: Deps, organisation_id: str, school_year: str) -> ParticipationRecord | None:
    """What the organisation said about the school year (None: nothing yet)."""
    return planning_store(deps).participation(organisation_id, school_year)
