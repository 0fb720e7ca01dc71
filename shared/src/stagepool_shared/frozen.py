"""`build(cls, values)`: what `cls(**values)` gives for a frozen dataclass, at a tenth of the cost.

A frozen dataclass's `__init__` sets every field through `object.__setattr__`: 5 microseconds for a
20-field wish, 0.15 s for the 30,000 wishes of a large round, and as much again for its places, the
solver's records and the outcomes. `build` fills the instance's `__dict__` at once instead. It refuses
what `cls(**values)` refuses (an unknown or a missing field: TypeError), fills the defaults as `__init__`
does, and is only for plain frozen dataclasses: no `__post_init__`, no slots, no InitVar (checked once
per class). Like `__init__`, it converts nothing: the values are the fields' values. With `normalised=True` a
class whose `__post_init__` only normalises its values (the matcher's wish and place turn lists into tuples) is
built too, its `__post_init__` skipped: the caller gives every value as that `__post_init__` leaves it.
Imports the standard library only.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any, Callable, TypeVar

T = TypeVar("T")


@dataclasses.dataclass(frozen=True)
class _Shape:
    names: frozenset[str]
    required: frozenset[str]
    defaults: dict[str, Any]
    factories: tuple[tuple[str, Callable[[], Any]], ...]


@functools.cache
def _shape(cls: type, normalised: bool = False) -> _Shape:
    params = getattr(cls, "__dataclass_params__", None)
    post_init = hasattr(cls, "__post_init__") and not normalised
    if params is None or not params.frozen or post_init or hasattr(cls, "__slots__"):
        raise TypeError(f"{cls.__name__} is not a plain frozen dataclass")
    fields = [f for f in dataclasses.fields(cls) if f.init]
    if len(fields) != len(dataclasses.fields(cls)):
        raise TypeError(f"{cls.__name__} has fields outside __init__")
    return _Shape(
        names=frozenset(f.name for f in fields),
        required=frozenset(f.name for f in fields
                           if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING),
        defaults={f.name: f.default for f in fields if f.default is not dataclasses.MISSING},
        factories=tuple((f.name, f.default_factory) for f in fields
                        if f.default_factory is not dataclasses.MISSING),
    )


def build(cls: type[T], values: dict[str, Any], *, normalised: bool = False) -> T:
    """`cls(**values)` for a plain frozen dataclass, without the per-field `object.__setattr__`; `normalised`:
    also for one whose `__post_init__` only normalises, given values it would leave as they are."""
    shape = _shape(cls, normalised)
    keys = values.keys()
    if not (keys <= shape.names and shape.required <= keys):
        unknown, missing = sorted(keys - shape.names), sorted(shape.required - keys)
        raise TypeError(f"{cls.__name__}: unknown fields {unknown}, missing fields {missing}")
    record = object.__new__(cls)
    state = record.__dict__
    state.update(shape.defaults)
    for name, factory in shape.factories:
        if name not in values:
            state[name] = factory()
    state.update(values)
    return record
