"""The deadline of the work done for one request, seen by the plumbing that blocks on its behalf.

An HTTP edge opens one per request (`within(seconds)`, see `stagepool_shared.http.add_request_deadline`);
`stagepool_shared.kafka.EventPublisher` never waits past it, so the answer (2xx, or 503 when Kafka did not
acknowledge) leaves within the request's budget however much of it was spent before the publish. Work that
is bounded by its own limits instead (a file import validating thousands of rows) runs under `lifted()`.
The deadline lives in a context variable: one per thread (and per asyncio task), never shared.

Times are `time.monotonic()` seconds. Imports only the standard library.
"""

from __future__ import annotations

import time
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

_current: ContextVar[float | None] = ContextVar("stagepool_deadline", default=None)


@contextmanager
def within(seconds: float) -> Iterator[float]:
    """Run the block under a deadline `seconds` from now, or the enclosing one if that comes sooner."""
    deadline = time.monotonic() + max(0.0, seconds)
    outer = _current.get()
    token = _current.set(deadline if outer is None else min(deadline, outer))
    try:
        yield _current.get()  # type: ignore[misc]
    finally:
        _current.reset(token)


@contextmanager
def lifted() -> Iterator[None]:
    """Run the block without a request deadline (each blocking step keeps its own timeout)."""
    token = _current.set(None)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> float | None:
    """The deadline in force (a `time.monotonic()` value), or None."""
    return _current.get()


def first(*deadlines: float | None) -> float:
    """The earliest of the given deadlines and the one in force (infinity when there is none)."""
    found = [d for d in (*deadlines, _current.get()) if d is not None]
    return min(found, default=float("inf"))


def left(deadline: float) -> float:
    """Seconds until `deadline`, never negative."""
    return max(0.0, deadline - time.monotonic())
