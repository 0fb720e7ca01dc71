"""A background loop that meets an unexpected error stops the notifier instead of serving on without it."""

import threading

from notifier.entrypoints import workers
from stagepool_shared.errors import TransientError


def test_an_unexpected_error_in_a_loop_stops_the_process_and_marks_it_crashed():
    stop = threading.Event()
    workers.crashed.clear()

    def step():
        raise AttributeError("'list' object has no attribute 'get'")

    workers._loop("sender-0", step, stop, idle_s=0.01)
    assert stop.is_set() and workers.crashed.is_set()
    workers.crashed.clear()


def test_a_transient_error_is_retried_and_the_loop_goes_on():
    stop = threading.Event()
    calls = []

    def step():
        calls.append(1)
        if len(calls) == 1:
            raise TransientError("redis restarting")
        stop.set()
        return 1

    workers._loop("sender-0", step, stop, idle_s=0.01)
    assert len(calls) == 2 and not workers.crashed.is_set()
