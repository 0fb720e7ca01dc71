"""The kennismakingsgesprek is not a selection (issue 20.2): the organisation proposes a moment, the student
confirms, a teacher may accompany; a rejection needs an R106 reason code and then opens a task for the school's
contact, shows the student the desk route, marks the student for re-placement and counts as a signal."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from reporting import handlers
from reporting.commands import aftercare, aftercare_intro
from reporting.domain.aftercare import Pok
from reporting.errors import InvalidInput, NotFound
from stagepool_shared.envelope import new_envelope
from stagepool_shared.testing.samples import sample_payload
from tests.fakes import FakeAccounts
from tests.fakes.reporting import (MARCH_1, ORG_PRINCIPAL, PERIOD, REGION, SCHOOL_PRINCIPAL, STUDENT,
                                   STUDENT_PRINCIPAL, FakeAftercareStore, RecordingProjections, bootstrap_with_doubles)

BEFORE = MARCH_1 - timedelta(days=1)


@pytest.fixture
def setup(publisher, clock, views):
    store = FakeAftercareStore()
    wiring = bootstrap_with_doubles(publisher=publisher, clock=clock, aftercare=store, views=views)
    return SimpleNamespace(deps=wiring.deps, store=store, publisher=publisher, wiring=wiring)


def _after_the_proposal(publisher):
    """What was published besides the kennismaking's proposal (`introduction.proposed`)."""
    return [e for e in publisher.events() if e.event_type != "introduction.proposed"]


def held_yesterday(deps):
    aftercare_intro.propose_introduction(deps, ORG_PRINCIPAL, PERIOD, STUDENT, BEFORE)
    aftercare_intro.confirm_introduction(deps, STUDENT_PRINCIPAL, PERIOD, STUDENT)


def test_the_organisation_proposes_and_the_student_confirms(setup):
    proposed = aftercare_intro.propose_introduction(setup.deps, ORG_PRINCIPAL, PERIOD, STUDENT,
                                                    datetime(2027, 3, 8, 10, 0, tzinfo=UTC))
    assert (proposed.status, proposed.moment) == ("proposed", "2027-03-08T10:00:00+00:00")
    with pytest.raises(NotFound):
        aftercare_intro.confirm_introduction(setup.deps, ORG_PRINCIPAL, PERIOD, STUDENT)
    confirmed = aftercare_intro.confirm_introduction(setup.deps, STUDENT_PRINCIPAL, PERIOD, STUDENT)
    assert confirmed.status == "confirmed"
    marked = aftercare_intro.mark_accompanied(setup.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, True)
    [announced] = setup.publisher.events()  # the proposal only: confirming and accompanying publish nothing
    assert (announced.event_type, announced.payload.student_ref, announced.payload.moment) == (
        "introduction.proposed", STUDENT, "2027-03-08T10:00:00+00:00")
    assert marked.accompanied is True


def test_a_moved_moment_is_a_new_proposal_and_the_same_one_again_is_not(setup):
    for day in (8, 8, 9):
        aftercare_intro.propose_introduction(setup.deps, ORG_PRINCIPAL, PERIOD, STUDENT,
                                             datetime(2027, 3, day, 10, 0, tzinfo=UTC))
    ids = [e.payload.introduction_id for e in setup.publisher.events("introduction.proposed")]
    assert ids[0] == ids[1] != ids[2]  # the notifier e-mails once per id: a retry is not a second e-mail


def test_a_rejection_without_a_reason_code_is_a_field_error_and_changes_nothing(setup):
    held_yesterday(setup.deps)
    with pytest.raises(InvalidInput) as err:
        aftercare_intro.record_outcome(setup.deps, ORG_PRINCIPAL, PERIOD, STUDENT, "rejected", None)
    assert err.value.fields == {"reason_code": ["rejection_reason_required"]}
    assert _after_the_proposal(setup.publisher) == [] and setup.store.tasks_ == {}
    assert setup.store.introduction(REGION, PERIOD, STUDENT).status == "confirmed"


def test_an_outcome_before_the_moment_is_a_field_error(setup):
    aftercare_intro.propose_introduction(setup.deps, ORG_PRINCIPAL, PERIOD, STUDENT, MARCH_1 + timedelta(days=3))
    aftercare_intro.confirm_introduction(setup.deps, STUDENT_PRINCIPAL, PERIOD, STUDENT)
    with pytest.raises(InvalidInput) as err:
        aftercare_intro.record_outcome(setup.deps, ORG_PRINCIPAL, PERIOD, STUDENT, "continue", None)
    assert err.value.fields == {"moment": ["introduction_in_future"]}


def test_a_rejection_marks_re_placement_opens_a_task_and_counts_as_a_signal(setup):
    held_yesterday(setup.deps)
    aftercare.set_school_contact(setup.deps, SCHOOL_PRINCIPAL, "org-umcg", "Karin Bos", "k.bos@alfa.nl")
    aftercare_intro.mark_accompanied(setup.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, True)
    rejected = aftercare_intro.record_outcome(setup.deps, ORG_PRINCIPAL, PERIOD, STUDENT, "rejected", "team_fit")
    assert (rejected.status, rejected.reason_code) == ("rejected", "team_fit")
    failed, marker = _after_the_proposal(setup.publisher)
    assert (failed.event_type, failed.payload.after_introduction) == ("placement.failed", True)
    assert (marker.event_type, marker.payload.reason_code, marker.payload.subjective,
            marker.payload.accompanied) == ("introduction.rejected", "team_fit", True, True)
    [(task, contact)] = aftercare_intro.list_tasks(setup.deps, SCHOOL_PRINCIPAL)
    assert (task.kind, task.organisation_id, task.status, contact.name) == ("call_organisation", "org-umcg", "open",
                                                                            "Karin Bos")
    projections = RecordingProjections()
    handlers.handle(failed, bootstrap_with_doubles(projections=projections).deps)
    assert projections.calls[0][1][7] == ("org-umcg", "rejected_after_introduction")
    done = aftercare_intro.complete_task(setup.deps, SCHOOL_PRINCIPAL, task.task_id)
    assert done.status == "done"
    with pytest.raises(NotFound):
        aftercare_intro.list_tasks(setup.deps, ORG_PRINCIPAL)


def token(setup, principal):
    issued = setup.wiring.tokens.issue(principal.user_id, principal.role, principal.scope, region_id=REGION)
    return {"Authorization": f"Bearer {issued}"}


def test_the_api_shows_the_student_the_desk_route_after_a_rejection(setup):
    client = setup.wiring.app().test_client()
    url = f"/api/v1/aftercare/introductions/{STUDENT}"
    org, student = token(setup, ORG_PRINCIPAL), token(setup, STUDENT_PRINCIPAL)
    assert client.post(url, headers=org, json={"period_id": PERIOD, "moment": "2027-02-28T10:00:00+01:00"}
                       ).status_code == 201
    assert client.post(url + "/confirm", headers=student, json={"period_id": PERIOD}).status_code == 200
    missing = client.post(url + "/outcome", headers=org, json={"period_id": PERIOD, "outcome": "rejected"})
    assert missing.status_code == 422 and "reden" in missing.get_json()["fields"]["reason_code"][0]
    assert client.post(url + "/outcome", headers=org, json={"period_id": PERIOD, "outcome": "rejected",
                                                            "reason_code": "maybe"}).status_code == 422
    done = client.post(url + "/outcome", headers=org, json={"period_id": PERIOD, "outcome": "rejected",
                                                            "reason_code": "attitude"})
    assert done.status_code == 200
    seen = client.get(url + f"?period_id={PERIOD}", headers=student).get_json()
    assert seen["status"] == "rejected" and seen["desk_route"] == "/pages/report"


def test_the_student_confirms_on_the_page_and_sees_the_desk_route_after_a_rejection(publisher, clock, views):
    store, accounts = FakeAftercareStore(), FakeAccounts()
    wiring = bootstrap_with_doubles(publisher=publisher, clock=clock, aftercare=store, views=views, accounts=accounts)
    store.save_pok(Pok("pok-1", REGION, PERIOD, STUDENT, "sch-alfa", "org-umcg", "plc-umcg-01", "rnd-1", "x"))
    aftercare_intro.propose_introduction(wiring.deps, ORG_PRINCIPAL, PERIOD, STUDENT, BEFORE)
    client = wiring.app().test_client()
    session = accounts.start_session(STUDENT_PRINCIPAL)
    client.set_cookie("sp_session", session.session_id)
    page = f"/pages/aftercare/{PERIOD}/{STUDENT}"
    assert "Ik kom op dit moment" in client.get(page).get_data(as_text=True)
    answer = client.post(page + "/confirm", data={"csrf_token": session.csrf_token})
    assert answer.status_code == 302 and store.introduction(REGION, PERIOD, STUDENT).status == "confirmed"
    aftercare_intro.record_outcome(wiring.deps, ORG_PRINCIPAL, PERIOD, STUDENT, "rejected", "attitude")
    body = client.get(page).get_data(as_text=True)
    assert 'id="desk-route"' in body and "/pages/report" in body and "houding" in body


def test_a_rejection_is_counted_per_reason_for_the_period(setup):
    projections = RecordingProjections()
    event = new_envelope("introduction.rejected", sample_payload("introduction.rejected"), producer="test",
                         partition_key=REGION)
    handlers.handle(event, bootstrap_with_doubles(projections=projections).deps)
    [(name, args)] = projections.calls
    assert name == "count" and args[3] == {"introduction_rejections": 1, "introduction_rejections:team_fit": 1}


def test_before_the_accept_the_page_shows_the_kennismaking_without_a_pok(setup):
    accounts = FakeAccounts()
    wiring = bootstrap_with_doubles(publisher=setup.publisher, aftercare=setup.store, views=setup.wiring.deps.views,
                                    accounts=accounts)
    aftercare_intro.propose_introduction(wiring.deps, ORG_PRINCIPAL, PERIOD, STUDENT, MARCH_1 + timedelta(days=2))
    client = wiring.app().test_client()
    client.set_cookie("sp_session", accounts.start_session(STUDENT_PRINCIPAL).session_id)
    body = client.get(f"/pages/aftercare/{PERIOD}/{STUDENT}").get_data(as_text=True)
    assert 'id="no-pok"' in body and "Ik kom op dit moment" in body


def test_a_student_placed_anew_gets_a_kennismaking_at_the_new_organisation(setup, views):
    """After a rejection the fast track places the student elsewhere: the new organisation proposes a moment of
    its own (the rejected one closed only the old placement's kennismaking); the old one can no longer act."""
    from dataclasses import replace

    from stagepool_shared.auth import Principal

    held_yesterday(setup.deps)
    aftercare_intro.record_outcome(setup.deps, ORG_PRINCIPAL, PERIOD, STUDENT, "rejected", "team_fit")
    key = (REGION, PERIOD, STUDENT)
    views.placements[key] = replace(views.placements[key], organisation_id="org-mmc", place_id="plc-mmc-01",
                                    round_id="ftr-1", status="accepted")
    new_org = Principal("usr-mmc", "organisation_staff", "org-mmc", REGION)
    proposed = aftercare_intro.propose_introduction(setup.deps, new_org, PERIOD, STUDENT, MARCH_1 + timedelta(days=2))
    assert (proposed.status, proposed.organisation_id, proposed.place_id) == ("proposed", "org-mmc", "plc-mmc-01")
    assert aftercare_intro.confirm_introduction(setup.deps, STUDENT_PRINCIPAL, PERIOD, STUDENT).status == "confirmed"
    with pytest.raises(NotFound):
        aftercare_intro.propose_introduction(setup.deps, ORG_PRINCIPAL, PERIOD, STUDENT, MARCH_1)
    assert [t.organisation_id for t in setup.store.tasks_.values()] == ["org-umcg"]
