"""How a payload field is declared: its `Rule`, kept in the metadata of the dataclass field.

One line says everything about a field: its Python type, its default, the bounds every producer and
intake's edge enforce (`wire`), and the looser bounds the matcher's solver relies on (`solver`):

    age_at_start: int = whole(14, 80, solver=within(0, 120))

The readers of the rules, each a short function over `dataclasses.fields`:
- `stagepool_shared.events.base.payload_schema`: the marshmallow schema of an event payload;
- `intake.entrypoints.schemas.edge_schema`: intake's strict input schema (strict booleans, clean text);
- `matcher.domain.value_checks` (for its consistency check) and `matcher.domain.instance_schema`: the
  solver's value checks and the JSON Schema of `matcher solve` (docs/instance.schema.json);
- `solver_fields`: the matcher's records, which take the fields of a payload the solver reads.
Imports the standard library only: the matcher's pure domain imports it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import MISSING, dataclass
from typing import Any, Callable

#: Identifier fields: opaque, printable, short.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$"
#: Codes (activities, support, organisation types): lower case, short.
CODE_PATTERN = r"^[a-z0-9_.-]{1,60}$"
#: Codes one event may carry in one list; intake's edge allows fewer per list (`Rule.edge`).
WIRE_CODES = 100


@dataclass(frozen=True)
class Bounds:
    """What a value must satisfy; a bound left at its default holds for every value.

    `size` bounds the characters of a text or the items of a list: (min, max), None for open.
    """

    choices: tuple[str, ...] = ()
    pattern: str | None = None
    low: float | None = None
    high: float | None = None
    size: tuple[int | None, int | None] = (None, None)
    unique: bool = False


ANY = Bounds()


def within(low: float | None, high: float | None = None) -> Bounds:
    """A numeric range; `within(0)` means "at least 0"."""
    return Bounds(low=low, high=high)


@dataclass(frozen=True)
class Rule:
    """What one field holds and accepts.

    Attributes:
        kind: "str", "int", "float", "bool", "list" (of `item`) or "record" (the dataclass `record`).
        wire: the bounds on the wire and at intake's edge.
        solver: the bounds the matcher's solver relies on; None when the matcher does not read the field.
        item: the rule of each item of a list.
        record: the payload dataclass of a nested record.
        edge: intake's own, tighter bounds (None: the wire's); used for lists of codes.
        doc: one line for the instance JSON Schema.
    """

    kind: str
    wire: Bounds = ANY
    solver: Bounds | None = ANY
    item: Rule | None = None
    record: type | None = None
    edge: Bounds | None = None
    doc: str = ""


_SAME: Any = object()  # default of `solver=`: the solver relies on the wire's bounds


def _field(rule: Rule, default: Any = MISSING) -> Any:
    if default is list:
        return dataclasses.field(default_factory=list, metadata={"rule": rule})
    return dataclasses.field(default=default, metadata={"rule": rule})


def _solver(given: Bounds | None, wire: Bounds) -> Bounds | None:
    return wire if given is _SAME else given


def rule_of(field: dataclasses.Field) -> Rule | None:
    """The rule of a dataclass field (None for a field declared without one)."""
    return field.metadata.get("rule")


def default_of(field: dataclasses.Field) -> Any:
    """The field's default: MISSING when required, `list` for an empty-list default."""
    return list if field.default_factory is not MISSING else field.default


def ident(*, default: Any = MISSING, solver: Bounds = ANY, doc: str = "") -> Any:
    """An opaque identifier (pseudonym, school id, place id...), required unless a `default` is given (None:
    it may be left out or null); any string to the solver."""
    return _field(Rule("str", Bounds(pattern=ID_PATTERN), solver, doc=doc), default)


def string(*, size: tuple[int | None, int | None] = (None, None), default: Any = MISSING) -> Any:
    """A string checked for its length only (a topic, a moment, a version, a reason for a person to read),
    required unless a `default` is given; the solver never reads it."""
    return _field(Rule("str", Bounds(size=size), None), default)


def text(most: int, *, default: Any = MISSING) -> Any:
    """Free text of 1 to `most` characters (a name, an address), required unless a `default` is given (then
    it may also be empty); the solver never reads it."""
    return string(size=(1 if default is MISSING else 0, most), default=default)


def choice(values: tuple[str, ...], *, default: Any = MISSING, solver: Bounds | None = _SAME, doc: str = "") -> Any:
    """One of a closed set of values."""
    wire = Bounds(choices=values)
    return _field(Rule("str", wire, _solver(solver, wire), doc=doc), default)


def code(pattern: str, *, default: Any = MISSING, solver: Bounds | None = _SAME) -> Any:
    """A string matching `pattern` (a crebo, a postcode area, a date...)."""
    wire = Bounds(pattern=pattern)
    return _field(Rule("str", wire, _solver(solver, wire)), default)


def whole(low: int | None, high: int | None, *, default: Any = MISSING, solver: Bounds | None = _SAME,
          doc: str = "") -> Any:
    """An integer from `low` to `high`, None for an open end (JSON integers only: never "3" nor 3.0)."""
    wire = within(low, high)
    return _field(Rule("int", wire, _solver(solver, wire), doc=doc), default)


def decimal(low: float | None, high: float | None, *, default: Any = MISSING,
            solver: Bounds | None = _SAME) -> Any:
    """A number from `low` to `high`, None for an open end; required unless a `default` is given."""
    wire = within(low, high)
    return _field(Rule("float", wire, _solver(solver, wire)), default)


def flag(default: bool = False, *, solver: Bounds | None = ANY) -> Any:
    """A yes/no criterion (`solver=None`: shown to the student only, the matcher does not read it)."""
    return _field(Rule("bool", solver=solver), default)


def record(payload_class: type) -> Any:
    """A required nested record (a location)."""
    return _field(Rule("record", record=payload_class))


def listing(item: Any, *, size: tuple[int | None, int | None], default: Any = MISSING,
            solver: Bounds = ANY, doc: str = "") -> Any:
    """A list of `size` items, each by the rule of the field `item` (e.g. `code(CREBO)`)."""
    return _field(Rule("list", Bounds(size=size), solver, item=rule_of(item), doc=doc), default)


def codes(most: int, *, solver: Bounds | None = ANY, doc: str = "") -> Any:
    """A list of codes, empty by default: at most `most` from a person, WIRE_CODES in an event
    (`solver=None`: shown to the student only, the matcher does not read it)."""
    item = Rule("str", Bounds(pattern=CODE_PATTERN))
    return _field(Rule("list", Bounds(size=(None, WIRE_CODES)), solver, item=item, edge=Bounds(size=(None, most)),
                       doc=doc), list)


def solver_fields(payload_class: type) -> Callable[[type], type]:
    """Class decorator (put it under `@dataclass`): give the class the fields of `payload_class` the solver
    reads (those with a solver rule), in their order, with their types, defaults and rules."""

    def add_fields(cls: type) -> type:
        own = dict(cls.__dict__.get("__annotations__", {}))
        annotations: dict[str, Any] = {}
        for f in dataclasses.fields(payload_class):
            rule = rule_of(f)
            if rule is None or rule.solver is None:
                continue
            annotations[f.name] = f.type
            setattr(cls, f.name, _field(rule, default_of(f)))
        cls.__annotations__ = {**annotations, **own}
        return cls

    return add_fields
