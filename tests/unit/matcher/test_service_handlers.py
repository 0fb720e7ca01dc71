"""The matcher's event handlers on the in-memory store with a FakePublisher and a tiny test solver."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from stagepool_shared.events import placements, rounds, students, wishes
from stagepool_shared.events.places import PlaceWithdrawn
from stagepool_shared.testing import FakePublisher

from matcher import handlers
from matcher.adapters.store import InMemoryRoundStore
from matcher.rounds import output_hash
from test_service_fakes import PERIOD, REGION, GreedySolver, event, place, wish


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2027, 1, 10, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def svc() -> handlers.Services:
    return handlers.Services(InMemoryRoundStore(), FakePublisher(), GreedySolver(), "test", Clock(), per_part=2)


def feed(svc, *envelopes):
    for env in envelopes:
        handlers.handle(env, svc)


def request(round_id="rnd-1", kind="initial", seed=7):
    return event("round.requested", rounds.RoundRequested(round_id, REGION, PERIOD, seed, "usr-coord", kind))


def test_wishes_and_places_become_the_pool_and_a_withdrawn_wish_leaves_it(svc):
    feed(svc, event("wish.submitted", wish("stu-1")), event("wish.submitted", wish("stu-2")),
         event("place.posted", place("plc-1")),
         event("wish.withdrawn", wishes.WishWithdrawn("stu-2", "sch-a", REGION, PERIOD)))
    pool = svc.store.load_pool(REGION, PERIOD, None)
    assert [w.student_ref for w in pool.wishes] == ["stu-1"] and [p.place_id for p in pool.places] == ["plc-1"]


def test_a_redelivered_event_changes_nothing(svc):
    submitted = event("wish.submitted", wish("stu-1"))
    feed(svc, submitted, event("wish.opted_out", wishes.WishOptedOut("stu-1", "sch-a", REGION, PERIOD)), submitted)
    assert svc.store.load_pool(REGION, PERIOD, None).wishes == ()


def test_a_round_request_publishes_the_proposal_in_parts_and_stores_it(svc):
    feed(svc, *(event("wish.submitted", wish(f"stu-{i}")) for i in range(5)), event("place.posted", place("plc-1", 3)),
         request())
    parts = svc.publisher.events("round.proposed")
    assert [p.payload.part for p in parts] == [1, 2, 3] and {p.payload.parts for p in parts} == {3}
    record = svc.store.get_round("rnd-1")
    assert record.status == "proposed" and record.summary.placed == 3 and record.summary.unplaced == 2
    assert record.manifest.output_hash == output_hash(svc.store.outcomes("rnd-1"))
    assert parts[0].payload.manifest == record.manifest


def test_a_redelivered_or_repeated_request_never_gives_a_second_proposal(svc):
    feed(svc, event("wish.submitted", wish("stu-1")), event("place.posted", place("plc-1")))
    first = request()
    feed(svc, first, first, request(seed=99))
    assert len(svc.publisher.events("round.proposed")) == 1


def stored_while_kafka_is_down(svc):
    """One student, one place, a round request handled while publishing fails; Kafka back afterwards."""
    feed(svc, event("wish.submitted", wish("stu-1")), event("place.posted", place("plc-1")))
    req = request()
    svc.publisher.go_down()
    with pytest.raises(Exception):
        feed(svc, req)
    svc.publisher.fail_with = None
    return req


def test_a_proposal_stored_but_not_published_goes_out_from_the_store_on_redelivery_never_recomputed(svc):
    req = stored_while_kafka_is_down(svc)
    stored = svc.store.get_round("rnd-1")
    assert stored.status == "proposed" and not stored.proposal_published  # the outbox holds it
    feed(svc, event("wish.submitted", wish("stu-late")))  # arrives while the matcher is down
    svc.solver = None  # a redelivery must not compute again: the stored proposal is published as it is
    feed(svc, req)
    (proposed,) = svc.publisher.events("round.proposed")
    assert [o.student_ref for o in proposed.payload.outcomes] == ["stu-1"]
    assert proposed.event_id == handlers.derived_event_id("rnd-1", "proposed", 1)
    assert proposed.occurred_at == stored.frozen_at and proposed.payload.manifest == stored.manifest
    assert svc.store.get_round("rnd-1").proposal_published
    feed(svc, req)
    assert len(svc.publisher.events("round.proposed")) == 1


def test_the_parts_built_again_from_the_store_are_byte_identical(svc):
    from stagepool_shared import registry

    req = request()
    feed(svc, *(event("wish.submitted", wish(f"stu-{i}", support=i == 2)) for i in range(5)),
         event("place.posted", place("plc-1", 3)), req)
    first = [registry.encode(e) for e in svc.publisher.events("round.proposed")]
    record = svc.store.get_round("rnd-1")
    again = handlers.proposal_events(req, record, svc.store.outcomes("rnd-1"), svc.per_part)
    assert [registry.encode(e) for e in again] == first and len(first) == 3


def test_a_round_whose_proposal_is_not_out_yet_is_not_released(svc):
    req = stored_while_kafka_is_down(svc)
    at = svc.clock.now
    feed(svc, event("round.release_scheduled", rounds.RoundReleaseScheduled(
        "rnd-1", REGION, handlers.iso(at), handlers.iso(at + timedelta(days=7)), "usr-coord")))
    assert handlers.release_due_rounds(svc) == [] and svc.publisher.events("round.released") == []
    feed(svc, req)  # the request's redelivery publishes the proposal ...
    assert handlers.release_due_rounds(svc) == ["rnd-1"]  # ... and then the release follows it
    kinds = [e.event_type for e in svc.publisher.events()]
    assert kinds.index("round.released") > kinds.index("round.proposed")


def test_the_garbage_collector_is_paused_during_a_round_and_back_on_after_it(svc, monkeypatch):
    import gc

    seen = []
    original = svc.solver.solve
    monkeypatch.setattr(svc.solver, "solve", lambda pool, seed: seen.append(gc.isenabled()) or original(pool, seed))
    feed(svc, event("wish.submitted", wish("stu-1")), event("place.posted", place("plc-1")), request())
    assert seen == [False] and gc.isenabled()


def test_refused_and_replacement_requested_places_are_never_offered_again(svc):
    feed(svc, event("wish.submitted", wish("stu-1")), event("place.posted", place("plc-1")),
         event("place.posted", place("plc-2")), event("place.posted", place("plc-3", org="org-x")), request())
    (proposed,) = svc.publisher.events("round.proposed")
    assert proposed.payload.outcomes[0].place_id == "plc-1"
    ref = dict(round_id="rnd-1", region_id=REGION, student_ref="stu-1", school_id="sch-a")
    feed(svc, event("placement.refused", placements.PlacementRefused(**ref, place_id="plc-1",
                                                                     organisation_id="org-plc-1", reason_code="travel")),
         event("placement.replacement_requested", placements.ReplacementRequested(
             "req-1", REGION, PERIOD, "stu-1", "sch-a", "desk_report", ["org-plc-2"], [])),
         request("rnd-2", "rematch"))
    second = svc.publisher.events("round.proposed")[-1]
    assert second.payload.outcomes[0].place_id == "plc-3"


def test_an_accepted_placement_is_kept_in_a_rematch(svc):
    feed(svc, event("wish.submitted", wish("stu-1")), event("wish.submitted", wish("stu-2")),
         event("place.posted", place("plc-1")), request())
    ref = dict(round_id="rnd-1", region_id=REGION, student_ref="stu-1", school_id="sch-a")
    feed(svc, event("placement.accepted", placements.PlacementAccepted(**ref, place_id="plc-1",
                                                                       organisation_id="org-plc-1")),
         event("place.posted", place("plc-9")), request("rnd-2", "rematch"))
    outcomes = {o.student_ref: o for o in svc.publisher.events("round.proposed")[-1].payload.outcomes}
    assert outcomes["stu-1"].status == "kept" and outcomes["stu-2"].place_id == "plc-9"


def test_a_withdrawn_place_leaves_the_pool(svc):
    feed(svc, event("place.posted", place("plc-1")),
         event("place.withdrawn", PlaceWithdrawn("plc-1", "org-plc-1", REGION, PERIOD)))
    assert svc.store.load_pool(REGION, PERIOD, None).places == ()


def test_erasure_drops_the_pseudonym_from_projections_and_stored_proposals(svc):
    feed(svc, event("wish.submitted", wish("stu-1")), event("wish.submitted", wish("stu-2")),
         event("place.posted", place("plc-1")), request(),
         event("student.erased", students.StudentErased("stu-1", "sch-a", REGION)))
    assert [w.student_ref for w in svc.store.load_pool(REGION, PERIOD, None).wishes] == ["stu-2"]
    assert [o.student_ref for o in svc.store.outcomes("rnd-1")] == ["stu-2"]


def test_a_scheduled_round_is_released_at_its_moment_with_deterministic_ids(svc):
    feed(svc, event("wish.submitted", wish("stu-1")), event("place.posted", place("plc-1")), request())
    at = svc.clock.now + timedelta(hours=1)
    feed(svc, event("round.release_scheduled", rounds.RoundReleaseScheduled(
        "rnd-1", REGION, handlers.iso(at), handlers.iso(at + timedelta(days=7)), "usr-coord")))
    assert handlers.release_due_rounds(svc) == [] and svc.publisher.events("round.released") == []
    svc.clock.now = at
    assert handlers.release_due_rounds(svc) == ["rnd-1"]
    (released,) = svc.publisher.events("round.released")
    assert released.event_id == handlers.derived_event_id("rnd-1", "released", 1)
    assert released.payload.released_at == handlers.iso(at) and svc.store.get_round("rnd-1").status == "released"
    assert handlers.release_due_rounds(svc) == []


def test_a_placement_event_for_an_unknown_round_and_place_is_invalid(svc):
    from stagepool_shared.errors import InvalidEvent
    ref = dict(round_id="rnd-x", region_id=REGION, student_ref="stu-1", school_id="sch-a")
    with pytest.raises(InvalidEvent):
        feed(svc, event("placement.accepted", placements.PlacementAccepted(**ref, place_id="plc-x",
                                                                           organisation_id="org-x")))


def test_an_inconsistent_pool_gives_a_failed_round_naming_the_record_and_no_proposal(svc):
    from matcher.errors import InconsistentInstance

    class Refusing(GreedySolver):
        def solve(self, pool, seed):
            raise InconsistentInstance("place", "plc-1", "negative slots")

    svc.solver = Refusing()
    feed(svc, event("wish.submitted", wish("stu-1")), request())
    record = svc.store.get_round("rnd-1")
    assert record.status == "failed" and "plc-1" in record.failure
    assert svc.publisher.events("round.proposed") == []


def test_an_empty_pool_gives_a_proposal_with_one_empty_part(svc):
    feed(svc, request())
    (proposed,) = svc.publisher.events("round.proposed")
    assert proposed.payload.parts == 1 and proposed.payload.outcomes == [] and proposed.payload.summary.students == 0


def test_the_release_scheduler_survives_kafka_being_away_and_releases_on_the_next_pass(svc):
    import threading

    from matcher.entrypoints.scheduler import ReleaseScheduler

    feed(svc, event("wish.submitted", wish("stu-1")), event("place.posted", place("plc-1")), request())
    at = svc.clock.now
    feed(svc, event("round.release_scheduled", rounds.RoundReleaseScheduled(
        "rnd-1", REGION, handlers.iso(at), handlers.iso(at + timedelta(days=7)), "usr-coord")))
    scheduler = ReleaseScheduler(svc, threading.Event(), poll_s=0.01)
    svc.publisher.go_down()
    assert scheduler.tick() == [] and svc.store.get_round("rnd-1").status == "proposed"
    svc.publisher.fail_with = None
    assert scheduler.tick() == ["rnd-1"]
