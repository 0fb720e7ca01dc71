"""The placement agreement (POK, issue 20.1): an accepted placement creates a draft; the school names its contact
for the organisation; the draft is filled in, sent, signed by all three parties, started and ended; field errors
change nothing; events carry ids and codes only; the page prints and the export uses the BPV field names."""

from __future__ import annotations

import re

from datetime import date
from types import SimpleNamespace

import pytest

from reporting import handlers
from reporting.commands import aftercare
from reporting.domain.aftercare_intro import Introduction, task_for
from reporting.domain.figures import PlaceFact
from reporting.errors import InvalidInput, InvalidTransition, NotFound
from stagepool_shared.auth import Principal
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.placements import PlacementAccepted, PlacementFailed
from stagepool_shared.events.students import StudentErased
from tests.fakes import FakeAccounts
from tests.fakes.reporting import (ORG_PRINCIPAL, PERIOD, REGION, SCHOOL_PRINCIPAL, STUDENT, STUDENT_PRINCIPAL,
                                   FakeAftercareStore, FakeDirectory, FakeIntakeLookups, bootstrap_with_doubles)

ACCEPTED = PlacementAccepted("rnd-1", REGION, STUDENT, "sch-alfa", "plc-umcg-01", "org-umcg")
OTHER_SCHOOL = Principal("usr-x", "school_staff", "sch-beta", REGION)


@pytest.fixture
def setup(publisher, clock):
    store, accounts = FakeAftercareStore(), FakeAccounts()
    directory = FakeDirectory({("sch-alfa", STUDENT): "Sanne de Vries"})
    wiring = bootstrap_with_doubles(publisher=publisher, clock=clock, aftercare=store, accounts=accounts,
                                    directory=directory, lookups=FakeIntakeLookups(schools={"sch-alfa": "ROC Alfa"}))
    wiring.deps.views.places[(REGION, PERIOD, "plc-umcg-01")] = PlaceFact(
        "plc-umcg-01", "org-umcg", "zorg", (3,), 2, organisation_name="UMC Groningen")
    handlers.handle(new_envelope("placement.accepted", ACCEPTED, producer="test", partition_key=REGION), wiring.deps)
    return SimpleNamespace(deps=wiring.deps, store=store, publisher=publisher, app=wiring.app(), accounts=accounts,
                           wiring=wiring, directory=directory)


def fill(deps, principal=SCHOOL_PRINCIPAL, hours=400):
    return aftercare.fill_pok(deps, principal, PERIOD, STUDENT, date(2027, 9, 1), date(2028, 1, 31), hours,
                              "Petra Jansen")


def ready_to_send(setup):
    aftercare.set_school_contact(setup.deps, SCHOOL_PRINCIPAL, "org-umcg", "Karin Bos", "k.bos@alfa.nl")
    fill(setup.deps)


def test_an_accepted_placement_creates_one_draft_with_the_r37_agreements(setup):
    pok = setup.store.pok(REGION, PERIOD, STUDENT)
    assert (pok.status, pok.school_id, pok.organisation_id, pok.place_id) == ("draft", "sch-alfa", "org-umcg",
                                                                              "plc-umcg-01")
    assert "no_subjective_rejection" in pok.agreements and "discrimination_signalled_early" in pok.agreements
    again = new_envelope("placement.accepted", ACCEPTED, producer="test", partition_key=REGION)
    handlers.handle(again, setup.deps)
    assert len(setup.store.poks(REGION)) == 1 and setup.publisher.events() == []


def test_sending_without_the_school_contact_is_a_field_error_and_changes_nothing(setup):
    fill(setup.deps)
    with pytest.raises(InvalidInput) as err:
        aftercare.send_pok(setup.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT)
    assert err.value.fields == {"school_contact": ["missing_school_contact"]}
    assert setup.store.pok(REGION, PERIOD, STUDENT).status == "draft" and setup.publisher.events() == []


def test_a_draft_without_period_hours_or_supervisor_cannot_be_sent(setup):
    aftercare.set_school_contact(setup.deps, SCHOOL_PRINCIPAL, "org-umcg", "Karin Bos", "k.bos@alfa.nl")
    with pytest.raises(InvalidInput) as err:
        aftercare.send_pok(setup.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT)
    assert set(err.value.fields) == {"start_date", "end_date", "hours", "supervisor_name"}


def test_the_whole_status_path_publishes_ids_and_codes_only(setup):
    ready_to_send(setup)
    aftercare.send_pok(setup.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT)
    aftercare.sign_pok(setup.deps, STUDENT_PRINCIPAL, PERIOD, STUDENT)
    aftercare.sign_pok(setup.deps, ORG_PRINCIPAL, PERIOD, STUDENT)
    assert setup.store.pok(REGION, PERIOD, STUDENT).status == "sent"
    aftercare.sign_pok(setup.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT)
    aftercare.start_pok(setup.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT)
    aftercare.end_pok(setup.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, early=True, reason="mismatch")
    statuses = [e.payload.status for e in setup.publisher.events()]
    assert statuses == ["sent", "signed", "active", "ended_early"]
    wire = repr([e.payload for e in setup.publisher.events()])
    assert "Karin" not in wire and "Petra" not in wire and "alfa.nl" not in wire
    assert setup.publisher.events()[-1].payload.end_reason == "mismatch"


def test_ending_early_needs_a_reason_and_a_draft_cannot_be_started(setup):
    with pytest.raises(InvalidTransition):
        aftercare.start_pok(setup.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT)
    with pytest.raises(InvalidInput) as err:
        aftercare.end_pok(setup.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, early=True, reason=None)
    assert "reason" in err.value.fields


def test_only_the_parties_see_a_pok_and_only_the_school_sends_it(setup):
    with pytest.raises(NotFound):
        aftercare.read_pok(setup.deps, OTHER_SCHOOL, PERIOD, STUDENT)
    ready_to_send(setup)
    with pytest.raises(NotFound):
        aftercare.send_pok(setup.deps, ORG_PRINCIPAL, PERIOD, STUDENT)
    with pytest.raises(NotFound):
        fill(setup.deps, STUDENT_PRINCIPAL)


def test_the_export_uses_the_bpv_field_names(setup):
    ready_to_send(setup)
    exported = aftercare.export_pok(setup.deps, ORG_PRINCIPAL, PERIOD, STUDENT)
    assert exported["leerbedrijfID"] == "org-umcg" and exported["totalHours"] == 400
    assert exported["startDate"] == "2027-09-01" and exported["approvedHours"] is None
    assert exported["schoolContact"] == {"name": "Karin Bos", "email": "k.bos@alfa.nl"}


def token(setup, principal):
    issued = setup.wiring.tokens.issue(principal.user_id, principal.role, principal.scope, region_id=REGION)
    return {"Authorization": f"Bearer {issued}"}


def test_the_api_answers_a_missing_school_contact_with_a_422_at_its_field(setup):
    client = setup.app.test_client()
    school = token(setup, SCHOOL_PRINCIPAL)
    filled = client.post(f"/api/v1/aftercare/poks/{STUDENT}/details", headers=school, json={
        "period_id": PERIOD, "start_date": "2027-09-01", "end_date": "2028-01-31", "hours": 400,
        "supervisor_name": "Petra Jansen"})
    assert filled.status_code == 200 and filled.get_json()["totalHours"] == 400
    sent = client.post(f"/api/v1/aftercare/poks/{STUDENT}/send", headers=school, json={"period_id": PERIOD})
    assert sent.status_code == 422 and "contactpersoon" in sent.get_json()["fields"]["school_contact"][0]
    client.put("/api/v1/aftercare/school-contacts/org-umcg", headers=school,
               json={"name": "Karin Bos", "email": "k.bos@alfa.nl"})
    sent = client.post(f"/api/v1/aftercare/poks/{STUDENT}/send", headers=school, json={"period_id": PERIOD})
    assert sent.status_code == 200 and sent.get_json()["state"] == "sent"


def test_the_printed_pok_names_the_student_from_intake_and_prints_without_the_chrome(setup):
    ready_to_send(setup)
    client = setup.app.test_client()
    session = setup.accounts.start_session(ORG_PRINCIPAL)
    client.set_cookie("sp_session", session.session_id)
    body = client.get(f"/pages/aftercare/{PERIOD}/{STUDENT}").get_data(as_text=True)
    assert "Sanne de Vries" in body and "Karin Bos" in body and "Petra Jansen" in body  # names, never ids
    assert "niet alsnog afgewezen op subjectieve gronden" in body and 'class="printable"' in body
    assert setup.directory.asked == [("sch-alfa", STUDENT)]
    assert re.findall(r'id="pok-(?:school|organisation)">([^<]*)<', body) == ["ROC Alfa", "UMC Groningen"]
    outsider = setup.app.test_client()
    outsider.set_cookie("sp_session", setup.accounts.start_session(OTHER_SCHOOL).session_id)
    assert outsider.get(f"/pages/aftercare/{PERIOD}/{STUDENT}").status_code == 404


def _accept(setup, accepted: PlacementAccepted) -> None:
    handlers.handle(new_envelope("placement.accepted", accepted, producer="test", partition_key=REGION), setup.deps)


def test_a_student_placed_anew_elsewhere_gets_a_fresh_draft_for_the_new_organisation(setup):
    """A signed POK whose placement failed (a rejection after the kennismaking) no longer applies: the student's
    acceptance of a fast-track place elsewhere makes a fresh draft there, without the old supervisor, which the
    new organisation sees and the old one no longer does (issue 20, the end-to-end path)."""
    ready_to_send(setup)
    aftercare.send_pok(setup.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT)
    for principal in (STUDENT_PRINCIPAL, ORG_PRINCIPAL, SCHOOL_PRINCIPAL):
        aftercare.sign_pok(setup.deps, principal, PERIOD, STUDENT)
    _accept(setup, PlacementAccepted("ftr-1", REGION, STUDENT, "sch-alfa", "plc-mmc-01", "org-mmc"))
    pok = setup.store.pok(REGION, PERIOD, STUDENT)
    assert (pok.status, pok.organisation_id, pok.place_id, pok.round_id, pok.signed_by) == (
        "draft", "org-mmc", "plc-mmc-01", "ftr-1", ())
    assert setup.store.pok_people(pok.pok_id).supervisor_name == ""
    new_org = Principal("usr-mmc", "organisation_staff", "org-mmc", REGION)
    assert aftercare.export_pok(setup.deps, new_org, PERIOD, STUDENT)["leerbedrijfID"] == "org-mmc"
    with pytest.raises(NotFound):
        aftercare.read_pok(setup.deps, ORG_PRINCIPAL, PERIOD, STUDENT)


def test_accepting_the_same_place_again_keeps_the_pok_as_it_stands(setup):
    """A placement kept in a re-match and accepted again is the same agreement: the signed POK stays."""
    ready_to_send(setup)
    aftercare.send_pok(setup.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT)
    _accept(setup, PlacementAccepted("rnd-2", REGION, STUDENT, "sch-alfa", "plc-umcg-01", "org-umcg"))
    pok = setup.store.pok(REGION, PERIOD, STUDENT)
    assert (pok.status, pok.round_id, setup.store.pok_people(pok.pok_id).supervisor_name) == (
        "sent", "rnd-1", "Petra Jansen")


def _fail(setup, place_id: str = "plc-umcg-01", reason: str = "rejected_after_introduction"):
    failed = PlacementFailed("rnd-1", REGION, STUDENT, "sch-alfa", place_id, "org-umcg", reason, "organisation",
                             reason == "rejected_after_introduction")
    envelope = new_envelope("placement.failed", failed, producer="test", partition_key=REGION)
    handlers.handle(envelope, setup.deps)
    return envelope


def test_a_failed_placement_ends_its_pok_early_with_the_cause_and_a_new_accept_keeps_it_as_history(setup):
    """placement.failed (a rejection after the kennismaking) moves the signed POK to ended_early with the cause as
    its reason code and announces it; a redelivery announces nothing; the accept of a place elsewhere makes a new
    draft with an id of its own, and the ended POK stays in the history, people and all (issue 20.1)."""
    ready_to_send(setup)
    aftercare.send_pok(setup.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT)
    for principal in (STUDENT_PRINCIPAL, ORG_PRINCIPAL, SCHOOL_PRINCIPAL):
        aftercare.sign_pok(setup.deps, principal, PERIOD, STUDENT)
    signed = setup.store.pok(REGION, PERIOD, STUDENT)
    envelope = _fail(setup)
    ended = setup.store.pok(REGION, PERIOD, STUDENT)
    assert (ended.status, ended.end_reason, ended.updated_at) == ("ended_early", "mismatch",
                                                                  setup.deps.clock().isoformat(timespec="seconds"))
    [changed] = setup.publisher.events("agreement.status_changed")[-1:]
    assert (changed.payload.agreement_id, changed.payload.status, changed.payload.end_reason) == (
        signed.pok_id, "ended_early", "mismatch")
    count = len(setup.publisher.events())
    handlers.handle(envelope, setup.deps)
    assert len(setup.publisher.events()) == count

    _accept(setup, PlacementAccepted("ftr-1", REGION, STUDENT, "sch-alfa", "plc-mmc-01", "org-mmc"))
    draft = setup.store.pok(REGION, PERIOD, STUDENT)
    assert (draft.status, draft.place_id) == ("draft", "plc-mmc-01") and draft.pok_id != signed.pok_id
    assert setup.store.history[(REGION, PERIOD, STUDENT)] == [ended]
    assert setup.store.pok_people(signed.pok_id).supervisor_name == "Petra Jansen"


@pytest.mark.parametrize(("reason", "end_reason"), [("organisation_withdrew", "organisation_withdrew"),
                                                    ("safety", "unsafe_or_discrimination"), ("not_suitable", "mismatch")])
def test_a_draft_of_a_failed_placement_ends_early_too_and_another_place_s_failure_changes_nothing(setup, reason,
                                                                                                    end_reason):
    _fail(setup, place_id="plc-elsewhere-09", reason=reason)
    assert setup.store.pok(REGION, PERIOD, STUDENT).status == "draft" and setup.publisher.events() == []
    _fail(setup, reason=reason)
    pok = setup.store.pok(REGION, PERIOD, STUDENT)
    assert (pok.status, pok.end_reason) == ("ended_early", end_reason)
    assert [e.payload.status for e in setup.publisher.events("agreement.status_changed")] == ["ended_early"]


def test_student_erased_removes_every_pok_history_people_kennismaking_and_task_of_the_student(setup):
    ready_to_send(setup)
    _fail(setup)
    _accept(setup, PlacementAccepted("ftr-1", REGION, STUDENT, "sch-alfa", "plc-mmc-01", "org-mmc"))
    intro = Introduction(REGION, PERIOD, STUDENT, "sch-alfa", "org-umcg", "plc-umcg-01", "2027-02-01T10:00:00+00:00")
    setup.store.save_introduction(intro)
    setup.store.save_task(task_for(intro, "team_fit", "2027-02-02T10:00:00+00:00"))
    erased = StudentErased(STUDENT, "sch-alfa", REGION)
    handlers.handle(new_envelope("student.erased", erased, producer="test", partition_key=REGION), setup.deps)
    store = setup.store
    assert STUDENT not in repr((store.poks_, store.history, store.intros, store.tasks_))
    assert store.people == {}
