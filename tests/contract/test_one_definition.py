"""A wish's and a place's fields are declared once (stagepool_shared.events.contract) and every reader derives
them: the event schemas, intake's edge schemas, the matcher's records, consistency check and instance schema.
Every other event's fields are declared once too: its schema is derived from its dataclass's rules."""

from __future__ import annotations

from dataclasses import dataclass, fields

from intake.entrypoints.schemas import PlaceIn, StrictBoolean, WishIn, edge_schema
from marshmallow import fields as mm

from matcher.domain import model
from matcher.domain.instance_schema import instance_schema
from matcher.domain.value_checks import value_checks
from stagepool_shared.events import contract
from stagepool_shared.events.base import payload_schema
from stagepool_shared.events.places import PlaceSchema
from stagepool_shared.events.rules import flag, rule_of, solver_fields, whole, within
from stagepool_shared.events.wishes import WishSchema
from stagepool_shared.registry import all_specs


def names(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]


def test_the_event_schemas_have_exactly_the_contract_fields_in_order() -> None:
    assert list(WishSchema().fields) == names(contract.Wish)
    assert list(PlaceSchema().fields) == names(contract.Place)


def _payload_and_nested_classes() -> set[type]:
    """Every event's payload class and every record class a field of one nests, at any depth."""
    found: set[type] = set()
    todo = [spec.payload_class for spec in all_specs()]
    while todo:
        cls = todo.pop()
        if cls in found:
            continue
        found.add(cls)
        for rule in filter(None, (rule_of(f) for f in fields(cls))):
            todo += [r.record for r in (rule, rule.item) if r is not None and r.record is not None]
    return found


def test_every_event_field_carries_its_rule_and_every_schema_is_derived_from_them() -> None:
    classes = _payload_and_nested_classes()
    without_rule = {(cls.__name__, f.name) for cls in classes for f in fields(cls) if rule_of(f) is None}
    assert without_rule == {("Summary", "unplaced_by_reason")}  # a map: no rule describes one, its schema declares it
    assert {"Outcome", "Hint", "Summary", "SchoolRate", "Manifest", "Location"} <= {cls.__name__ for cls in classes}
    for spec in all_specs():
        assert list(spec.schema().fields) == names(spec.payload_class), spec.event_type


def test_intake_asks_for_the_contract_fields_it_does_not_fill_in_itself() -> None:
    derived = {"student_ref", "school_id", "region_id", "age_at_start",
               "candidate_choice"}  # set only by the student's own choice (variant 2), never by the school
    assert list(WishIn().fields) == [n for n in names(contract.Wish) if n not in derived] + ["leerwens"]
    # the place's contact person (intake gives it to the notifier after release) and the screened free-text
    # description of the work (shown in the student's catalogue, never published)
    kept_in_intake = {"contact", "description"}
    assert set(PlaceIn().fields) == (set(names(contract.Place)) - {"place_id", "organisation_id", "region_id"}
                                     | kept_in_intake)


def test_the_matcher_reads_every_criterion_and_nothing_shown_only_to_the_student() -> None:
    chosen_apart = {"candidate_choice"}  # variant 2: the final round passes the choices beside the instance
    assert names(model.Wish) == [n for n in names(contract.Wish) if n not in chosen_apart]
    profile = {"competences", "keuzedelen", "supervisor_role", "supervision_hours", "company_size",
               "allowance_per_month", "early_shifts", "evening_shifts", "weekend_shifts", "accessibility", "town"}
    shown = {"organisation_name", "address", "start_date"} | profile
    assert names(model.Place) == [n for n in names(contract.Place) if n not in shown]


@dataclass(frozen=True)
class PlaceWithNewCriteria(contract.Place):
    """A place with two criteria more, declared the one way a criterion is declared."""

    step_free: bool = flag()
    min_study_year: int = whole(1, 4, default=1, solver=within(0))


def test_a_new_place_criterion_reaches_every_reader_without_further_code() -> None:
    event = payload_schema(PlaceWithNewCriteria)().fields
    assert isinstance(event["step_free"], mm.Boolean) and event["min_study_year"].load_default == 1
    edge = edge_schema(PlaceWithNewCriteria, leave_out=("place_id", "organisation_id", "region_id"),
                       location=mm.Raw(), contact=mm.Raw(), start_date=mm.Raw())().fields
    assert isinstance(edge["step_free"], StrictBoolean) and edge["min_study_year"].strict

    @dataclass(frozen=True)
    @solver_fields(PlaceWithNewCriteria)
    class SolverPlace:
        pass

    assert names(SolverPlace)[-2:] == ["step_free", "min_study_year"]
    assert "min_study_year" in [c.path for c in value_checks(SolverPlace)]


def test_the_instance_schema_states_the_solver_bounds_of_the_contract() -> None:
    wish = instance_schema()["$defs"]["wish"]["properties"]
    assert wish["max_travel_minutes"] == {"type": "integer", "minimum": 0, "maximum": 240}
    assert wish["pathway"] == {"enum": list(contract.PATHWAYS)}
