"""Variant 2's rounds in the service (issue 15.3): a candidates round offers each variant-2 student k certified
candidates and publishes one `candidates.offered` per student (never a proposal); the final round finishes it
with the students' choices (their current wish's top places among the candidates): a collision is decided by
the rule and the loser gets another candidate, a student who did not choose keeps the pick, the number placed
and the school rates stay those of the candidates round, and each explanation says what happened. Replay
reproduces both rounds from the log; a period without variant 2 hashes exactly as before.
Built through bootstrap with the in-memory store, a FakePublisher and the production solver."""

from __future__ import annotations

from dataclasses import replace

import pytest
from stagepool_shared.auth import Principal
from stagepool_shared.events.variants import VariantSet

from matcher import commands, handlers
from matcher.adapters.ortools_solver import OrToolsRoundSolver
from matcher.entrypoints.page_variants import choice_text
from matcher.errors import RoundConflict
from matcher.replay import replay_round
from tests.fakes.matcher import PERIOD, REGION, event, matcher_wiring, place, wish

COORD = Principal("usr-coord", "regional_coordinator", REGION, REGION)
STUDENTS = ("stu-0", "stu-1", "stu-2")


def open_place(place_id: str):
    """One slot every test student fits (no irregular shifts)."""
    return replace(place(place_id, 1), irregular_shifts=False, reserved=[])


def history(variant: int | None = 2) -> list:
    """Three sch-a students and three places each of them fits; sch-a's programme uses `variant` (k = 3)."""
    log = [event("wish.submitted", replace(wish(ref), top_places=[])) for ref in STUDENTS]
    log += [event("place.posted", open_place(f"plc-{i}")) for i in range(3)]
    if variant is not None:
        log.append(event("variant.set", VariantSet(REGION, "sch-a", wish("x").crebo, PERIOD, variant, 3)))
    return log


@pytest.fixture
def deps():
    return matcher_wiring(solver=OrToolsRoundSolver()).deps


def run(deps, log) -> None:
    for env in log:
        handlers.handle(env, deps)


def request(deps, kind: str, previous: str | None = None) -> str:
    round_id = commands.request_round(deps, COORD, REGION, PERIOD, kind, seed=11, previous_round_id=previous)
    handlers.handle(deps.publisher.events("round.requested")[-1], deps)
    return round_id


def choose(deps, ref: str, *place_ids: str) -> None:
    """What intake publishes when a student chooses: wish.updated with the choice as the top places and as the
    candidate choice."""
    handlers.handle(event("wish.updated", chosen_wish(ref, *place_ids)), deps)


def chosen_wish(ref: str, *place_ids: str):
    return replace(wish(ref), top_places=list(place_ids), candidate_choice=list(place_ids))


def test_a_candidates_round_offers_every_variant_2_student_k_candidates_and_proposes_nothing(deps):
    run(deps, history())
    round_id = request(deps, "candidates")
    record = deps.store.get_round(round_id)
    assert record.status == "offered" and record.proposal_published
    offers = deps.store.offers(round_id)
    picks = {o.student_ref: o.place_id for o in deps.store.outcomes(round_id)}
    assert set(offers) == set(STUDENTS)
    assert all(ids[0] == picks[ref] and sorted(ids) == ["plc-0", "plc-1", "plc-2"] for ref, ids in offers.items())
    published = deps.publisher.events("candidates.offered")
    assert [(e.payload.student_ref, tuple(e.payload.place_ids), e.payload.school_id, e.payload.round_id)
            for e in published] == [(ref, offers[ref], "sch-a", round_id) for ref in STUDENTS]
    assert deps.publisher.events("round.proposed") == []
    handlers.handle(deps.publisher.events("round.requested")[-1], deps)  # redelivered: nothing again
    assert len(deps.publisher.events("candidates.offered")) == 3


def test_the_final_round_grants_a_choice_decides_a_collision_and_keeps_the_pick_of_who_did_not_choose(deps):
    run(deps, history())
    candidates = request(deps, "candidates")
    picks = {o.student_ref: o.place_id for o in deps.store.outcomes(candidates)}
    wanted = picks["stu-1"]  # stu-0 and stu-1 both want stu-1's pick; stu-2 does not choose
    choose(deps, "stu-0", wanted)
    choose(deps, "stu-1", wanted)
    final = request(deps, "final", candidates)
    record = deps.store.get_round(final)
    assert record.status == "proposed", record.failure
    assert record.request.seed == deps.store.get_round(candidates).request.seed
    outcomes = {o.student_ref: o for o in deps.store.outcomes(final)}
    codes = sorted(outcomes[ref].choice for ref in ("stu-0", "stu-1"))
    assert codes == ["CHOICE_GRANTED", "CHOICE_OTHER_CANDIDATE"]
    assert outcomes["stu-2"].choice == "NO_CHOICE_KEPT_PICK" and outcomes["stu-2"].place_id == picks["stu-2"]
    winner = next(o for o in outcomes.values() if o.choice == "CHOICE_GRANTED")
    assert winner.place_id == wanted and winner.wish_match == "top1"
    before, after = deps.store.get_round(candidates).summary, record.summary
    assert (after.placed, after.school_rates) == (before.placed, before.school_rates)
    assert {e.payload.round_id for e in deps.publisher.events("round.proposed")} == {final}
    loser = next(o for o in outcomes.values() if o.choice == "CHOICE_OTHER_CANDIDATE")
    assert "Je krijgt een andere plaats uit je kandidaten" in choice_text(loser)
    assert choice_text(winner, "en") == "You get the place you chose."
    assert "keep the place the matcher picked" in choice_text(outcomes["stu-2"], "en")


def test_a_top_3_naming_an_offered_place_is_no_choice_and_the_student_keeps_the_pick(deps):
    """Only the student's own choice counts (intake sets candidate_choice then): a top 3 made or changed
    without choosing, though it names an offered place, leaves the matcher's pick."""
    run(deps, history())
    candidates = request(deps, "candidates")
    picks = {o.student_ref: o.place_id for o in deps.store.outcomes(candidates)}
    ref, offered = next((r, ids) for r, ids in sorted(deps.store.offers(candidates).items()) if len(ids) > 1)
    other = next(p for p in offered if p != picks[ref])
    handlers.handle(event("wish.updated", replace(wish(ref), top_places=[other])), deps)
    outcome = {o.student_ref: o for o in deps.store.outcomes(request(deps, "final", candidates))}[ref]
    assert (outcome.choice, outcome.place_id) == ("NO_CHOICE_KEPT_PICK", picks[ref])


def test_a_final_round_names_a_computed_candidates_round_of_its_period(deps):
    run(deps, history())
    initial = request(deps, "initial")
    with pytest.raises(RoundConflict) as refused:
        commands.request_round(deps, COORD, REGION, PERIOD, "final", previous_round_id=initial)
    assert "previous_round_id" in refused.value.details
    with pytest.raises(RoundConflict):
        commands.request_round(deps, COORD, REGION, PERIOD, "final")


def test_replay_reproduces_the_candidates_round_and_the_final_round_from_the_log(deps):
    log = history()
    run(deps, log)
    candidates = request(deps, "candidates")
    picks = {o.student_ref: o.place_id for o in deps.store.outcomes(candidates)}
    choose(deps, "stu-0", picks["stu-1"])
    final = request(deps, "final", candidates)
    requested, offered = deps.publisher.events("round.requested"), deps.publisher.events("candidates.offered")
    chosen = event("wish.updated", chosen_wish("stu-0", picks["stu-1"]))
    full = log + [requested[0], *offered, chosen, requested[1], *deps.publisher.events("round.proposed")]
    for round_id in (candidates, final):
        result = replay_round(full, round_id, OrToolsRoundSolver(), "test")
        assert result.same_output, round_id
    assert replay_round(full, final, OrToolsRoundSolver(), "test").same_input
    other = [e for e in full if not (e.event_type == "wish.updated")]
    assert not replay_round(other, final, OrToolsRoundSolver(), "test").same_output  # the choice counts


def test_a_period_without_variant_2_computes_its_rounds_exactly_as_before(deps):
    run(deps, history(variant=None))
    plain = deps.store.get_round(request(deps, "initial")).manifest
    again = matcher_wiring(solver=OrToolsRoundSolver()).deps
    run(again, history(variant=3))
    with_setting = again.store.get_round(request(again, "initial")).manifest
    assert (plain.input_hash, plain.output_hash) == (with_setting.input_hash, with_setting.output_hash)
    assert again.publisher.events("candidates.offered") == []
    nobody = deps.store.get_round(request(deps, "candidates"))
    assert nobody.status == "offered" and deps.store.offers(nobody.round_id) == {}


def test_the_coordinator_requests_both_kinds_on_the_page_and_the_round_pages_show_the_offers(accounts):
    from tests.unit.matcher.test_pages_matcher import signed_in, start_round

    wiring = matcher_wiring(solver=OrToolsRoundSolver(), accounts=accounts)
    deps, app = wiring.deps, wiring.app()
    run(deps, history())
    client = signed_in(app, accounts, "coord")
    candidates = start_round(deps, client, kind="candidates")
    body = client.get(f"/pages/coordinator/rounds/{candidates}?lang=en").get_data(as_text=True)
    assert 'id="offers"' in body and "candidates offered" in body
    assert all(f"<td>{ref}</td>" in body for ref in STUDENTS)
    refused = client.post("/pages/coordinator/rounds", data={"csrf_token": client.csrf, "period_id": PERIOD,
                                                             "kind": "final"})
    assert refused.status_code == 422 and "Kies de kandidatenronde van deze periode" in refused.get_data(as_text=True)
    picks = {ref: ids[0] for ref, ids in deps.store.offers(candidates).items()}
    choose(deps, "stu-1", picks["stu-2"])  # a swap: both can be granted; stu-0 does not choose
    choose(deps, "stu-2", picks["stu-1"])
    final = start_round(deps, client, kind="final", previous_round_id=candidates)
    body = client.get(f"/pages/coordinator/rounds/{final}?lang=en").get_data(as_text=True)
    assert "You get the place you chose." in body and "keep the place the matcher picked" in body
    assert "final round" in body


def test_the_api_refuses_a_final_round_without_its_candidates_round_as_a_field_error():
    class Tokens:
        def lookup(self, token):
            return COORD if token == "coord" else None

    wiring = matcher_wiring(tokens=Tokens())
    answer = wiring.app().test_client().post(
        "/api/v1/rounds", json={"region_id": REGION, "period_id": PERIOD, "kind": "final"},
        headers={"Authorization": "Bearer coord"})
    assert answer.status_code == 422 and "previous_round_id" in answer.get_data(as_text=True)
    assert wiring.deps.publisher.events() == []


def test_erasure_drops_the_student_from_a_candidates_round_s_offers(deps):
    from stagepool_shared.events.students import StudentErased

    run(deps, history())
    candidates = request(deps, "candidates")
    handlers.handle(event("student.erased", StudentErased("stu-0", "sch-a", REGION)), deps)
    assert set(deps.store.offers(candidates)) == {"stu-1", "stu-2"}


def test_an_outcome_without_a_choice_hashes_as_before_the_field_existed_and_a_choice_changes_the_hash():
    from stagepool_shared.testing.samples import sample_payload

    from matcher.rounds.manifest import output_hash

    outcomes = sample_payload("round.proposed").outcomes
    assert output_hash(outcomes) == "1c642d16909926a2c257e827f02fbb804235233c9ee34ce2c8cdf8b8401ae362"  # pinned
    assert output_hash([replace(outcomes[0], choice="CHOICE_GRANTED"), outcomes[1]]) != output_hash(outcomes)


def test_the_review_row_words_what_became_of_a_choice_and_says_nothing_without_one():
    from stagepool_shared.events.rounds import Outcome

    from matcher.entrypoints.review_rows import row

    granted = Outcome("stu-1", "sch-a", "placed", "plc-1", "org-1", "top2", choice="CHOICE_GRANTED")
    assert row(granted, None, None, "en")["choice"] == ("You get your choice number 2; the rule gave your earlier "
                                                       "choices to others.")
    assert row(replace(granted, choice=None), None, None, "nl")["choice"] == ""
