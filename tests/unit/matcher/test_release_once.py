"""A round is released once across instances: when another instance marked it released between this one's
read and its own mark (it overran its lease), this one neither counts nor reports the release again."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from stagepool_shared.events import rounds

from matcher import handlers
from matcher.adapters.memory_store import InMemoryRoundStore
from matcher.jobs import release_due_rounds
from matcher.rounds.moments import iso
from tests.fakes.matcher import PERIOD, REGION, event, matcher_wiring, place, wish


class RacedStore(InMemoryRoundStore):
    """A store in which another instance releases the round right after this one read it."""

    def get_round(self, round_id):
        record = super().get_round(round_id)
        if record is not None and record.release is not None and record.status != "released":
            super().mark_released(round_id, record.release.release_at)
        return record


class CountingMetrics:
    def __init__(self):
        self.released_rounds = 0

    def solved(self, *_):
        return None

    def released(self, *_):
        self.released_rounds += 1


def test_a_round_another_instance_released_meanwhile_is_not_counted_twice():
    deps = matcher_wiring(store=RacedStore()).deps
    deps = replace(deps, metrics=CountingMetrics())
    for env in (event("wish.submitted", wish("stu-1")), event("place.posted", place("plc-1")),
                event("round.requested", rounds.RoundRequested("rnd-1", REGION, PERIOD, 7, "usr-coord"))):
        handlers.handle(env, deps)
    at = deps.clock.now
    handlers.handle(event("round.release_scheduled", rounds.RoundReleaseScheduled(
        "rnd-1", REGION, iso(at), iso(at + timedelta(days=7)), "usr-coord")), deps)
    assert release_due_rounds(deps) == []
    assert deps.metrics.released_rounds == 0 and deps.store.get_round("rnd-1").status == "released"


def test_marking_a_round_released_is_a_transition_made_once():
    store = RacedStore()
    deps = matcher_wiring(store=store).deps
    handlers.handle(event("round.requested", rounds.RoundRequested("rnd-2", REGION, PERIOD, 7, "usr-coord")), deps)
    assert InMemoryRoundStore.mark_released(store, "rnd-2", "2027-01-15T09:00:00Z") is True
    assert InMemoryRoundStore.mark_released(store, "rnd-2", "2027-01-15T09:00:00Z") is False


def test_one_step_of_the_release_worker_publishes_at_most_its_limit_and_the_next_step_the_rest():
    deps = matcher_wiring().deps
    for env in (event("wish.submitted", wish("stu-1")), event("place.posted", place("plc-1"))):
        handlers.handle(env, deps)
    at = deps.clock.now
    for n in range(3):
        handlers.handle(event("round.requested", rounds.RoundRequested(f"rnd-{n}", REGION, PERIOD, 7, "usr-c")), deps)
        handlers.handle(event("round.release_scheduled", rounds.RoundReleaseScheduled(
            f"rnd-{n}", REGION, iso(at), iso(at + timedelta(days=7)), "usr-c")), deps)
    first = release_due_rounds(deps, limit=2)
    assert len(first) == 2 and release_due_rounds(deps, limit=2) == sorted({"rnd-0", "rnd-1", "rnd-2"} - set(first))
