"""The matcher's event handlers, built through bootstrap with the in-memory store, a FakePublisher, a Clock
and a tiny test solver."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from stagepool_shared.events import placements, rounds, students, wishes
from stagepool_shared.events.places import PlaceWithdrawn

from matcher import handlers
from matcher.ports import Deps
from matcher.jobs import release_due_rounds
from matcher.rounds.manifest import output_hash
from matcher.rounds.moments import iso
from matcher.rounds.parts import derived_event_id, proposal_events
from tests.fakes.matcher import GreedySolver, PERIOD, REGION, event, matcher_wiring, place, wish


@pytest.fixture
def deps() -> Deps:
    deps = matcher_wiring().deps
    deps.per_part = 2
    return deps


def feed(deps, *envelopes):
    for env in envelopes:
        handlers.handle(env, deps)


def request(round_id="rnd-1", kind="initial", seed=7):
    return event("round.requested", rounds.RoundRequested(round_id, REGION, PERIOD, seed, "usr-coord", kind))


def test_wishes_and_places_become_the_pool_and_a_withdrawn_wish_leaves_it(deps):
    feed(deps, event("wish.submitted", wish("stu-1")), event("wish.submitted", wish("stu-2")),
         event("place.posted", place("plc-1")),
         event("wish.withdrawn", wishes.WishWithdrawn("stu-2", "sch-a", REGION, PERIOD)))
    pool = deps.store.load_pool(REGION, PERIOD, None)
    assert [w.student_ref for w in pool.wishes] == ["stu-1"] and [p.place_id for p in pool.places] == ["plc-1"]


def test_a_redelivered_event_changes_nothing(deps):
    submitted = event("wish.submitted", wish("stu-1"))
    feed(deps, submitted, event("wish.opted_out", wishes.WishOptedOut("stu-1", "sch-a", REGION, PERIOD)), submitted)
    assert deps.store.load_pool(REGION, PERIOD, None).wishes == ()


def test_a_round_request_publishes_the_proposal_in_parts_and_stores_it(deps):
    feed(deps, *(event("wish.submitted", wish(f"stu-{i}")) for i in range(5)), event("place.posted", place("plc-1", 3)),
         request())
    parts = deps.publisher.events("round.proposed")
    assert [p.payload.part for p in parts] == [1, 2, 3] and {p.payload.parts for p in parts} == {3}
    record = deps.store.get_round("rnd-1")
    assert record.status == "proposed" and record.summary.placed == 3 and record.summary.unplaced == 2
    assert record.manifest.output_hash == output_hash(deps.store.outcomes("rnd-1"))
    assert parts[0].payload.manifest == record.manifest


def test_a_redelivered_or_repeated_request_never_gives_a_second_proposal(deps):
    feed(deps, event("wish.submitted", wish("stu-1")), event("place.posted", place("plc-1")))
    first = request()
    feed(deps, first, first, request(seed=99))
    assert len(deps.publisher.events("round.proposed")) == 1


def stored_while_kafka_is_down(deps):
    """One student, one place, a round request handled while publishing fails; Kafka back afterwards."""
    feed(deps, event("wish.submitted", wish("stu-1")), event("place.posted", place("plc-1")))
    req = request()
    deps.publisher.go_down()
    with pytest.raises(Exception):
        feed(deps, req)
    deps.publisher.fail_with = None
    return req


def test_a_proposal_stored_but_not_published_goes_out_from_the_store_on_redelivery_never_recomputed(deps):
    req = stored_while_kafka_is_down(deps)
    stored = deps.store.get_round("rnd-1")
    assert stored.status == "proposed" and not stored.proposal_published  # the outbox holds it
    feed(deps, event("wish.submitted", wish("stu-late")))  # arrives while the matcher is down
    deps.solver = None  # a redelivery must not compute again: the stored proposal is published as it is
    feed(deps, req)
    (proposed,) = deps.publisher.events("round.proposed")
    assert [o.student_ref for o in proposed.payload.outcomes] == ["stu-1"]
    assert proposed.event_id == derived_event_id("rnd-1", "proposed", 1)
    assert proposed.occurred_at == stored.frozen_at and proposed.payload.manifest == stored.manifest
    assert deps.store.get_round("rnd-1").proposal_published
    feed(deps, req)
    assert len(deps.publisher.events("round.proposed")) == 1


def test_the_parts_built_again_from_the_store_are_byte_identical(deps):
    from stagepool_shared import registry

    req = request()
    feed(deps, *(event("wish.submitted", wish(f"stu-{i}", support=i == 2)) for i in range(5)),
         event("place.posted", place("plc-1", 3)), req)
    first = [registry.encode(e) for e in deps.publisher.events("round.proposed")]
    record = deps.store.get_round("rnd-1")
    again = proposal_events(req, record, deps.store.outcomes("rnd-1"), deps.per_part)
    assert [registry.encode(e) for e in again] == first and len(first) == 3


def test_a_round_whose_proposal_is_not_out_yet_is_not_released(deps):
    req = stored_while_kafka_is_down(deps)
    at = deps.clock.now
    feed(deps, event("round.release_scheduled", rounds.RoundReleaseScheduled(
        "rnd-1", REGION, iso(at), iso(at + timedelta(days=7)), "usr-coord")))
    assert release_due_rounds(deps) == [] and deps.publisher.events("round.released") == []
    feed(deps, req)  # the request's redelivery publishes the proposal ...
    assert release_due_rounds(deps) == ["rnd-1"]  # ... and then the release follows it
    kinds = [e.event_type for e in deps.publisher.events()]
    assert kinds.index("round.released") > kinds.index("round.proposed")


def test_the_garbage_collector_is_paused_during_a_round_and_back_on_after_it(deps, monkeypatch):
    import gc

    seen = []
    original = deps.solver.solve
    monkeypatch.setattr(deps.solver, "solve", lambda pool, seed: seen.append(gc.isenabled()) or original(pool, seed))
    feed(deps, event("wish.submitted", wish("stu-1")), event("place.posted", place("plc-1")), request())
    assert seen == [False] and gc.isenabled()


def test_refused_and_replacement_requested_places_are_never_offered_again(deps):
    feed(deps, event("wish.submitted", wish("stu-1")), event("place.posted", place("plc-1")),
         event("place.posted", place("plc-2")), event("place.posted", place("plc-3", org="org-x")), request())
    (proposed,) = deps.publisher.events("round.proposed")
    assert proposed.payload.outcomes[0].place_id == "plc-1"
    ref = dict(round_id="rnd-1", region_id=REGION, student_ref="stu-1", school_id="sch-a")
    feed(deps, event("placement.refused", placements.PlacementRefused(**ref, place_id="plc-1",
                                                                      organisation_id="org-plc-1",
                                                                      reason_code="travel")),
         event("placement.replacement_requested", placements.ReplacementRequested(
             "req-1", REGION, PERIOD, "stu-1", "sch-a", "desk_report", ["org-plc-2"], [])),
         request("rnd-2", "rematch"))
    second = deps.publisher.events("round.proposed")[-1]
    assert second.payload.outcomes[0].place_id == "plc-3"


def test_an_accepted_placement_is_kept_in_a_rematch(deps):
    feed(deps, event("wish.submitted", wish("stu-1")), event("wish.submitted", wish("stu-2")),
         event("place.posted", place("plc-1")), request())
    ref = dict(round_id="rnd-1", region_id=REGION, student_ref="stu-1", school_id="sch-a")
    feed(deps, event("placement.accepted", placements.PlacementAccepted(**ref, place_id="plc-1",
                                                                       organisation_id="org-plc-1")),
         event("place.posted", place("plc-9")), request("rnd-2", "rematch"))
    outcomes = {o.student_ref: o for o in deps.publisher.events("round.proposed")[-1].payload.outcomes}
    assert outcomes["stu-1"].status == "kept" and outcomes["stu-2"].place_id == "plc-9"


def test_a_withdrawn_place_leaves_the_pool(deps):
    feed(deps, event("place.posted", place("plc-1")),
         event("place.withdrawn", PlaceWithdrawn("plc-1", "org-plc-1", REGION, PERIOD)))
    assert deps.store.load_pool(REGION, PERIOD, None).places == ()


def test_erasure_drops_the_pseudonym_from_projections_and_stored_proposals(deps):
    feed(deps, event("wish.submitted", wish("stu-1")), event("wish.submitted", wish("stu-2")),
         event("place.posted", place("plc-1")), request(),
         event("student.erased", students.StudentErased("stu-1", "sch-a", REGION)))
    assert [w.student_ref for w in deps.store.load_pool(REGION, PERIOD, None).wishes] == ["stu-2"]
    assert [o.student_ref for o in deps.store.outcomes("rnd-1")] == ["stu-2"]


def test_a_scheduled_round_is_released_at_its_moment_with_deterministic_ids(deps):
    feed(deps, event("wish.submitted", wish("stu-1")), event("place.posted", place("plc-1")), request())
    at = deps.clock.now + timedelta(hours=1)
    feed(deps, event("round.release_scheduled", rounds.RoundReleaseScheduled(
        "rnd-1", REGION, iso(at), iso(at + timedelta(days=7)), "usr-coord")))
    assert release_due_rounds(deps) == [] and deps.publisher.events("round.released") == []
    deps.clock.now = at
    assert release_due_rounds(deps) == ["rnd-1"]
    (released,) = deps.publisher.events("round.released")
    assert released.event_id == derived_event_id("rnd-1", "released", 1)
    assert released.payload.released_at == iso(at) and deps.store.get_round("rnd-1").status == "released"
    assert release_due_rounds(deps) == []


def test_a_placement_event_for_an_unknown_round_and_place_is_invalid(deps):
    from stagepool_shared.errors import InvalidEvent
    ref = dict(round_id="rnd-x", region_id=REGION, student_ref="stu-1", school_id="sch-a")
    with pytest.raises(InvalidEvent):
        feed(deps, event("placement.accepted", placements.PlacementAccepted(**ref, place_id="plc-x",
                                                                           organisation_id="org-x")))


def test_an_inconsistent_pool_gives_a_failed_round_naming_the_record_and_no_proposal(deps):
    from matcher.errors import InconsistentInstance

    class Refusing(GreedySolver):
        def solve(self, pool, seed):
            raise InconsistentInstance("place", "plc-1", "negative slots")

    deps.solver = Refusing()
    feed(deps, event("wish.submitted", wish("stu-1")), request())
    record = deps.store.get_round("rnd-1")
    assert record.status == "failed" and "plc-1" in record.failure
    assert deps.publisher.events("round.proposed") == []


def test_an_empty_pool_gives_a_proposal_with_one_empty_part(deps):
    feed(deps, request())
    (proposed,) = deps.publisher.events("round.proposed")
    assert proposed.payload.parts == 1 and proposed.payload.outcomes == [] and proposed.payload.summary.students == 0


def scheduled_now(wiring):
    """A proposed round whose release moment is now."""
    deps = wiring.deps
    feed(deps, event("wish.submitted", wish("stu-1")), event("place.posted", place("plc-1")), request())
    at = deps.clock.now
    feed(deps, event("round.release_scheduled", rounds.RoundReleaseScheduled(
        "rnd-1", REGION, iso(at), iso(at + timedelta(days=7)), "usr-coord")))
    return deps


def test_the_release_scheduler_survives_kafka_being_away_and_releases_on_the_next_pass():
    from stagepool_shared.runtime import RETRYABLE

    wiring = matcher_wiring()
    deps = scheduled_now(wiring)
    scheduler = next(w for w in wiring.workers() if w.name == "release-scheduler")
    deps.publisher.go_down()
    with pytest.raises(RETRYABLE):  # the runtime's worker loop logs it and tries again after a pause
        scheduler.step()
    assert deps.store.get_round("rnd-1").status == "proposed"
    deps.publisher.fail_with = None
    assert scheduler.step() == 1 and deps.store.get_round("rnd-1").status == "released"


def test_the_release_worker_keeps_running_while_kafka_is_away_and_releases_when_it_is_back():
    import threading

    from stagepool_shared.runtime import run_worker
    from stagepool_shared.testing.waiting import wait_until

    wiring = matcher_wiring()
    deps = scheduled_now(wiring)
    attempts = []
    publish_all = deps.publisher.publish_all
    deps.publisher.publish_all = lambda envelopes, topic=None: attempts.append(1) or publish_all(envelopes, topic)
    deps.publisher.go_down()
    stop, crashed = threading.Event(), threading.Event()
    thread = threading.Thread(target=run_worker, args=(wiring.workers()[0], stop, crashed), daemon=True)
    thread.start()
    try:
        wait_until(lambda: attempts, 10, message="the worker never tried to publish")
        deps.publisher.fail_with = None
        wait_until(lambda: deps.store.get_round("rnd-1").status == "released", 10, message="never released")
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not crashed.is_set() and len(deps.publisher.events("round.released")) == 1


def test_a_solver_result_that_fails_the_round_check_gives_a_failed_round_not_a_dead_letter(deps):
    class Forgetful(GreedySolver):
        """Returns no outcome for the last student: the round's own check refuses that result."""

        def solve(self, pool, seed):
            solved = super().solve(pool, seed)
            return replace(solved, outcomes=solved.outcomes[:-1])

    deps.solver = Forgetful()
    feed(deps, event("wish.submitted", wish("stu-1")), event("wish.submitted", wish("stu-2")),
         event("place.posted", place("plc-1")), request())
    record = deps.store.get_round("rnd-1")
    assert record.status == "failed" and "one outcome per student" in record.failure
    assert deps.publisher.events("round.proposed") == []
