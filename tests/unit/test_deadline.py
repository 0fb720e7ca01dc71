"""stagepool_shared.deadline: the per-request deadline that blocking plumbing (the Kafka publisher) honours."""

from __future__ import annotations

import threading
import time

from stagepool_shared import deadline


def test_without_a_deadline_nothing_is_in_force():
    assert deadline.current() is None
    assert deadline.first() == float("inf")


def test_a_nested_deadline_cannot_extend_the_enclosing_one():
    with deadline.within(1.0) as outer:
        with deadline.within(60.0) as inner:
            assert inner == outer
        with deadline.within(0.1) as sooner:
            assert sooner < outer and deadline.current() == sooner
        assert deadline.current() == outer
    assert deadline.current() is None


def test_the_earliest_deadline_wins():
    with deadline.within(0.5) as request:
        assert deadline.first(time.monotonic() + 5.0) == request
        assert deadline.first(request - 0.2) == request - 0.2


def test_lifted_runs_a_block_without_the_request_deadline():
    with deadline.within(0.5):
        with deadline.lifted():
            assert deadline.current() is None
        assert deadline.current() is not None


def test_the_time_left_is_never_negative():
    assert deadline.left(time.monotonic() - 3.0) == 0.0
    assert 0.0 < deadline.left(time.monotonic() + 3.0) <= 3.0


def test_a_deadline_belongs_to_its_own_thread():
    seen = []
    with deadline.within(1.0):
        thread = threading.Thread(target=lambda: seen.append(deadline.current()))
        thread.start()
        thread.join()
    assert seen == [None]
