"""The aftercare pages (issue 20.1, 20.2) through Flask's test client: the organisation proposes a kennismaking
and records its outcome (a rejection without a reason is a message next to the field), the student confirms,
the school works its task list, and each party signs a sent POK."""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest

from reporting.commands import aftercare, aftercare_intro
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
                           clock=clock)


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
    assert site.publisher.events() == [] and site.store.tasks_ == {}
    done = org.post(PAGE + "/outcome", data={"csrf_token": org.csrf, "outcome": "rejected",
                                             "reason_code": "competences_mismatch"})
    assert done.status_code == 302
    assert [e.event_type for e in site.publisher.events()] == ["placement.failed", "introduction.rejected"]


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
