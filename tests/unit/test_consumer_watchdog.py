"""The consumer loop's watchdog decides on positions alone (no broker needed): a consumer behind the log end is
stuck only when two looks in a row find it behind at the same positions (docs/reliability.md defect 9)."""

from __future__ import annotations

import threading

from kafka import TopicPartition

from stagepool_shared.kafka import ConsumerLoop

TP0, TP1 = TopicPartition("t", 0), TopicPartition("t", 1)


def loop() -> ConsumerLoop:
    return ConsumerLoop("127.0.0.1:1", "g", ["t"], lambda envelope: None, None, threading.Event())


def test_a_record_that_just_arrived_is_not_stuck_at_the_first_look():
    watchdog = loop()
    assert watchdog._still_behind({TP0: 5}) is False


def test_behind_at_the_same_positions_twice_is_stuck():
    watchdog = loop()
    watchdog._still_behind({TP0: 5, TP1: 2})
    assert watchdog._still_behind({TP0: 5, TP1: 2}) is True


def test_a_consumer_that_moved_between_the_looks_is_not_stuck():
    watchdog = loop()
    watchdog._still_behind({TP0: 5})
    assert watchdog._still_behind({TP0: 7}) is False
    assert watchdog._still_behind({TP0: 7}) is True


def test_caught_up_in_between_starts_over():
    watchdog = loop()
    watchdog._still_behind({TP0: 5})
    assert watchdog._still_behind({}) is False
    assert watchdog._still_behind({TP0: 5}) is False
