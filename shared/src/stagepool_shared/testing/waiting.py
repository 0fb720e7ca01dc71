"""Polling with a deadline, so tests never `sleep()` for a fixed time, and running steps at one moment in
threads (two instances, many callers). Imports only the standard library."""

from __future__ import annotations

import threading
import time
from typing import Callable, Sequence, TypeVar

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


def at_once(steps: Sequence[Callable[[], T]], timeout: float = 60) -> list[T | None]:
    """Run the steps in threads that start together; what each returned, in the steps' order (None for a
    step still running after `timeout` seconds)."""
    results: list[T | None] = [None] * len(steps)
    start = threading.Barrier(len(steps))

    def run(i: int) -> None:
        start.wait()
        results[i] = steps[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(steps))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
