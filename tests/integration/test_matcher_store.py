"""The matcher's Redis store on a real redis-server: idempotent writes, frozen inputs, erasure, releases."""

from __future__ import annotations

import uuid
from dataclasses import replace

import pytest
import redis
from stagepool_shared.events.rounds import Manifest, Outcome, RoundReleaseScheduled, RoundRequested
from stagepool_shared.events.variants import VariantSet
from stagepool_shared.testing.samples import sample_payload

from matcher.adapters.redis_store import RedisRoundStore
from matcher.rounds.approval import ApprovalVote
from matcher.rounds.compute import RoundResult
from matcher.rounds.pool import KeptPlacement, StudentExclusions
from matcher.rounds.stale import Stale
from matcher.rounds.summary import summarise

pytestmark = pytest.mark.integration


@pytest.fixture
def store(redis_url):
    client = redis.Redis.from_url(redis_url)
    yield RedisRoundStore(client)
    client.close()


@pytest.fixture
def region():
    return f"reg-st-{uuid.uuid4().hex[:8]}"


def eid():
    return str(uuid.uuid4())


def wish(ref, region):
    return replace(sample_payload("wish.submitted"), student_ref=ref, region_id=region)


def place(pid, region):
    return replace(sample_payload("place.posted"), place_id=pid, region_id=region)


def test_each_event_is_applied_once_and_the_pool_round_trips(store, region):
    first = eid()
    assert store.put_wish(first, wish("stu-1", region)) and not store.put_wish(first, wish("stu-1", region))
    store.put_place(eid(), place("plc-1", region))
    store.exclude(eid(), region, "2027-p1", "stu-1", StudentExclusions(("plc-9",)), unfix=True)
    store.exclude(eid(), region, "2027-p1", "stu-1", StudentExclusions((), ("org-9",)), unfix=True)
    pool = store.load_pool(region, "2027-p1", None)
    assert pool.wishes == (wish("stu-1", region),) and pool.places == (place("plc-1", region),)
    assert pool.exclusions["stu-1"] == StudentExclusions(("plc-9",), ("org-9",))
    assert store.period_of_place(region, "plc-1") == "2027-p1"
    assert store.places_present(region, "2027-p1", ["plc-1", "plc-2", "plc-1"]) == {"plc-1"}
    store.remove_place(eid(), region, "2027-p1", "plc-1", withdrawn_at="2027-01-20T09:00:00Z")
    assert store.places_present(region, "2027-p1", ["plc-1"]) == set()
    assert store.places_present(region, "2027-p1", []) == set()


def test_a_frozen_input_never_changes_and_erasure_reaches_proposals(store, region):
    store.put_wish(eid(), wish("stu-1", region))
    store.put_wish(eid(), wish("stu-2", region))
    store.fix_placement(eid(), region, "2027-p1", KeptPlacement("stu-2", "sch-a", "plc-1", "org-1", "rnd-0"))
    request = RoundRequested(f"rnd-{region}", region, "2027-p1", 1, "usr-coord")
    store.note_requested(request, "2027-01-10T09:00:00.000Z")
    frozen, at = store.freeze_pool(request.round_id, "2027-01-10T09:00:00.000Z")
    store.put_wish(eid(), wish("stu-3", region))
    again, at_again = store.freeze_pool(request.round_id, "2027-01-11T09:00:00.000Z")
    assert again == frozen and at_again == at and len(frozen.wishes) == 2 and "stu-2" in frozen.fixed
    outcomes = (Outcome("stu-1", "sch-a", "unplaced", reason_code="NO_ELIGIBLE_PLACE"),
                Outcome("stu-2", "sch-a", "kept", "plc-1", "org-1"))
    result = RoundResult(outcomes, summarise(outcomes), Manifest("a" * 64, 1, "s", "1", "c", "b" * 64),
                         ("sch-a",), ())
    assert store.save_proposal(eid(), request.round_id, result, at)
    store.erase_student(eid(), region, "stu-1")
    assert [o.student_ref for o in store.outcomes(request.round_id)] == ["stu-2"]
    assert {w.student_ref for w in store.load_pool(region, "2027-p1", None).wishes} == {"stu-2", "stu-3"}
    assert [w.student_ref for w in store.freeze_pool(request.round_id, at)[0].wishes] == ["stu-2"]
    record = store.get_round(request.round_id)
    assert record.status == "proposed" and record.summary == result.summary and record.manifest == result.manifest
    assert not record.proposal_published
    store.mark_proposal_published(request.round_id)
    assert store.get_round(request.round_id).proposal_published
    assert store.periods(region) == ["2027-p1"] and store.periods(region + "-other") == []


def test_approvals_count_users_once_and_releases_come_due(store, region):
    request = RoundRequested(f"rnd-{region}", region, "2027-p1", 1, "usr-coord")
    store.note_requested(request, "2027-01-10T09:00:00.000Z")
    store.add_approval(eid(), request.round_id, ApprovalVote("usr-1", "school_staff", "sch-a"))
    store.add_approval(eid(), request.round_id, ApprovalVote("usr-1", "school_staff", "sch-a"))
    assert len(store.get_round(request.round_id).approvals) == 1
    release = RoundReleaseScheduled(request.round_id, region, "2027-01-15T09:00:00Z", "2027-01-22T09:00:00Z", "usr-c")
    store.schedule_release(eid(), release, 1000.0)
    assert request.round_id not in store.due_releases(999.0) and request.round_id in store.due_releases(1000.0)
    store.mark_released(request.round_id, release.release_at)
    assert request.round_id not in store.due_releases(2000.0)
    assert store.get_round(request.round_id).status == "released"


def test_a_held_release_leaves_the_schedule_with_its_reason_and_a_new_schedule_clears_it(store, region):
    request = RoundRequested(f"rnd-held-{region}", region, "2027-p1", 1, "usr-coord")
    store.note_requested(request, "2027-01-10T09:00:00.000Z")
    release = RoundReleaseScheduled(request.round_id, region, "2027-01-15T09:00:00Z", "2027-01-22T09:00:00Z", "usr-c")
    store.schedule_release(eid(), release, 1000.0)
    assert request.round_id in store.scheduled_releases()
    assert store.hold_release(request.round_id, Stale(("plc-1",), ("stu-2",))) is True
    assert request.round_id not in store.scheduled_releases() and request.round_id not in store.due_releases(2000.0)
    assert store.get_round(request.round_id).held == Stale(("plc-1",), ("stu-2",))
    store.schedule_release(eid(), release, 1000.0)
    assert store.get_round(request.round_id).held is None and request.round_id in store.scheduled_releases()
    store.mark_released(request.round_id, release.release_at)
    assert store.hold_release(request.round_id, Stale(("plc-1",))) is False  # released: too late to hold
    assert store.get_round(request.round_id).held is None


def test_released_placements_bind_an_accepted_one_stays_and_a_withdrawal_marks_the_binding_ones(store, region):
    period = "2027-p1"
    store.put_place(eid(), place("plc-1", region))
    store.fix_placement(eid(), region, period, KeptPlacement("stu-1", "sch-a", "plc-1", "org-1", "rnd-1"))
    released = [KeptPlacement("stu-1", "sch-a", "plc-1", "org-1", "rnd-1", "2027-01-17T09:00:00.000Z"),
                KeptPlacement("stu-2", "sch-a", "plc-1", "org-1", "rnd-1", "2027-01-17T09:00:00.000Z"),
                KeptPlacement("stu-3", "sch-a", "plc-2", "org-2", "rnd-1", "2027-01-17T09:00:00.000Z")]
    first = eid()
    at = "2027-01-10T10:00:00.000Z"
    assert store.bind_released(first, region, period, released, at)
    assert not store.bind_released(first, region, period, [], at)
    fixed = store.load_pool(region, period, None).fixed
    assert fixed["stu-1"].accepted and fixed["stu-2"].respond_by == "2027-01-17T09:00:00.000Z"
    assert store.remove_place(eid(), region, period, "plc-1", withdrawn_at="2027-01-12T09:00:00.000Z")
    fixed = store.load_pool(region, period, None).fixed
    assert fixed["stu-1"].withdrawn and fixed["stu-2"].withdrawn and not fixed["stu-3"].withdrawn
    assert store.load_pool(region, period, None).places == ()


def test_an_objection_excludes_the_pair_withdraws_its_school_s_approvals_and_erasure_keeps_the_trail(store, region):
    from matcher.rounds.objection import Objection

    store.put_wish(eid(), wish("stu-1", region))
    store.put_place(eid(), place("plc-1", region))
    request = RoundRequested(f"rnd-{region}", region, "2027-p1", 1, "usr-coord")
    store.note_requested(request, "2027-01-10T09:00:00.000Z")
    store.freeze_pool(request.round_id, "2027-01-10T09:00:00.000Z")
    assert list(store.round_places(request.round_id)) == ["plc-1"]
    for vote in (ApprovalVote("usr-a", "school_staff", "sch-a"), ApprovalVote("usr-b", "school_staff", "sch-b")):
        store.add_approval(eid(), request.round_id, vote, "2027-01-10T10:00:00.000Z")
    objected = eid()
    objection = Objection("stu-1", "sch-a", "plc-1", "org-1", "usr-a2", "school_staff", "travel",
                          "2027-01-10T11:00:00.000Z")
    assert store.add_objection(objected, request.round_id, "2027-p1", objection)
    assert not store.add_objection(objected, request.round_id, "2027-p1", objection)
    record = store.get_round(request.round_id)
    assert [v.user_id for v in record.approvals] == ["usr-b"] and record.objections == (objection,)
    assert [e.kind for e in record.audit] == ["approved", "approved", "objected", "approvals_withdrawn"]
    assert store.load_pool(region, "2027-p1", None).exclusions["stu-1"].place_ids == ("plc-1",)
    store.erase_student(eid(), region, "stu-1")
    record = store.get_round(request.round_id)
    assert record.objections == () and len(record.audit) == 4 and "stu-1" not in repr(record.audit)


def test_a_schools_variant_is_kept_once_per_event_and_replaced_by_a_later_one(store, region):
    """Issue 15.3: the matcher's projection of variant.set."""
    first = eid()
    assert store.put_variant(first, VariantSet(region, "sch-a", "25491", "2027-p1", 2, 4))
    assert not store.put_variant(first, VariantSet(region, "sch-a", "25491", "2027-p1", 3, 3))
    store.put_variant(eid(), VariantSet(region, "sch-b", "25491", "2027-p1", 3, 3))
    assert store.variants(region, "2027-p1") == {("sch-a", "25491"): (2, 4), ("sch-b", "25491"): (3, 3)}
    store.put_variant(eid(), VariantSet(region, "sch-a", "25491", "2027-p1", 1, 3))
    assert store.variants(region, "2027-p1")[("sch-a", "25491")] == (1, 3)
    assert store.variants(region, "2027-p2") == {} and store.periods(region) == []


def test_the_fast_track_queue_keeps_the_first_moment_once_per_event_and_empties(store, region):
    """Issue 20.3: a student is queued once per event (a redelivery changes nothing), keeps the first moment,
    is listed once that moment is old enough, and leaves the queue when unqueued."""
    first = eid()
    assert store.queue_fast_track(first, region, "2027-p1", ["stu-2", "stu-1"], 100.0)
    assert not store.queue_fast_track(first, region, "2027-p1", ["stu-9"], 100.0)  # the same event again
    assert store.queue_fast_track(eid(), region, "2027-p1", ["stu-1"], 500.0)  # keeps 100
    assert store.queue_fast_track(eid(), region, "2027-p1", ["stu-3"], 500.0)
    mine = lambda before: [q for q in store.queued_fast_tracks(before) if q[0] == region]  # noqa: E731
    assert mine(99.0) == [] and mine(100.0) == [(region, "2027-p1", ["stu-1", "stu-2"])]
    store.unqueue_fast_track(region, "2027-p1", ["stu-1", "stu-2"])
    assert mine(1000.0) == [(region, "2027-p1", ["stu-3"])]
