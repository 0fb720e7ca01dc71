"""Replay: folding the event log up to a round's request gives the round the matcher proposed."""

from __future__ import annotations

import pytest
from stagepool_shared.events import rounds, wishes

from matcher import handlers
from matcher.replay import replay_round
from tests.fakes.matcher import PERIOD, REGION, GreedySolver, event, matcher_wiring, place, wish


def live_run(events):
    deps = matcher_wiring().deps
    for env in events:
        handlers.handle(env, deps)
    return deps.publisher.events("round.proposed")


def history():
    return [event("wish.submitted", wish(f"stu-{i}", f"sch-{i % 2}")) for i in range(6)] + [
        event("place.posted", place("plc-1", 2)), event("place.posted", place("plc-2", 1)),
        event("wish.withdrawn", wishes.WishWithdrawn("stu-3", "sch-1", REGION, PERIOD)),
        event("round.requested", rounds.RoundRequested("rnd-1", REGION, PERIOD, 5, "usr-coord")),
        event("wish.submitted", wish("stu-late")),
    ]


def test_replay_gives_the_same_output_hash_as_the_live_round():
    log = history()
    log += live_run(log)
    result = replay_round(log, "rnd-1", GreedySolver(), "test")
    assert result.same_output and result.same_input
    assert result.published.output_hash == result.replayed.output_hash


def test_replay_notices_a_different_round():
    log = history()
    proposed = live_run(log)
    log = [e for e in log if e.event_type != "wish.withdrawn"] + proposed
    assert not replay_round(log, "rnd-1", GreedySolver(), "test").same_output


def test_replay_of_an_unknown_round_is_an_error():
    with pytest.raises(LookupError):
        replay_round(history(), "rnd-nope", GreedySolver(), "test")
