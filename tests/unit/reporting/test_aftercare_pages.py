"""The aftercare pages (issue 20.1, 20.2, 20.5) through Flask's test client: the organisation proposes a
kennismaking and records its outcome (a rejection without a reason is a message next to the field), the student
confirms, the school works its task list (opens a task, records the call with the organisation, closes it), each
party signs a sent POK, and each party is invited to evaluate the placement at its end and does so there (the
student with discrimination asked per phase)."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from reporting.commands import aftercare, aftercare_intro
from stagepool_shared.auth import Principal
from reporting.domain.aftercare import Pok
from tests.fakes import FakeAccounts
from tests.fakes.reporting import (MARCH_1, ORG_PRINCIPAL, PERIOD, REGION, SCHOOL_PRINCIPAL, STUDENT,
                                   STUDENT_PRINCIPAL, FakeAftercareStore, bootstrap_with_doubles)

PAGE = f"/pages/aftercare/{PERIOD}/{STUDENT}"


@pytest.fixture
def site(views, publisher, clock):
    store, accounts = FakeAftercareStore(), FakeAccounts()
    wiring = bootstrap_with_doubles(views=views, publisher=publisher, clock=clock, aftercare=store, accounts=accounts)
    return SimpleNamespace(wiring=wiring, deps=wiring.deps, store=store, accounts=accounts, publisher=publisher,
                           clock=clock, views=views)


def signed_in(site, principal):
    client = site.wiring.app().test_client()
    session = site.accounts.start_session(principal)
    client.set_cookie("sp_session", session.session_id)
    client.csrf = session.csrf_token
    return client


def test_the_organisation_proposes_and_the_student_confirms_on_the_page(site):
    org = signed_in(site, ORG_PRINCIPAL)
    bad = org.post(PAGE + "/propose", data={"csrf_token": org.csrf, "moment": "soon"})
    assert bad.status_code == 422 and 'id="moment-error">Vul een datum en tijd in.' in bad.get_data(as_text=True)
    assert org.post(PAGE + "/propose", data={"csrf_token": org.csrf, "moment": "2027-02-27T10:00"}).status_code == 302
    assert site.store.introduction(REGION, PERIOD, STUDENT).moment == "2027-02-27T09:00:00+00:00"  # CET
    student = signed_in(site, STUDENT_PRINCIPAL)
    assert "27-02-2027 10:00 CET" in student.get(PAGE).get_data(as_text=True)
    assert student.post(PAGE + "/confirm", data={"csrf_token": student.csrf}).status_code == 302
    assert org.post(PAGE + "/confirm", data={"csrf_token": org.csrf}).status_code == 404


def test_a_rejection_without_a_reason_is_a_message_next_to_the_reason_and_changes_nothing(site):
    aftercare_intro.propose_introduction(site.deps, ORG_PRINCIPAL, PERIOD, STUDENT, MARCH_1 - timedelta(hours=2))
    aftercare_intro.confirm_introduction(site.deps, STUDENT_PRINCIPAL, PERIOD, STUDENT)
    org = signed_in(site, ORG_PRINCIPAL)
    answer = org.post(PAGE + "/outcome", data={"csrf_token": org.csrf, "outcome": "rejected"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'id="reason_code-error">Kies een van de vijf redenen' in body
    assert re.search(r'value="rejected"[^>]*checked', body)
    assert site.publisher.events("placement.failed") == site.publisher.events("introduction.rejected") == []
    assert site.store.tasks_ == {}
    done = org.post(PAGE + "/outcome", data={"csrf_token": org.csrf, "outcome": "rejected",
                                             "reason_code": "competences_mismatch"})
    assert done.status_code == 302
    assert [e.event_type for e in site.publisher.events() if e.event_type != "introduction.proposed"] == [
        "placement.failed", "introduction.rejected"]


def test_the_school_works_its_task_list(site):
    aftercare.set_school_contact(site.deps, SCHOOL_PRINCIPAL, "org-umcg", "Karin Bos", "k.bos@alfa.nl")
    aftercare_intro.propose_introduction(site.deps, ORG_PRINCIPAL, PERIOD, STUDENT, MARCH_1 - timedelta(hours=2))
    aftercare_intro.confirm_introduction(site.deps, STUDENT_PRINCIPAL, PERIOD, STUDENT)
    aftercare_intro.record_outcome(site.deps, ORG_PRINCIPAL, PERIOD, STUDENT, "rejected", "attitude")
    school = signed_in(site, SCHOOL_PRINCIPAL)
    body = school.get("/pages/aftercare/tasks").get_data(as_text=True)
    assert "Karin Bos" in body and "houding" in body and "Gebeld: afgehandeld" in body
    [task] = site.store.tasks_.values()
    assert school.post(f"/pages/aftercare/tasks/{task.task_id}/done", data={"csrf_token": school.csrf}
                       ).status_code == 302
    assert "Gebeld: afgehandeld" not in school.get("/pages/aftercare/tasks").get_data(as_text=True)
    assert signed_in(site, ORG_PRINCIPAL).get("/pages/aftercare/tasks").status_code == 404


def test_each_party_signs_a_sent_pok_on_the_page(site):
    site.store.save_pok(Pok("pok-1", REGION, PERIOD, STUDENT, "sch-alfa", "org-umcg", "plc-umcg-01", "rnd-1", "x",
                            status="sent", hours=400))
    for principal in (STUDENT_PRINCIPAL, ORG_PRINCIPAL, SCHOOL_PRINCIPAL):
        client = signed_in(site, principal)
        assert "Ondertekenen" in client.get(PAGE).get_data(as_text=True)
        assert client.post(PAGE + "/sign", data={"csrf_token": client.csrf}).status_code == 302
    assert site.store.pok(REGION, PERIOD, STUDENT).status == "signed"
    again = signed_in(site, STUDENT_PRINCIPAL)
    assert again.post(PAGE + "/sign", data={"csrf_token": again.csrf}).status_code == 409
    assert [e.payload.status for e in site.publisher.events()] == ["signed"]


def _rejected_task(site):
    """A kennismaking rejected on "attitude": the school's follow-up task, with its contact named."""
    aftercare.set_school_contact(site.deps, SCHOOL_PRINCIPAL, "org-umcg", "Karin Bos", "k.bos@alfa.nl")
    aftercare_intro.propose_introduction(site.deps, ORG_PRINCIPAL, PERIOD, STUDENT, MARCH_1 - timedelta(hours=2))
    aftercare_intro.confirm_introduction(site.deps, STUDENT_PRINCIPAL, PERIOD, STUDENT)
    aftercare_intro.record_outcome(site.deps, ORG_PRINCIPAL, PERIOD, STUDENT, "rejected", "attitude")
    [task] = site.store.tasks_.values()
    return task


def test_the_school_opens_a_task_records_the_call_and_closes_it(site):
    task = _rejected_task(site)
    school = signed_in(site, SCHOOL_PRINCIPAL)
    listed = school.get("/pages/aftercare/tasks").get_data(as_text=True)
    assert f'href="/pages/aftercare/tasks/{task.task_id}"' in listed
    opened = school.get(f"/pages/aftercare/tasks/{task.task_id}").get_data(as_text=True)
    assert "Karin Bos" in opened and "houding" in opened and "nog niet vastgelegd" in opened

    url = f"/pages/aftercare/tasks/{task.task_id}/call"
    bad = school.post(url, data={"csrf_token": school.csrf, "called_on": "2027-03-02"})  # tomorrow, no outcome
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="called_on-error">De datum van het gesprek ligt in de toekomst.' in body
    assert 'id="call_outcome-error">Kies wat het gesprek opleverde.' in body and 'value="2027-03-02"' in body
    assert site.store.tasks_[task.task_id].called_on is None

    good = school.post(url, data={"csrf_token": school.csrf, "called_on": "2027-03-01",
                                  "call_outcome": "discrimination_suspected"})
    assert good.status_code == 302
    recorded = site.store.tasks_[task.task_id]
    assert (recorded.called_on, recorded.call_outcome, recorded.status) == ("2027-03-01", "discrimination_suspected",
                                                                            "open")
    page = school.get(good.headers["Location"]).get_data(as_text=True)
    assert "Het gesprek is vastgelegd" in page and "01-03-2027: vermoeden van discriminatie" in page
    assert 'id="task-desk"' in page and "/pages/report" in page  # discrimination suspected: the way to the desk

    closed = school.post(f"/pages/aftercare/tasks/{task.task_id}/done", data={"csrf_token": school.csrf})
    assert closed.status_code == 302 and site.store.tasks_[task.task_id].status == "done"
    again = school.post(url, data={"csrf_token": school.csrf, "called_on": "2027-03-01", "call_outcome": "not_reached"})
    assert again.status_code == 422 and site.store.tasks_[task.task_id].call_outcome == "discrimination_suspected"
    assert [e.event_type for e in site.publisher.events() if e.event_type != "introduction.proposed"] == [
        "placement.failed", "introduction.rejected"]  # no more


def test_a_task_is_only_for_its_own_school_and_reads_in_english(site):
    task = _rejected_task(site)
    other = signed_in(site, Principal("usr-beta", "school_staff", "sch-beta", REGION))
    assert other.get(f"/pages/aftercare/tasks/{task.task_id}").status_code == 404
    assert other.post(f"/pages/aftercare/tasks/{task.task_id}/call", data={
        "csrf_token": other.csrf, "called_on": "2027-03-01", "call_outcome": "not_reached"}).status_code == 404
    assert site.store.tasks_[task.task_id].called_on is None
    english = signed_in(site, SCHOOL_PRINCIPAL).get(f"/pages/aftercare/tasks/{task.task_id}?lang=en")
    assert "Record the call" in english.get_data(as_text=True) and "attitude" in english.get_data(as_text=True)


def test_the_api_records_the_call_with_field_errors_first(site):
    task = _rejected_task(site)
    client = site.wiring.app().test_client()
    headers = {"Authorization": "Bearer " + site.wiring.tokens.issue("usr-bpv", "school_staff", "sch-alfa", REGION)}
    url = f"/api/v1/aftercare/tasks/{task.task_id}/call"
    future = client.post(url, headers=headers, json={"called_on": "2027-03-05", "call_outcome": "not_reached"})
    assert future.status_code == 422 and "called_on" in future.get_json()["fields"]
    unknown = client.post(url, headers=headers, json={"called_on": "2027-03-01", "call_outcome": "shrug"})
    assert unknown.status_code == 422 and "call_outcome" in unknown.get_json()["fields"]
    assert site.store.tasks_[task.task_id].called_on is None
    done = client.post(url, headers=headers, json={"called_on": "2027-02-28", "call_outcome": "reason_explained"})
    assert done.status_code == 200 and done.get_json()["call_outcome"] == "reason_explained"
    assert site.store.tasks_[task.task_id].called_on == "2027-02-28"


def _pok(site, status: str) -> None:
    site.store.save_pok(Pok("pok-1", REGION, PERIOD, STUDENT, "sch-alfa", "org-umcg", "plc-umcg-01", "rnd-1", "x",
                            status=status, start_date="2027-02-01", end_date="2027-06-30", hours=400,
                            signed_by=("student", "school", "organisation")))


def test_the_student_evaluates_on_the_page_with_the_discrimination_question_per_phase(site):
    _pok(site, "signed")
    student = signed_in(site, STUDENT_PRINCIPAL)
    assert 'id="evaluation"' not in student.get(PAGE).get_data(as_text=True)  # not before the placement started
    early = student.post(PAGE + "/evaluate", data={"csrf_token": student.csrf, "satisfaction": "4",
                                                   "would_again": "true"})
    assert early.status_code == 422 and 'id="placement-error"' in early.get_data(as_text=True)

    _pok(site, "active")  # it runs until 2027-06-30; the clock says 1 March: not yet
    running = student.get(PAGE).get_data(as_text=True)
    assert 'id="evaluation"' not in running and "De eindevaluatie van deze stage opent op 16-06-2027" in running
    too_soon = student.post(PAGE + "/evaluate", data={"csrf_token": student.csrf, "satisfaction": "4",
                                                      "would_again": "true"})
    assert too_soon.status_code == 422 and "vanaf 16-06-2027" in too_soon.get_data(as_text=True)
    assert site.views.evaluations == {}

    site.clock.now = MARCH_1.replace(month=6, day=16)  # two weeks before the end: open
    form = student.get(PAGE).get_data(as_text=True)
    assert 'id="evaluation-invite"' in form and 'href="#evaluation">Evalueer deze stage' in form
    for phase in ("discrimination_searching", "discrimination_introduction", "discrimination_during"):
        assert f'name="{phase}" value="true"' in form
    assert "Bij het kennismakingsgesprek" in form and "Tijdens het zoeken naar een stageplaats" in form
    bad = student.post(PAGE + "/evaluate", data={"csrf_token": student.csrf, "would_again": "true",
                                                 "discrimination_introduction": "true"})
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="satisfaction-error">Dit veld is verplicht.' in body
    assert re.search(r'name="discrimination_introduction" value="true"[^>]*checked', body)  # kept as typed
    assert site.views.evaluations == {}

    good = student.post(PAGE + "/evaluate", data={"csrf_token": student.csrf, "satisfaction": "4",
                                                  "would_again": "false", "discrimination_searching": "false",
                                                  "discrimination_introduction": "true"})
    assert good.status_code == 302
    record = site.views.evaluations[(REGION, PERIOD, STUDENT, "student")]
    assert (record["satisfaction"], record["would_again"]) == (4, False)
    assert (record["discrimination_searching"], record["discrimination_introduction"],
            record["discrimination_during"]) == (False, True, None)
    done = student.get(good.headers["Location"]).get_data(as_text=True)
    assert "Bedankt! Je evaluatie is bewaard." in done and "Evalueer deze stage" not in done  # asked no more
    english = student.get(PAGE + "?lang=en").get_data(as_text=True)
    assert "Did you experience discrimination?" in english and "At the introduction meeting" in english


def test_the_organisation_and_the_school_are_invited_to_evaluate_on_their_aftercare_page_at_the_end(site):
    _pok(site, "active")
    for principal, question in ((ORG_PRINCIPAL, "Zou u weer een student van deze school begeleiden?"),
                                (SCHOOL_PRINCIPAL, "Zou u hier opnieuw een student plaatsen?")):
        staff = signed_in(site, principal)
        site.clock.now = MARCH_1
        before = staff.get(PAGE).get_data(as_text=True)
        assert "opent op 16-06-2027" in before and 'id="evaluation"' not in before
        assert "opens on 16-06-2027" in staff.get(PAGE + "?lang=en").get_data(as_text=True)
        site.clock.now = MARCH_1.replace(month=6, day=20)
        page = staff.get(PAGE).get_data(as_text=True)
        assert 'href="#evaluation">Evalueer deze stage' in page and question in page
        assert "discrimination_during" not in page  # the student's questions only
        assert staff.post(PAGE + "/evaluate", data={"csrf_token": staff.csrf, "satisfaction": "3",
                                                    "would_again": "true"}).status_code == 302
        assert "Evalueer deze stage" not in staff.get(PAGE).get_data(as_text=True)
    assert {key[3] for key in site.views.evaluations} == {"organisation", "school"}


def test_the_task_list_shows_a_reminder_for_the_contact_and_an_escalation_for_the_coordinator(site):
    from reporting.domain import contact_plan as plan
    aftercare.set_school_contact(site.deps, SCHOOL_PRINCIPAL, "org-umcg", "Karin Bos", "k.bos@alfa.nl")
    about = plan.Placement(REGION, PERIOD, "sch-alfa", "org-umcg", STUDENT)
    site.store.save_task(plan.task(about, plan.REMINDER, "contact_due", "2027-03-01T08:00:00+00:00", "2027-03-04"))
    site.store.save_task(plan.task(about, plan.MISSED, "contact_missed", "2027-03-02T08:00:00+00:00", "2027-02-27"))
    body = signed_in(site, SCHOOL_PRINCIPAL).get("/pages/aftercare/tasks").get_data(as_text=True)
    kinds = re.findall(r'class="task-kind">([^<]*)<', body)
    addressees = re.findall(r'class="task-for">([^<]*)<', body)
    assert list(zip(kinds, addressees)) == [("herinnering", "Karin Bos"),
                                            ("escalatie", "stagecoördinator van de school")]
    assert "3 dagen vóór elk gepland contactmoment" in body
    english = signed_in(site, SCHOOL_PRINCIPAL).get("/pages/aftercare/tasks?lang=en").get_data(as_text=True)
    assert re.findall(r'class="task-kind">([^<]*)<', english) == ["reminder", "escalation"]
    [escalation] = [t for t in site.store.tasks_.values() if t.kind == plan.MISSED]
    opened = signed_in(site, SCHOOL_PRINCIPAL).get(f"/pages/aftercare/tasks/{escalation.task_id}").get_data(
        as_text=True)
    assert re.search(r'id="task-contact">stagecoördinator van de school', opened)
