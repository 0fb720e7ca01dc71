"""Objections (issue 14.7): a reviewer objects to one of their school's matches with a required reason; the
pair is excluded for every later round of the period (a re-solve keeps it), the school's approvals of the
round are withdrawn, and the coordinator sees it in the round's audit trail (page and API). The free-text
explanation is never published or stored."""

from __future__ import annotations

import re

import pytest
from stagepool_shared.auth import Principal

from matcher import commands, handlers
from tests.fakes.matcher import PERIOD, REGION, matcher_wiring, wish

from tests.unit.matcher.test_review_by_name import COORD, STAFF_A, named_place, proposed_round, signed_in, visible

STAFF_A2 = Principal("usr-a2", "school_staff", "sch-a", REGION)
STAFF_B = Principal("usr-b", "school_staff", "sch-b", REGION)
NOTE = "CANARY-note: Anna's vader belde"
PLACES = [named_place("plc-1", "Zorggroep Noord", "Zorgweg 2, Assen", 2),
          named_place("plc-2", "Thuiszorg West", "Westerkade 9, Groningen", 2)]


class Tokens:
    """API tokens that are the names of the people below."""

    PEOPLE = {"staff": STAFF_A, "coord": COORD}

    def lookup(self, token):
        return self.PEOPLE.get(token or "")


@pytest.fixture
def tokens():
    return Tokens()


@pytest.fixture
def wiring(accounts, tokens):
    return matcher_wiring(accounts=accounts, tokens=tokens)


def placed_at(deps, round_id, ref):
    return next(o.place_id for o in deps.store.outcomes(round_id) if o.student_ref == ref)


def object_on_page(wiring, accounts, principal, round_id, **fields):
    client = signed_in(wiring, accounts, principal)
    return client.post(f"/pages/review/{round_id}/objections", data={"csrf_token": client.csrf, **fields})


def test_an_objection_excludes_the_pair_withdraws_the_school_s_approvals_and_publishes_no_free_text(
        wiring, accounts):
    deps = wiring.deps
    round_id = proposed_round(deps, places=PLACES)
    place_id = placed_at(deps, round_id, "stu-1")
    for who in (STAFF_A, STAFF_B):
        commands.approve_round(deps, who, round_id)
    answer = object_on_page(wiring, accounts, STAFF_A2, round_id, student_ref="stu-1", reason_code="travel",
                            note=NOTE)
    assert answer.status_code == 302
    [objected] = deps.publisher.events("round.objected")
    assert (objected.payload.student_ref, objected.payload.place_id, objected.payload.reason_code) == \
        ("stu-1", place_id, "travel")
    record = deps.store.get_round(round_id)
    assert commands.approval_of(record).approvers == ("usr-b",)  # sch-a's approval withdrawn, sch-b's kept
    assert [e.kind for e in record.audit] == ["approved", "approved", "objected", "approvals_withdrawn"]
    assert deps.store.load_pool(REGION, PERIOD, None).exclusions["stu-1"].place_ids == (place_id,)
    everything = repr([e.payload for e in deps.publisher.events()]) + repr(deps.store.rounds) + \
        repr(deps.store.by_period)
    assert "CANARY-note" not in everything
    page = signed_in(wiring, accounts, STAFF_A).get(f"/pages/review?round={round_id}&objected=1")
    assert "bezwaar gemaakt" in page.get_data(as_text=True)


def test_a_re_solve_keeps_the_objection_out(wiring, accounts):
    deps = wiring.deps
    round_id = proposed_round(deps, places=PLACES)
    place_id = placed_at(deps, round_id, "stu-1")
    commands.object_to_match(deps, STAFF_A, round_id, "stu-1", "earlier_experience")
    again = commands.request_round(deps, COORD, REGION, PERIOD, "initial", seed=7)
    handlers.handle(deps.publisher.events("round.requested")[-1], deps)
    assert placed_at(deps, again, "stu-1") != place_id


def test_a_missing_reason_is_a_field_error_and_nothing_is_published(wiring, accounts):
    round_id = proposed_round(wiring.deps, places=PLACES)
    answer = object_on_page(wiring, accounts, STAFF_A, round_id, student_ref="stu-1", note="x")
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'aria-invalid="true"' in body and "Dit veld is verplicht." in body
    other = object_on_page(wiring, accounts, STAFF_A, round_id, student_ref="stu-1", reason_code="other")
    assert other.status_code == 422 and "Licht het bezwaar toe" in other.get_data(as_text=True)
    assert wiring.deps.publisher.events("round.objected") == []


def test_another_school_s_student_is_not_found(wiring, accounts):
    round_id = proposed_round(wiring.deps, places=PLACES)
    answer = object_on_page(wiring, accounts, STAFF_A, round_id, student_ref="stu-2", reason_code="travel")
    assert answer.status_code == 404 and wiring.deps.publisher.events("round.objected") == []


def test_the_api_takes_objections_with_field_errors_403_and_404_and_shows_the_audit_trail(wiring):
    round_id = proposed_round(wiring.deps, places=PLACES)
    client = wiring.app().test_client()
    staff, coord = {"Authorization": "Bearer staff"}, {"Authorization": "Bearer coord"}
    url = f"/api/v1/rounds/{round_id}/objections"
    missing = client.post(url, json={"student_ref": "stu-1"}, headers=staff)
    assert missing.status_code == 422 and "reason_code" in missing.get_json()["fields"]
    assert client.post(url, json={"student_ref": "stu-1", "reason_code": "travel"}, headers=coord).status_code == 403
    assert client.post(url, json={"student_ref": "stu-2", "reason_code": "travel"}, headers=staff).status_code == 404
    made = client.post(url, json={"student_ref": "stu-1", "reason_code": "support", "note": NOTE}, headers=staff)
    assert made.status_code == 201 and "note" not in made.get_json()
    again = client.post(url, json={"student_ref": "stu-1", "reason_code": "support"}, headers=staff)
    assert again.status_code == 409
    body = client.get(f"/api/v1/rounds/{round_id}", headers=coord).get_json()
    assert [e["kind"] for e in body["audit"]] == ["objected"]
    assert body["objections"][0]["reason_code"] == "support" and NOTE not in repr(body)


def test_the_coordinator_sees_objections_and_approvals_in_the_round_s_audit_trail(wiring, accounts):
    deps = wiring.deps
    round_id = proposed_round(deps, places=PLACES)
    commands.approve_round(deps, STAFF_A, round_id)
    commands.object_to_match(deps, STAFF_A2, round_id, "stu-1", "travel")
    page = signed_in(wiring, accounts, COORD).get(f"/pages/coordinator/rounds/{round_id}").get_data(as_text=True)
    trail = page.split('id="audit-trail"')[1].split("</ol>")[0]
    assert "usr-a (medewerker, sch-a) keurde het voorstel goed" in trail
    assert "maakte bezwaar" in trail and "Reistijd of bereikbaarheid past niet" in trail
    assert "Zorggroep Noord" in trail or "Thuiszorg West" in trail
    assert "ingetrokken" in trail and re.search(r"\d\d-\d\d-\d{4} \d\d:\d\d CES?T", trail)  # Amsterdam time, zone named
    assert 'id="objections"' in page and "stu-1" not in visible(trail)


def test_an_objection_event_replayed_from_the_log_excludes_the_pair_once(wiring):
    deps = wiring.deps
    round_id = proposed_round(deps, places=PLACES)
    commands.object_to_match(deps, STAFF_A, round_id, "stu-1", "travel")
    [objected] = deps.publisher.events("round.objected")
    handlers.handle(objected, deps)  # the consumer's later delivery of the command's own event: a no-op
    assert len(deps.store.get_round(round_id).objections) == 1
    assert len([e for e in deps.store.get_round(round_id).audit if e.kind == "objected"]) == 1


def test_a_replay_of_the_re_solve_folds_the_objection_and_gives_the_same_round():
    from stagepool_shared.events import rounds

    from matcher.replay import replay_round
    from tests.fakes.matcher import GreedySolver, event

    deps = matcher_wiring().deps
    log = [event("wish.submitted", wish("stu-1", "sch-a")), event("wish.submitted", wish("stu-3", "sch-a"))] + [
        event("place.posted", p) for p in PLACES] + [
        event("round.requested", rounds.RoundRequested("rnd-1", REGION, PERIOD, 5, "usr-coord"))]
    for env in log:
        handlers.handle(env, deps)
    commands.object_to_match(deps, STAFF_A, "rnd-1", "stu-1", "travel")
    again = event("round.requested", rounds.RoundRequested("rnd-2", REGION, PERIOD, 5, "usr-coord"))
    handlers.handle(again, deps)
    log += deps.publisher.events("round.proposed") + deps.publisher.events("round.objected") + [again]
    result = replay_round(log, "rnd-2", GreedySolver(), "test")
    assert result.same_input and result.same_output
    without = [e for e in log if e.event_type != "round.objected"]
    assert not replay_round(without, "rnd-2", GreedySolver(), "test").same_input


def test_an_erased_student_s_objection_stays_in_the_trail_without_the_pseudonym(wiring):
    from stagepool_shared.events.students import StudentErased

    from tests.fakes.matcher import event

    deps = wiring.deps
    round_id = proposed_round(deps, places=PLACES)
    commands.object_to_match(deps, STAFF_A, round_id, "stu-1", "travel")
    handlers.handle(event("student.erased", StudentErased("stu-1", "sch-a", REGION)), deps)
    record = deps.store.get_round(round_id)
    assert record.objections == () and [e.kind for e in record.audit] == ["objected"]
    assert "stu-1" not in repr(record.audit)
