"""The re-placement fast track (issue 20.3, R114): a fast-track round re-places one or a few students from free
capacity only, never moves a binding placement, is certified like a round, holds only its own students (so only
their school approves it) and is released as soon as that school approved it. Built through bootstrap with the
in-memory store, a FakePublisher, a Clock, and the greedy test solver or the production solver."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from stagepool_shared.auth import Principal
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events import placements, rounds
from stagepool_shared.events.rounds import Outcome
from stagepool_shared.testing.samples import sample_payload

from matcher import commands, handlers
from matcher.errors import FastTrackInvalid, RoundConflict, RoundError, RoundNotFound
from matcher.jobs import release_due_rounds, request_queued_fast_tracks
from matcher.ports import Deps
from matcher.replacement import request_fast_track
from matcher.rounds.fast_track import check_free_capacity, fast_track_pool
from matcher.rounds.moments import iso
from tests.fakes.matcher import PERIOD, REGION, GreedySolver, event, matcher_wiring, place, wish

T0 = datetime.fromisoformat("2027-01-10T09:00:00+00:00")
COORDINATOR = Principal("usr-coord", "regional_coordinator", REGION, REGION)
STAFF_A = [Principal(f"usr-a{i}", "school_staff", "sch-a", REGION) for i in (1, 2)]
STAFF_B = Principal("usr-b1", "school_staff", "sch-b", REGION)
CAUSE = placements.REPLACEMENT_CAUSES[0]


@pytest.fixture(params=["greedy", "ortools"])
def deps(request) -> Deps:
    deps = matcher_wiring().deps
    if request.param == "ortools":
        from matcher.adapters.ortools_solver import OrToolsRoundSolver
        deps.solver = OrToolsRoundSolver()
    deps.clock.now = T0
    return deps


FED: list = []  # every event the tests feed, in order (the replay test reads it as the log)


def feed(deps: Deps, *envelopes) -> None:
    for env in envelopes:
        FED.append(env)
        handlers.handle(env, deps)


def released(deps: Deps, students: int, places: int) -> dict[str, Outcome]:
    """An initial round over one-slot places, released at T0 + 1h (answer by T0 + 7 days), read back."""
    feed(deps, *(event("wish.submitted", wish(f"stu-{i}", "sch-a" if i % 2 else "sch-b"))
                 for i in range(1, students + 1)),
         *(event("place.posted", replace(place(f"plc-{i}"), irregular_shifts=False)) for i in range(1, places + 1)),
         new_envelope("round.requested", rounds.RoundRequested("rnd-1", REGION, PERIOD, 7, "usr-coord"),
                      producer="test", partition_key=REGION, occurred_at=iso(T0)))
    feed(deps, event("round.release_scheduled", rounds.RoundReleaseScheduled(
        "rnd-1", REGION, iso(T0 + timedelta(hours=1)), iso(T0 + timedelta(days=7)), "usr-coord")))
    deps.clock.now = T0 + timedelta(hours=1)
    assert release_due_rounds(deps) == ["rnd-1"]
    feed(deps, *deps.publisher.events("round.released"))
    return {o.student_ref: o for o in deps.store.outcomes("rnd-1")}


def refuse(deps: Deps, first: dict[str, Outcome], ref: str) -> None:
    o = first[ref]
    feed(deps, event("placement.refused", placements.PlacementRefused(
        "rnd-1", REGION, ref, o.school_id, o.place_id, o.organisation_id, reason_code="travel")))


def fast_track(deps: Deps, principal: Principal, *refs: str) -> str:
    """Request a fast track and let the consumer compute it (the published request, read back)."""
    deps.clock.now = deps.clock.now + timedelta(days=1)
    round_id = request_fast_track(deps, principal, REGION, PERIOD, list(refs))
    feed(deps, deps.publisher.events("round.requested")[-1])
    return round_id


def late_students(deps: Deps, n: int) -> None:
    """Students waiting for the next full round, whose pseudonyms sort first (the greedy solver serves
    them first); the fast track must leave them out."""
    feed(deps, *(event("wish.submitted", wish(f"aaa-late-{i}")) for i in range(n)))


def test_a_refusing_student_gets_a_free_place_and_nothing_binding_moves(deps):
    first = released(deps, students=4, places=5)  # one place free, and the refused one (never for stu-3)
    refuse(deps, first, "stu-3")
    late_students(deps, 2)  # they wait for the next full round: the free place is not theirs to take now
    round_id = fast_track(deps, COORDINATOR, "stu-3")
    record = deps.store.get_round(round_id)
    assert record.status == "proposed" and record.request.kind == "fast_track"
    (outcome,) = deps.store.outcomes(round_id)
    held = {o.place_id for ref, o in first.items() if ref != "stu-3"}
    assert outcome.student_ref == "stu-3" and outcome.status == "placed"
    assert outcome.place_id not in held and outcome.place_id != first["stu-3"].place_id  # free, never the refused
    assert {outcome.place_id} == {f"plc-{i}" for i in range(1, 6)} - held - {first["stu-3"].place_id}
    assert record.schools == ("sch-a",)
    assert {ref: f.place_id for ref, f in deps.store.load_pool(REGION, PERIOD, None).fixed.items()} == {
        ref: o.place_id for ref, o in first.items() if ref != "stu-3"}
    (proposed,) = [e for e in deps.publisher.events("round.proposed") if e.payload.round_id == round_id]
    assert proposed.payload.kind == "fast_track" and [o.student_ref for o in proposed.payload.outcomes] == ["stu-3"]


def test_without_free_capacity_the_student_stays_unplaced_and_no_one_is_displaced(deps):
    first = released(deps, students=4, places=4)
    refuse(deps, first, "stu-1")  # the refused place is never offered to stu-1 again; every other slot binds
    round_id = fast_track(deps, COORDINATOR, "stu-1")
    (outcome,) = deps.store.outcomes(round_id)
    assert outcome.status == "unplaced"
    assert deps.store.get_round(round_id).summary.placed == 0


def test_the_fast_track_is_certified_like_a_round(deps):
    first = released(deps, students=4, places=7)
    refuse(deps, first, "stu-1")
    refuse(deps, first, "stu-3")
    round_id = fast_track(deps, COORDINATOR, "stu-1", "stu-3")
    summary = deps.store.get_round(round_id).summary
    assert summary.students == 2 and summary.placed == 2
    if deps.solver.name != GreedySolver.name:  # the production solver's validator certified the most placed
        assert summary.max_placeable == 2


def test_a_binding_placement_without_a_wish_still_takes_its_slot():
    pool = matcher_wiring().deps.store.load_pool(REGION, PERIOD, None)
    from matcher.rounds.pool import KeptPlacement
    pool = replace(pool, wishes=(wish("stu-9"),), places=(place("plc-1", slots=2), place("plc-2")),
                   fixed={"stu-1": KeptPlacement("stu-1", "sch-a", "plc-1", "org-plc-1", "rnd-1")})
    narrowed = fast_track_pool(pool, ["stu-9"], None)
    assert {p.place_id: p.slots for p in narrowed.places} == {"plc-1": 1, "plc-2": 1}
    assert [w.student_ref for w in narrowed.wishes] == ["stu-9"] and narrowed.fixed == {}


def test_a_result_beyond_the_free_capacity_is_refused():
    from matcher.rounds.pool import KeptPlacement
    pool = matcher_wiring().deps.store.load_pool(REGION, PERIOD, None)
    pool = replace(pool, wishes=(wish("stu-1"), wish("stu-9")), places=(place("plc-1"),),
                   fixed={"stu-1": KeptPlacement("stu-1", "sch-a", "plc-1", "org-plc-1", "rnd-1")})
    with pytest.raises(RoundError, match="free capacity of plc-1"):
        check_free_capacity(pool, [Outcome("stu-9", "sch-a", "placed", "plc-1", "org-plc-1")], None)
    check_free_capacity(pool, [Outcome("stu-9", "sch-a", "unplaced")], None)


def test_a_solver_that_displaces_a_binding_placement_fails_the_fast_track():
    class IgnoresBinding(GreedySolver):
        def solve(self, pool, seed):
            return super().solve(replace(pool, fixed={}, wishes=tuple(sorted(
                pool.wishes, key=lambda w: w.student_ref != "stu-3"))), seed)

    deps = matcher_wiring().deps
    deps.clock.now = T0
    first = released(deps, students=4, places=4)
    refuse(deps, first, "stu-3")
    deps.solver = IgnoresBinding()  # stu-3 first, as if nothing bound: it takes stu-1's place
    round_id = fast_track(deps, COORDINATOR, "stu-3")
    record = deps.store.get_round(round_id)
    assert record.status == "failed" and "binding placement" in record.failure
    assert deps.store.outcomes(round_id) == []


def test_the_school_approves_and_the_release_follows_at_once(deps):
    first = released(deps, students=4, places=6)
    refuse(deps, first, "stu-3")
    round_id = fast_track(deps, STAFF_A[0], "stu-3")
    with pytest.raises(RoundNotFound):  # another school's staff have nothing to approve
        commands.approve_round(deps, STAFF_B, round_id)
    commands.approve_round(deps, STAFF_A[0], round_id)
    assert deps.store.get_round(round_id).release is None
    state = commands.approve_round(deps, STAFF_A[1], round_id)
    assert state.complete and deps.store.get_round(round_id).release is not None
    assert release_due_rounds(deps) == [round_id]
    (part,) = [e for e in deps.publisher.events("round.released") if e.payload.round_id == round_id]
    assert [o.student_ref for o in part.payload.outcomes] == ["stu-3"]
    feed(deps, part)
    assert deps.store.load_pool(REGION, PERIOD, None).fixed["stu-3"].round_id == round_id


def test_the_request_names_only_seeking_students_of_the_callers_own_school(deps):
    released(deps, students=4, places=6)
    with pytest.raises(FastTrackInvalid) as err:
        request_fast_track(deps, STAFF_A[0], REGION, PERIOD, ["stu-2"])  # a student of sch-b
    assert "student_refs" in err.value.fields
    with pytest.raises(FastTrackInvalid):
        request_fast_track(deps, COORDINATOR, REGION, PERIOD, ["stu-404"])
    request_fast_track(deps, COORDINATOR, REGION, PERIOD, ["stu-2"])
    with pytest.raises(RoundConflict):
        request_fast_track(deps, STAFF_B, REGION, PERIOD, ["stu-2"])


def queued(deps: Deps) -> list[tuple[str, str, list[str]]]:
    return deps.store.queued_fast_tracks(float("inf"))


def test_a_refusal_a_failure_and_a_desk_request_queue_the_student_and_the_worker_asks_for_the_fast_track(deps):
    first = released(deps, students=4, places=7)
    refuse(deps, first, "stu-1")
    o = first["stu-2"]
    feed(deps, event("placement.failed", placements.PlacementFailed(  # rejected after the kennismaking
        "rnd-1", REGION, "stu-2", o.school_id, o.place_id, o.organisation_id, reason_code="rejected_after_introduction",
        after_introduction=True)))
    feed(deps, event("placement.replacement_requested", placements.ReplacementRequested(  # the desk asks
        "req-1", REGION, PERIOD, "stu-3", "sch-a", CAUSE, [], [first["stu-3"].place_id])))
    assert queued(deps) == [(REGION, PERIOD, ["stu-1", "stu-2", "stu-3"])]
    deps.clock.now = deps.clock.now + timedelta(days=1)
    assert request_queued_fast_tracks(deps) == 1
    assert queued(deps) == [] and request_queued_fast_tracks(deps) == 0
    requested = deps.publisher.events("round.requested")[-1]
    assert requested.payload.kind == "fast_track" and requested.payload.student_refs == ["stu-1", "stu-2", "stu-3"]
    feed(deps, requested)
    outcomes = {o.student_ref: o for o in deps.store.outcomes(requested.payload.round_id)}
    assert set(outcomes) == {"stu-1", "stu-2", "stu-3"}
    assert all(o.status == "placed" and o.place_id != first[ref].place_id for ref, o in outcomes.items())


def test_students_whose_binding_place_is_withdrawn_are_queued(deps):
    from stagepool_shared.events.places import PlaceWithdrawn

    first = released(deps, students=2, places=3)
    place_id = first["stu-1"].place_id
    feed(deps, new_envelope("place.withdrawn", PlaceWithdrawn(place_id, f"org-{place_id}", REGION, PERIOD),
                            producer="test", partition_key=REGION, occurred_at=iso(T0 + timedelta(days=1))))
    assert queued(deps) == [(REGION, PERIOD, ["stu-1"])]


def test_a_queued_student_who_seeks_no_more_is_dropped_without_a_round(deps):
    first = released(deps, students=2, places=3)
    refuse(deps, first, "stu-1")
    feed(deps, event("wish.withdrawn", replace(sample_payload("wish.withdrawn"), region_id=REGION,
                                               period_id=PERIOD, student_ref="stu-1")))
    deps.clock.now = deps.clock.now + timedelta(days=1)
    requests = len(deps.publisher.events("round.requested"))
    assert request_queued_fast_tracks(deps) == 0 and queued(deps) == []
    assert len(deps.publisher.events("round.requested")) == requests


def test_a_student_who_refused_for_a_place_of_their_own_is_not_queued(deps):
    first = released(deps, students=2, places=3)
    o = first["stu-1"]
    feed(deps, event("placement.refused", placements.PlacementRefused(
        "rnd-1", REGION, "stu-1", o.school_id, o.place_id, o.organisation_id, reason_code="own_place_found")))
    assert queued(deps) == []


def test_the_coordinator_s_pages_name_the_fast_track_in_words_and_the_school_reviews_it():
    from tests.fakes import FakeAccounts

    accounts = FakeAccounts()
    wiring = matcher_wiring(accounts=accounts)
    deps = wiring.deps
    deps.clock.now = T0
    refuse(deps, released(deps, students=4, places=5), "stu-3")
    round_id = fast_track(deps, COORDINATOR, "stu-3")
    pages = {}
    for who, path in ((COORDINATOR, f"/pages/coordinator/rounds/{round_id}"), (COORDINATOR, "/pages/coordinator"),
                      (STAFF_A[0], "/pages/review")):
        client = wiring.app().test_client()
        client.set_cookie("sp_session", accounts.start_session(who).session_id)
        answer = client.get(path)
        assert answer.status_code == 200, path
        pages[path] = answer.get_data(as_text=True)
    assert "snelle herplaatsing" in pages[f"/pages/coordinator/rounds/{round_id}"]
    assert "snelle herplaatsing" in pages["/pages/coordinator"]
    assert round_id in pages["/pages/review"]


def test_the_api_asks_a_fast_track_and_answers_bad_requests_at_their_field_in_dutch_and_english():
    class Tokens:
        def lookup(self, token):
            return {"coord": COORDINATOR, "staff-a": STAFF_A[0], "org": Principal("u", "organisation_staff", "org-1",
                                                                                  REGION)}.get(token)

    wiring = matcher_wiring(tokens=Tokens())
    deps = wiring.deps
    deps.clock.now = T0
    refuse(deps, released(deps, students=4, places=5), "stu-3")
    client = wiring.app().test_client()
    url, body = "/api/v1/rounds/fast-track", {"region_id": REGION, "period_id": PERIOD, "student_refs": ["stu-3"]}
    published = len(deps.publisher.events("round.requested"))
    for who, changed, status, field in (("staff-a", {"student_refs": []}, 422, "student_refs"),
                                        ("staff-a", {"student_refs": ["stu-2"]}, 422, "student_refs"),  # sch-b's
                                        ("staff-a", {"surprise": 1}, 422, "surprise"),
                                        ("org", {}, 403, None), ("coord", {"region_id": "reg-other"}, 404, None)):
        answer = client.post(url, json={**body, **changed}, headers={"Authorization": f"Bearer {who}"})
        assert answer.status_code == status, (who, changed, answer.get_json())
        if field:
            assert field in answer.get_json()["fields"]
    answer = client.post(url + "?lang=nl", json={**body, "student_refs": ["stu-404"]},
                         headers={"Authorization": "Bearer coord"})
    assert answer.get_json()["fields"]["student_refs"] == ["Zoekt geen plaats in deze periode: stu-404."]
    assert len(deps.publisher.events("round.requested")) == published  # nothing was asked
    answer = client.post(url, json=body, headers={"Authorization": "Bearer staff-a"})
    assert answer.status_code == 202 and answer.get_json()["round_id"].startswith("ftr-")
    again = client.post(url + "?lang=en", json=body, headers={"Authorization": "Bearer coord"})
    assert again.status_code == 409 and "stu-3" in again.get_json()["message"]


def test_a_fast_track_replays_to_the_same_hashes():
    from matcher.replay import replay_round

    deps = matcher_wiring().deps
    deps.clock.now = T0
    FED.clear()
    refuse(deps, released(deps, students=4, places=5), "stu-3")
    round_id = fast_track(deps, COORDINATOR, "stu-3")
    log = FED + [e for e in deps.publisher.events("round.proposed") if e.payload.round_id == round_id]
    result = replay_round(log, round_id, GreedySolver(), "test")
    assert result.published is not None and result.same_input and result.same_output
