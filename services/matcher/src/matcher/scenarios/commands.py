"""The scenario use cases the coordinator's pages call, and the run the scenario worker does.

A scenario is copied from the live pool of the coordinator's own region and one of its periods (the periods
of the region's year the matcher knows). The live store is only read; everything is written to the scenario
store (`Deps.scenarios`), and nothing is published. A coordinator sees only scenarios of the own region.
Imports the standard library, the ports, the matcher's errors and this package.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace

from ..errors import MatcherError, ScenarioBusy, ScenarioInvalid, ScenarioNotFound
from ..ports import AbstractScenarioStore, Deps
from ..rounds.moments import iso
from ..rounds.pool import Pool
from ..solver.heap import gc_paused
from .compare import POLICIES, compare
from .edits import Edit, apply_edits, check_edit
from .record import ScenarioRecord

logger = logging.getLogger(__name__)
MAX_EDITS = 50


def _store(deps: Deps) -> AbstractScenarioStore:
    if deps.scenarios is None:
        raise ScenarioNotFound("this matcher keeps no scenarios")
    return deps.scenarios


def create_scenario(deps: Deps, region_id: str, period_id: str) -> ScenarioRecord:
    """Copy the live pool of `period_id` into a new scenario (a period outside the region's year: a field error)."""
    periods = deps.store.periods(region_id)
    if period_id not in periods:
        known = ", ".join(periods) or "–"
        raise ScenarioInvalid({"period_id": [(f"Geen periode van dit jaar in uw regio (wel: {known}).",
                                              f"Not a period of this year in your region (known: {known}).")]})
    pool = deps.store.load_pool(region_id, period_id, None)
    record = ScenarioRecord(f"scn-{uuid.uuid4().hex[:12]}", region_id, period_id, iso(deps.clock()),
                            base={"students": len(pool.wishes), "slots": _slots(pool)})
    _store(deps).create(record, pool)
    logger.info("scenario %s copied from %s/%s", record.scenario_id, region_id, period_id)
    return record


def _slots(pool: Pool) -> int:
    return sum(max(0, min(p.slots, p.supervision_capacity)) for p in pool.places)


def scenario_periods(deps: Deps, region_id: str) -> list[str]:
    """The periods of the region's year a scenario may be copied from (those the matcher has a pool of)."""
    return deps.store.periods(region_id)


def list_scenarios(deps: Deps, region_id: str) -> list[ScenarioRecord]:
    return _store(deps).list_for(region_id)


def visible_scenario(deps: Deps, region_id: str, scenario_id: str) -> ScenarioRecord:
    """The scenario, when it is of `region_id`; ScenarioNotFound otherwise."""
    record = _store(deps).get(scenario_id)
    if record is None or record.region_id != region_id:
        raise ScenarioNotFound(scenario_id)
    return record


def edited_pool(deps: Deps, record: ScenarioRecord) -> Pool:
    """The scenario's pool: the copy with every edit applied."""
    return apply_edits(_store(deps).base_pool(record.scenario_id), record.edits)


def _editable(deps: Deps, region_id: str, scenario_id: str) -> ScenarioRecord:
    record = visible_scenario(deps, region_id, scenario_id)
    if record.busy(deps.clock()):
        raise ScenarioBusy(scenario_id)
    return record


def is_busy(deps: Deps, record: ScenarioRecord) -> bool:
    """Whether the scenario is queued or still running (it cannot be edited or started now)."""
    return record.busy(deps.clock())


def add_edit(deps: Deps, region_id: str, scenario_id: str, edit: Edit) -> ScenarioRecord:
    """Check the edit against the scenario's pool as it is; store it only when it applies cleanly."""
    record = _editable(deps, region_id, scenario_id)
    if len(record.edits) >= MAX_EDITS:
        raise ScenarioInvalid({"kind": [(f"Hoogstens {MAX_EDITS} wijzigingen.", f"At most {MAX_EDITS} edits.")]})
    errors = check_edit(edited_pool(deps, record), edit)
    if errors:
        raise ScenarioInvalid(errors)
    record = record.edited(record.edits + (edit,), record.seed, record.policies)
    _store(deps).save(record)
    return record


def undo_edit(deps: Deps, region_id: str, scenario_id: str) -> ScenarioRecord:
    """Drop the last edit (the earlier ones were checked without it)."""
    record = _editable(deps, region_id, scenario_id)
    record = record.edited(record.edits[:-1], record.seed, record.policies)
    _store(deps).save(record)
    return record


def set_policies(deps: Deps, region_id: str, scenario_id: str, policies: tuple[str, ...], seed: int
                 ) -> ScenarioRecord:
    """Choose the policies to compare (at least one, in the fixed order) and the lottery seed."""
    record = _editable(deps, region_id, scenario_id)
    if not policies or set(policies) - set(POLICIES):
        raise ScenarioInvalid({"policies": [("Kies minstens één bekend beleid.", "Choose at least one known policy.")]})
    record = record.edited(record.edits, seed, tuple(p for p in POLICIES if p in policies))
    _store(deps).save(record)
    return record


def start_run(deps: Deps, region_id: str, scenario_id: str) -> ScenarioRecord:
    """Queue the scenario for the scenario worker (progress 0 of its policies)."""
    record = _editable(deps, region_id, scenario_id)
    record = replace(record, status="queued", progress=0, total=len(record.policies), results=None, error=None,
                     finished_at=None)
    _store(deps).enqueue(record)
    return record


def run_next(deps: Deps) -> str | None:
    """The scenario worker's step: run the next queued scenario, storing progress after each policy."""
    store = _store(deps)
    scenario_id = store.claim()
    record = store.get(scenario_id) if scenario_id else None
    if record is None:
        return None
    running = replace(record, status="running", progress=0, total=len(record.policies), started_at=iso(deps.clock()))
    store.save(running)
    try:
        with gc_paused():
            pool = edited_pool(deps, record).narrowed().binding(record.created_at)
            results = compare(pool, record.seed, record.policies,
                              progress=lambda done, total: store.save(replace(running, progress=done, total=total)))
    except (MatcherError, ValueError) as err:
        logger.warning("scenario %s failed: %s", scenario_id, err)
        store.save(replace(running, status="failed", error=str(err)[:500], finished_at=iso(deps.clock())))
        return scenario_id
    store.save(replace(running, status="done", progress=len(record.policies), results=results,
                       finished_at=iso(deps.clock())))
    logger.info("scenario %s ran %d policies", scenario_id, len(record.policies))
    return scenario_id
