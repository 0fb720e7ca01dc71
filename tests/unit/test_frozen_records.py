"""`stagepool_shared.frozen.build`: what `cls(**values)` gives for a frozen dataclass, and what it refuses."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from stagepool_shared import frozen
from stagepool_shared.events.rounds import Hint, Outcome
from stagepool_shared.testing import samples


def test_a_record_built_equals_the_one_init_builds_defaults_and_factories_included() -> None:
    values = {"student_ref": "stu-1", "school_id": "sch-1", "status": "unplaced",
              "hints": [Hint("max_travel_minutes", 10.0, "minutes", 4, 1)]}
    built, made = frozen.build(Outcome, dict(values)), Outcome(**values)
    assert built == made
    assert built.criteria_met == [] and built.criteria_met is not frozen.build(Outcome, dict(values)).criteria_met
    with pytest.raises(AttributeError):
        built.status = "placed"  # still frozen


def test_the_shared_wish_and_place_are_built_as_their_init_builds_them() -> None:
    for record in (samples.sample_payload("wish.submitted"), samples.sample_payload("place.posted")):
        assert frozen.build(type(record), dict(vars(record))) == record


def test_an_unknown_or_a_missing_field_is_refused_as_init_refuses_it() -> None:
    with pytest.raises(TypeError, match="unknown fields \\['colour'\\]"):
        frozen.build(Outcome, {"student_ref": "stu-1", "school_id": "sch-1", "status": "placed", "colour": "red"})
    with pytest.raises(TypeError, match="missing fields \\['status'\\]"):
        frozen.build(Outcome, {"student_ref": "stu-1", "school_id": "sch-1"})


def test_a_class_whose_init_does_more_than_set_fields_is_refused() -> None:
    @dataclass(frozen=True)
    class Checked:
        n: int

        def __post_init__(self) -> None:
            assert self.n >= 0

    @dataclass
    class Mutable:
        n: int

    @dataclass(frozen=True)
    class Derived:
        n: int
        doubled: int = field(init=False, default=0)

    for cls in (Checked, Mutable, Derived):
        with pytest.raises(TypeError):
            frozen.build(cls, {"n": 1})


def test_a_class_whose_post_init_only_normalises_is_built_normalised_and_equals_init() -> None:
    # the matcher's instance codec (issue 17.4): its wish and place turn lists into tuples after __init__
    @dataclass(frozen=True)
    class Tupled:
        n: int
        items: tuple[int, ...] = ()

        def __post_init__(self) -> None:
            object.__setattr__(self, "items", tuple(self.items))

    with pytest.raises(TypeError):
        frozen.build(Tupled, {"n": 1, "items": (2,)})  # not without the caller's word
    assert frozen.build(Tupled, {"n": 1, "items": (2, 3)}, normalised=True) == Tupled(1, [2, 3])
    assert frozen.build(Tupled, {"n": 1}, normalised=True) == Tupled(1)
    with pytest.raises(TypeError, match="missing fields \\['n'\\]"):
        frozen.build(Tupled, {"items": ()}, normalised=True)
