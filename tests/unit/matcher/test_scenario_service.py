"""What-if scenarios as a coordinator uses them (issue 16.4), through bootstrap with doubles: copy the live pool,
edit it, run the four policies in the scenario worker with progress, and never touch the live pool or publish.
Bad edits get field errors and change nothing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from matcher import handlers
from matcher.adapters.scenario_store import InMemoryScenarioStore
from matcher.errors import ScenarioBusy, ScenarioInvalid, ScenarioNotFound
from matcher.jobs import run_queued_scenario
from matcher.scenarios import commands as sc
from matcher.scenarios.compare import POLICIES
from matcher.scenarios.edits import DemandEdit, PlacesEdit, ReservedEdit, TravelEdit, apply_edits
from tests.fakes.matcher import PERIOD, REGION, event, matcher_wiring, place, wish


class RecordingScenarios(InMemoryScenarioStore):
    """The in-memory store, remembering every (status, progress) it was asked to save."""

    def __init__(self) -> None:
        super().__init__()
        self.saved: list[tuple[str, int, int]] = []

    def save(self, record) -> None:
        self.saved.append((record.status, record.progress, record.total))
        super().save(record)


def fits(p):
    return replace(p, irregular_shifts=False)


@pytest.fixture
def deps():
    deps = matcher_wiring(scenarios=RecordingScenarios()).deps
    envs = [event("wish.submitted", wish(f"stu-{i}", "sch-a" if i < 3 else "sch-b")) for i in range(4)]
    envs += [event("wish.submitted", replace(wish("stu-9", "sch-b"), irregular_shifts_ok=True))]
    envs += [event("place.posted", fits(place("plc-1", 2, org="org-a"))),
             event("place.posted", fits(place("plc-2", 1, org="org-b")))]
    for env in envs:
        handlers.handle(env, deps)
    return deps


def live(deps):
    return deps.store.load_pool(REGION, PERIOD, None)


def test_a_scenario_copies_the_live_pool_and_its_edits_and_runs_never_touch_it(deps):
    before, published = live(deps), len(deps.publisher.events())
    record = sc.create_scenario(deps, REGION, PERIOD)
    sc.add_edit(deps, REGION, record.scenario_id, PlacesEdit(20, organisation_id="org-a"))
    sc.add_edit(deps, REGION, record.scenario_id, DemandEdit("sch-b", 100))
    sc.start_run(deps, REGION, record.scenario_id)
    assert run_queued_scenario(deps) == 1
    assert live(deps) == before and len(deps.publisher.events()) == published
    assert sc.edited_pool(deps, sc.visible_scenario(deps, REGION, record.scenario_id)) != before


def test_the_worker_runs_all_four_policies_and_stores_progress_after_each(deps):
    record = sc.create_scenario(deps, REGION, PERIOD)
    assert sc.start_run(deps, REGION, record.scenario_id).status == "queued"
    deps.scenarios.saved.clear()
    assert run_queued_scenario(deps) == 1 and run_queued_scenario(deps) == 0
    done = sc.visible_scenario(deps, REGION, record.scenario_id)
    assert done.status == "done" and [p.policy for p in done.results.policies] == list(POLICIES)
    assert deps.scenarios.saved == [("running", 0, 4), ("running", 1, 4), ("running", 2, 4), ("running", 3, 4),
                                    ("running", 4, 4), ("done", 4, 4)]
    assert done.results.students == 5 and all(p.students == 5 for p in done.results.policies)


def test_more_places_at_one_organisation_are_spread_over_its_places_with_their_supervision(deps):
    pool = apply_edits(live(deps), [PlacesEdit(3, organisation_id="org-a", sector=wish("x").sector)])
    assert {p.place_id: min(p.slots, p.supervision_capacity) for p in pool.places} == {"plc-1": 5, "plc-2": 1}


def test_a_demand_increase_copies_the_same_students_every_time_and_a_decrease_removes_them(deps):
    up = [apply_edits(live(deps), [DemandEdit("sch-a", 50)]) for _ in range(2)]
    added = [w.student_ref for w in up[0].wishes if "-x" in w.student_ref]
    assert len(added) == 2 and added == [w.student_ref for w in up[1].wishes if "-x" in w.student_ref]
    down = apply_edits(live(deps), [DemandEdit("sch-a", -100)])
    assert {w.school_id for w in down.wishes} == {"sch-b"}


def test_travel_limits_move_within_the_solvers_bounds(deps):
    pool = apply_edits(live(deps), [TravelEdit(500, school_id="sch-b")])
    assert {w.school_id: w.max_travel_minutes for w in pool.wishes}["sch-b"] == 240


@pytest.mark.parametrize("edit, field", [
    (PlacesEdit(-4, organisation_id="org-a"), "change"),          # 2 places, 4 fewer: negative places
    (PlacesEdit(5, organisation_id="org-nobody"), "organisation_id"),
    (PlacesEdit(5), "organisation_id"),
    (DemandEdit("sch-nowhere", 10), "school_id"),
    (TravelEdit(10, school_id="sch-nowhere"), "school_id"),
    (ReservedEdit("plc-1", "sch-a", -1), "slots"),
    (ReservedEdit("plc-1", "sch-a", 3), "slots"),                   # more than the place's 2 slots
    (ReservedEdit("plc-nowhere", "sch-a", 1), "place_id"),
    (ReservedEdit("plc-1", "sch-nowhere", 1), "school_id"),
])
def test_an_edit_that_makes_the_pool_inconsistent_gets_a_field_error_and_changes_nothing(deps, edit, field):
    record = sc.create_scenario(deps, REGION, PERIOD)
    with pytest.raises(ScenarioInvalid) as err:
        sc.add_edit(deps, REGION, record.scenario_id, edit)
    assert list(err.value.fields) == [field] and all(nl and en for nl, en in err.value.fields[field])
    assert sc.visible_scenario(deps, REGION, record.scenario_id) == record


def test_a_period_outside_the_regions_year_is_a_field_error_and_copies_nothing(deps):
    with pytest.raises(ScenarioInvalid) as err:
        sc.create_scenario(deps, REGION, "2031-p9")
    assert list(err.value.fields) == ["period_id"] and sc.list_scenarios(deps, REGION) == []


def test_a_queued_scenario_cannot_be_edited_and_another_regions_coordinator_cannot_see_it(deps):
    record = sc.create_scenario(deps, REGION, PERIOD)
    sc.start_run(deps, REGION, record.scenario_id)
    with pytest.raises(ScenarioBusy):
        sc.add_edit(deps, REGION, record.scenario_id, PlacesEdit(1, organisation_id="org-a"))
    with pytest.raises(ScenarioNotFound):
        sc.visible_scenario(deps, "reg-other", record.scenario_id)


def test_an_edit_after_a_run_drops_the_results_and_undo_takes_back_the_last_edit(deps):
    record = sc.create_scenario(deps, REGION, PERIOD)
    sc.start_run(deps, REGION, record.scenario_id)
    run_queued_scenario(deps)
    edited = sc.add_edit(deps, REGION, record.scenario_id, TravelEdit(15))
    assert edited.status == "draft" and edited.results is None and len(edited.edits) == 1
    assert sc.undo_edit(deps, REGION, record.scenario_id).edits == ()


def test_the_policies_to_compare_are_a_non_empty_choice_of_the_four(deps):
    record = sc.create_scenario(deps, REGION, PERIOD)
    chosen = sc.set_policies(deps, REGION, record.scenario_id, ("first_come", "stagepool"), 11)
    assert chosen.policies == ("stagepool", "first_come") and chosen.seed == 11
    with pytest.raises(ScenarioInvalid):
        sc.set_policies(deps, REGION, record.scenario_id, ("lottery_of_fortune",), 1)


def test_a_run_that_lost_its_worker_may_be_started_again_after_ten_minutes(deps):
    record = sc.create_scenario(deps, REGION, PERIOD)
    sc.start_run(deps, REGION, record.scenario_id)
    store = deps.scenarios
    store.claim()  # the worker took it and died before it stored anything more
    store.save(replace(store.get(record.scenario_id), status="running", started_at="2027-01-15T09:00:00.000Z"))
    deps.clock.now = datetime(2027, 1, 15, 9, 5, tzinfo=UTC)
    with pytest.raises(ScenarioBusy):
        sc.start_run(deps, REGION, record.scenario_id)
    deps.clock.now = datetime(2027, 1, 15, 9, 11, tzinfo=UTC)
    assert sc.start_run(deps, REGION, record.scenario_id).status == "queued"
    assert run_queued_scenario(deps) == 1 and store.get(record.scenario_id).status == "done"
