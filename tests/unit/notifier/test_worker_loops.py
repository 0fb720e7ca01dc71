"""A background worker of the notifier that meets an unexpected error stops the notifier instead of serving on
without it; a transient one is waited out. The workers run on stagepool_shared.runtime."""

import threading

from stagepool_shared.errors import TransientError
from stagepool_shared.runtime import Worker, run_worker


def test_an_unexpected_error_in_a_loop_stops_the_process_and_marks_it_crashed():
    stop, crashed = threading.Event(), threading.Event()

    def step():
        raise AttributeError("'list' object has no attribute 'get'")

    run_worker(Worker("sender-0", step, idle_s=0.01), stop, crashed)
    assert stop.is_set() and crashed.is_set()


def test_a_transient_error_is_retried_and_the_loop_goes_on():
    stop, crashed = threading.Event(), threading.Event()
    calls = []

    def step():
        calls.append(1)
        if len(calls) == 1:
            raise TransientError("redis restarting")
        stop.set()
        return 1

    run_worker(Worker("sender-0", step, idle_s=0.01), stop, crashed)
    assert len(calls) == 2 and not crashed.is_set()


def test_the_notifier_runs_its_senders_reminders_and_outbox_relay_as_workers(world):
    names = [w.name for w in world.wiring.workers()]
    assert names == [f"sender-{i}" for i in range(world.wiring.settings.sender_threads)] + ["reminders", "outbox",
                                                                                         "retention"]
    intervals = {w.name: w.idle_s for w in world.wiring.workers()}
    assert intervals["reminders"] == world.wiring.settings.reminder_interval_s
    assert intervals["outbox"] == intervals["sender-0"] == world.wiring.settings.idle_wait_s
    assert intervals["retention"] == 3600.0  # issue 20.7
