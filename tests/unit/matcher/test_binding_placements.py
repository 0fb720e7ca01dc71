"""A released placement is binding (issue 14, 1.1 and 1.3): a re-match keeps every released placement that is
accepted or still inside its answer window, frees the refused, failed, withdrawn and expired ones, and a
student whose released place was withdrawn is unplaced with PLACE_WITHDRAWN when not placed again.
Built through bootstrap with the in-memory store, a FakePublisher, a Clock and the greedy test solver."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest
from stagepool_shared.auth import Principal
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events import placements, rounds
from stagepool_shared.events.places import PlaceWithdrawn

from matcher import commands, handlers
from matcher.entrypoints.page_figures import REASONS, word
from matcher.jobs import release_due_rounds
from matcher.ports import Deps
from matcher.rounds.moments import iso
from tests.fakes.matcher import PERIOD, REGION, GreedySolver, event, matcher_wiring, place, wish

T0 = datetime.fromisoformat("2027-01-10T09:00:00+00:00")
COORDINATOR = Principal("usr-coord", "regional_coordinator", REGION, REGION)
RELEASE_AT, RESPOND_BY = T0 + timedelta(hours=1), T0 + timedelta(days=7)


@pytest.fixture
def deps() -> Deps:
    return matcher_wiring().deps


def feed(deps: Deps, *envelopes) -> None:
    for env in envelopes:
        handlers.handle(env, deps)


def request_at(round_id: str, moment: datetime, kind: str = "rematch"):
    """A round request made at `moment` (the round's request moment decides which placements still bind)."""
    return new_envelope("round.requested", rounds.RoundRequested(round_id, REGION, PERIOD, 7, "usr-coord", kind),
                        producer="test", partition_key=REGION, occurred_at=iso(moment))


def released_round(deps: Deps, students: int = 5, places: int = 8):
    """An initial round of `students` students over `places` one-slot places, released at RELEASE_AT with the
    answer deadline RESPOND_BY; the consumer reads the release back (as the live matcher does)."""
    feed(deps, *(event("wish.submitted", wish(f"stu-{i}")) for i in range(1, students + 1)),
         *(event("place.posted", replace(place(f"plc-{i}"), irregular_shifts=False))  # every student fits
           for i in range(1, places + 1)), request_at("rnd-1", T0, "initial"))
    feed(deps, event("round.release_scheduled", rounds.RoundReleaseScheduled(
        "rnd-1", REGION, iso(RELEASE_AT), iso(RESPOND_BY), "usr-coord")))
    deps.clock.now = RELEASE_AT
    assert release_due_rounds(deps) == ["rnd-1"]
    feed(deps, *deps.publisher.events("round.released"))
    return {o.student_ref: o for o in deps.store.outcomes("rnd-1")}


def late_students(n: int = 3):
    """Students added after the release, whose pseudonyms sort before everyone's (the greedy solver serves
    students in id order, so without binding placements they would take the released places) and who name the
    first released places as their top three (so would the production solver)."""
    return [event("wish.submitted", replace(wish(f"aaa-late-{i}"), top_places=["plc-1", "plc-2", "plc-3"]))
            for i in range(n)]


def outcomes_of(deps: Deps, round_id: str):
    return {o.student_ref: o for o in deps.store.outcomes(round_id)}


@pytest.mark.parametrize("solver", ["greedy", "ortools"])
def test_a_rematch_after_release_with_three_late_students_moves_no_released_placement(deps, solver):
    if solver == "ortools":
        from matcher.adapters.ortools_solver import OrToolsRoundSolver
        deps.solver = OrToolsRoundSolver()
    first = released_round(deps)
    feed(deps, *late_students(3), request_at("rnd-2", T0 + timedelta(days=2)))
    assert deps.store.get_round("rnd-2").status == "proposed"
    second = outcomes_of(deps, "rnd-2")
    moved = [ref for ref, o in first.items() if o.place_id and second[ref].place_id != o.place_id]
    assert moved == []
    assert all(second[ref].status == "kept" for ref, o in first.items() if o.place_id)
    assert sum(1 for o in first.values() if o.place_id) == 5
    late = {second[f"aaa-late-{i}"].place_id for i in range(3)}
    assert len(late) == 3 and not late & {o.place_id for o in first.values()}
    moved_counts = commands.compare_rounds(deps, COORDINATOR, "rnd-1", "rnd-2")["movement"]
    assert {k: moved_counts[k] for k in ("keep", "gain", "lose", "change")} == {
        "keep": 5, "gain": 3, "lose": 0, "change": 0}


def test_a_released_placement_whose_answer_deadline_passed_unanswered_is_freed(deps):
    first = released_round(deps)
    feed(deps, *late_students(1), request_at("rnd-2", RESPOND_BY + timedelta(minutes=1)))
    second = outcomes_of(deps, "rnd-2")
    assert first["stu-1"].place_id == "plc-1" and second["aaa-late-0"].place_id == "plc-1"
    assert second["stu-1"].status == "placed" and second["stu-1"].place_id != "plc-1"


def test_a_rematch_requested_exactly_at_the_deadline_no_longer_keeps_the_unanswered_placement(deps):
    released_round(deps)
    feed(deps, *late_students(1), request_at("rnd-2", RESPOND_BY))
    assert outcomes_of(deps, "rnd-2")["aaa-late-0"].place_id == "plc-1"


def test_an_accepted_placement_stays_kept_after_the_answer_deadline(deps):
    first = released_round(deps)
    ref = dict(round_id="rnd-1", region_id=REGION, student_ref="stu-1", school_id="sch-a")
    feed(deps, event("placement.accepted", placements.PlacementAccepted(**ref, place_id="plc-1",
                                                                       organisation_id=first["stu-1"].organisation_id)),
         *late_students(1), request_at("rnd-2", RESPOND_BY + timedelta(days=1)))
    second = outcomes_of(deps, "rnd-2")
    assert second["stu-1"].status == "kept" and second["stu-1"].place_id == "plc-1"
    assert second["aaa-late-0"].place_id != "plc-1"


def test_an_acceptance_read_before_its_release_stays_accepted(deps):
    feed(deps, event("wish.submitted", wish("stu-1")), event("place.posted", place("plc-1")),
         request_at("rnd-1", T0, "initial"))
    ref = dict(round_id="rnd-1", region_id=REGION, student_ref="stu-1", school_id="sch-a")
    feed(deps, event("placement.accepted", placements.PlacementAccepted(**ref, place_id="plc-1",
                                                                       organisation_id="org-plc-1")),
         event("round.released", rounds.RoundReleased("rnd-1", REGION, PERIOD, iso(RELEASE_AT), iso(RESPOND_BY), 1, 1,
                                                      deps.store.outcomes("rnd-1"))))
    (kept,) = deps.store.load_pool(REGION, PERIOD, None).fixed.values()
    assert kept.accepted and kept.place_id == "plc-1"


def test_a_placement_refused_inside_the_window_is_freed_and_never_offered_again(deps):
    first = released_round(deps, students=2, places=3)
    ref = dict(round_id="rnd-1", region_id=REGION, student_ref="stu-1", school_id="sch-a")
    feed(deps, event("placement.refused", placements.PlacementRefused(
        **ref, place_id="plc-1", organisation_id=first["stu-1"].organisation_id, reason_code="travel")),
         *late_students(1), request_at("rnd-2", T0 + timedelta(days=1)))
    second = outcomes_of(deps, "rnd-2")
    assert second["aaa-late-0"].place_id == "plc-1" and second["stu-1"].place_id == "plc-3"
    assert second["stu-2"].status == "kept"


def withdraw(place_id: str, moment: datetime):
    return new_envelope("place.withdrawn", PlaceWithdrawn(place_id, f"org-{place_id}", REGION, PERIOD),
                        producer="test", partition_key=REGION, occurred_at=iso(moment))


def test_a_student_whose_released_place_was_withdrawn_is_unplaced_with_place_withdrawn(deps):
    released_round(deps, students=2, places=2)
    feed(deps, withdraw("plc-1", T0 + timedelta(days=1)), request_at("rnd-2", T0 + timedelta(days=2)))
    second = outcomes_of(deps, "rnd-2")
    assert second["stu-1"].status == "unplaced" and second["stu-1"].reason_code == "PLACE_WITHDRAWN"
    assert second["stu-2"].status == "kept"
    assert deps.store.get_round("rnd-2").summary.unplaced_by_reason == {"PLACE_WITHDRAWN": 1}
    assert "ingetrokken" in word(REASONS, "nl", "PLACE_WITHDRAWN")
    assert "withdrawn" in word(REASONS, "en", "PLACE_WITHDRAWN")


def test_a_student_whose_released_place_was_withdrawn_is_placed_again_where_a_place_is_free(deps):
    released_round(deps, students=2, places=3)
    feed(deps, withdraw("plc-1", T0 + timedelta(days=1)), request_at("rnd-2", T0 + timedelta(days=2)))
    second = outcomes_of(deps, "rnd-2")
    assert second["stu-1"].status == "placed" and second["stu-1"].place_id == "plc-3"
    assert second["stu-1"].reason_code is None


def test_a_place_withdrawn_after_the_deadline_of_an_unanswered_placement_is_no_withdrawal_for_it(deps):
    released_round(deps, students=2, places=2)
    feed(deps, withdraw("plc-1", RESPOND_BY + timedelta(hours=1)), request_at("rnd-2", RESPOND_BY + timedelta(days=1)))
    assert outcomes_of(deps, "rnd-2")["stu-1"].reason_code != "PLACE_WITHDRAWN"


def test_a_rematch_result_that_moves_a_binding_placement_is_refused_and_never_proposed(deps):
    class IgnoresBinding(GreedySolver):
        """Solves as if nothing were kept: the late students take the released places."""

        def solve(self, pool, seed):
            return super().solve(replace(pool, fixed={}), seed)

    released_round(deps)
    deps.solver = IgnoresBinding()
    proposals = len(deps.publisher.events("round.proposed"))
    feed(deps, *late_students(3), request_at("rnd-2", T0 + timedelta(days=2)))
    record = deps.store.get_round("rnd-2")
    assert record.status == "failed" and "moves 5 binding placement(s)" in record.failure
    assert len(deps.publisher.events("round.proposed")) == proposals and deps.store.outcomes("rnd-2") == []


def release(deps: Deps, round_id: str, at: datetime, respond_by: datetime) -> None:
    """Schedule and release a proposed round, and read its release back as the consumer does."""
    feed(deps, event("round.release_scheduled", rounds.RoundReleaseScheduled(
        round_id, REGION, iso(at), iso(respond_by), "usr-coord")))
    deps.clock.now = at
    assert release_due_rounds(deps) == [round_id]
    feed(deps, *(e for e in deps.publisher.events("round.released") if e.payload.round_id == round_id))


def test_a_rematch_release_never_extends_the_answer_deadline_of_a_placement_it_kept(deps):
    released_round(deps, students=2, places=3)
    feed(deps, event("wish.submitted", wish("stu-3")), request_at("rnd-2", T0 + timedelta(days=1)))
    release(deps, "rnd-2", T0 + timedelta(days=1, hours=1), T0 + timedelta(days=30))
    fixed = deps.store.load_pool(REGION, PERIOD, None).fixed
    assert {ref: (f.round_id, f.respond_by) for ref, f in fixed.items()} == {
        "stu-1": ("rnd-1", iso(RESPOND_BY)), "stu-2": ("rnd-1", iso(RESPOND_BY)),
        "stu-3": ("rnd-2", iso(T0 + timedelta(days=30)))}
    feed(deps, *late_students(1), request_at("rnd-3", RESPOND_BY + timedelta(days=1)))
    third = outcomes_of(deps, "rnd-3")
    assert third["aaa-late-0"].place_id == "plc-1" and third["stu-3"].status == "kept"
