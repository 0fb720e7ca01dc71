"""Polling with a deadline, so tests never `sleep()` for a fixed time. Imports only the standard library."""

from __future__ import annotations

import time
from typing import Callable, TypeVar

T = TypeVar("T")


def wait_until(
    predicate: Callable[[], T],
    timeout: float = 30,
    interval: float = 0.05,
    message: str = "",
) -> T:
    """Call `predicate` until it returns something truthy, and return that value.

    Raises AssertionError(message) when `timeout` seconds pass first. Exceptions raised by the
    predicate propagate (catch the expected ones inside the predicate).
    """
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(message or f"condition not met within {timeout:g} s: {predicate!r}")
        time.sleep(min(interval, max(0.0, deadline - time.monotonic())))
