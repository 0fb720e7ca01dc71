"""The bounds the solver relies on, as checks of a wish's or a place's values.

The bounds are declared once, with each field, in `stagepool_shared.events.contract` (`solver=`);
`value_checks(Wish)` turns them into checks, once per record type. A check tests a column (the values of one
field in every record) with builtins and numpy: several times faster than a loop over the records, and a
250,000-student round has some 3 million values to check. The failing record is looked for only when a
column fails. Imports numpy, the standard library and the plain-Python field rules.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from operator import attrgetter
from typing import Any

import numpy as np

from stagepool_shared.events.rules import Bounds, Rule, rule_of

Column = Callable[[Sequence[Any]], bool]
Why = Callable[[str, Any], str]


@dataclass(frozen=True)
class ValueCheck:
    """One bound of one field: `holds(values)` is True when every value of the column keeps the bound (it
    raises TypeError for a value of the wrong type); `why(path, value)` says what is wrong with a value."""

    path: str
    get: Callable[[Any], Any]
    holds: Column
    why: Why

    def failure(self, record: Any) -> str | None:
        """Why the record breaks this bound, or None."""
        value = self.get(record)
        try:
            return None if self.holds([value]) else self.why(self.path, value)
        except TypeError:
            return f"{self.path} {value!r} has the wrong type"

    def first_failure(self, records: Sequence[Any], column: Sequence[Any]) -> int | None:
        """The index of the first record that breaks this bound, or None; `column` holds the values."""
        try:
            if self.holds(column):
                return None
        except TypeError:
            pass
        return next(i for i, r in enumerate(records) if self.failure(r) is not None)


def _numbers(low: float | None, high: float | None) -> tuple[Column, Why]:
    lo = -np.inf if low is None else low
    hi = np.inf if high is None else high
    span = f"below {low}" if high is None else f"above {high}" if low is None else f"outside [{low}, {high}]"

    def holds(values: Sequence[Any]) -> bool:
        column = np.asarray(values)
        if column.dtype.kind not in "biuf":
            raise TypeError("not numbers")
        return bool(np.all((column >= lo) & (column <= hi)))

    return holds, lambda p, v: f"{p} {v!r} is {span}"


def _size(bounds: Bounds) -> tuple[Column, Why]:
    least, most = bounds.size[0] or 0, bounds.size[1]
    unique = bounds.unique

    def holds(values: Sequence[Any]) -> bool:
        sizes = list(map(len, values))
        return (least <= min(sizes, default=least) and (most is None or max(sizes, default=0) <= most)
                and (not unique or sum(map(len, map(set, values))) == sum(sizes)))

    if least == 1 and most is None and not unique:
        return holds, lambda p, v: f"empty {p}"
    what = f"at least {least}" if most is None else f"at most {most}" if least == 0 else f"{least} to {most}"
    return holds, lambda p, v: f"{p} must hold {what}{' distinct' if unique else ''} items"


def _each(item: tuple[Column, Why]) -> tuple[Column, Why]:
    """A test of a list's items, as a test of the list."""
    holds, why = item

    def first_bad(values: Sequence[Any]) -> Any:
        return next(x for x in values if not holds([x]))

    return (lambda lists: holds([x for v in lists for x in v])), (lambda p, v: why(f"{p} item", first_bad(v)))


def _inside(check: ValueCheck) -> tuple[Column, Why]:
    """A check of a nested record's field, as a test of the records."""
    return (lambda records: check.holds(list(map(check.get, records)))), \
        (lambda p, r: check.why(f"{p} {check.path}", check.get(r)))


def _tests(rule: Rule) -> list[tuple[Column, Why]]:
    """(holds, why) for each bound of `rule.solver`; a list's items are tested by the item's rule."""
    bounds = rule.solver or Bounds()
    tests: list[tuple[Column, Why]] = []
    if bounds.choices:
        within = frozenset(bounds.choices).__contains__
        tests.append(((lambda vs: all(map(within, vs))), lambda p, v: f"{p} {v!r} is not one of {bounds.choices}"))
    if bounds.pattern:
        match = re.compile(bounds.pattern).fullmatch
        tests.append(((lambda vs: all(map(match, vs))), lambda p, v: f"{p} {v!r} does not match {bounds.pattern}"))
    if bounds.low is not None or bounds.high is not None:
        tests.append(_numbers(bounds.low, bounds.high))
    if bounds.size != (None, None) or bounds.unique:
        tests.append(_size(bounds))
    if rule.kind == "list" and rule.item is not None:
        item = rule.item
        inner = [_inside(c) for c in value_checks(item.record)] if item.kind == "record" else _tests(item)
        tests += [_each(t) for t in inner]
    return tests


def value_checks(record: type, prefix: str = "") -> tuple[ValueCheck, ...]:
    """The bound checks of every field of `record` the solver reads, in field order; the fields of a nested
    record (a location) are checked as `home.lat`, ... Built once per record type, not per record."""
    checks: list[ValueCheck] = []
    for f in fields(record):
        rule, path = rule_of(f), prefix + f.name
        if rule is None or rule.solver is None:
            continue
        if rule.kind == "record":
            checks += value_checks(rule.record, path + ".")
        else:
            checks += [ValueCheck(path, attrgetter(path), holds, why) for holds, why in _tests(rule)]
    return tuple(checks)


def first_breaking(records: Sequence[Any], checks: tuple[ValueCheck, ...]) -> int:
    """The index of the first record that breaks one of `checks` (len(records) when none does)."""
    columns = {check.path: list(map(check.get, records)) for check in checks}
    failures = (check.first_failure(records, columns[check.path]) for check in checks)
    return min((i for i in failures if i is not None), default=len(records))
