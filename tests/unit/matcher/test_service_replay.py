"""Replay: folding the event log up to a round's request gives the round the matcher proposed."""

from __future__ import annotations

import pytest
from stagepool_shared.errors import InvalidEvent
from stagepool_shared.events import placements, rounds, wishes

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


def test_replay_of_a_rematch_after_a_release_keeps_the_released_placements_as_the_live_round_did():
    from datetime import datetime, timedelta

    from stagepool_shared.envelope import new_envelope

    from matcher.jobs import release_due_rounds
    from matcher.rounds.moments import iso

    t0 = datetime.fromisoformat("2027-01-10T09:00:00+00:00")
    deps = matcher_wiring().deps
    log = [event("wish.submitted", wish(f"stu-{i}")) for i in range(4)] + [
        event("place.posted", place(f"plc-{i}")) for i in range(6)] + [
        new_envelope("round.requested", rounds.RoundRequested("rnd-1", REGION, PERIOD, 5, "usr-coord"),
                     producer="test", partition_key=REGION, occurred_at=iso(t0)),
        event("round.release_scheduled", rounds.RoundReleaseScheduled(
            "rnd-1", REGION, iso(t0 + timedelta(hours=1)), iso(t0 + timedelta(days=7)), "usr-coord"))]
    for env in log:
        handlers.handle(env, deps)
    deps.clock.now = t0 + timedelta(hours=1)
    release_due_rounds(deps)
    late = [event("wish.submitted", wish(f"aaa-late-{i}")) for i in range(2)] + [
        new_envelope("round.requested", rounds.RoundRequested("rnd-2", REGION, PERIOD, 5, "usr-coord", "rematch"),
                     producer="test", partition_key=REGION, occurred_at=iso(t0 + timedelta(days=2)))]
    log += deps.publisher.events("round.proposed") + deps.publisher.events("round.released") + late
    for env in deps.publisher.events("round.released") + late:
        handlers.handle(env, deps)
    log += deps.publisher.events("round.proposed")[-1:]
    assert {o.status for o in deps.store.outcomes("rnd-2") if o.student_ref.startswith("stu-")} == {"kept"}
    result = replay_round(log, "rnd-2", GreedySolver(), "test")
    assert result.same_output and result.same_input


def test_an_event_the_live_consumer_dead_lettered_is_skipped_by_the_replay_too():
    """A refusal naming a round and place the matcher never knew (another region's test, a stray producer)
    is invalid for the matcher: the live consumer dead-letters it, and the replay passes over it."""
    stray = event("placement.refused", placements.PlacementRefused(
        "rnd-elsewhere", REGION, "stu-9", "sch-9", "plc-unknown", "org-unknown", "other"))
    log = [stray] + history()
    with pytest.raises(InvalidEvent):
        live_run([stray])
    log += live_run(history())
    assert replay_round(log, "rnd-1", GreedySolver(), "test").same_output
