"""Reporting's pages through Flask's test client, over reporting wired by its bootstrap with doubles of its own
ports and of the shared accounts (sessions): the student's report form, the desk's case list and case page,
the organisation's follow-up and the coordinator's figures page."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from reporting.domain.figures import PeriodSnapshot, PlaceFact, WishFact
from tests.fakes import FakeAccounts
from tests.fakes.reporting import (COORDINATOR, DESK_PRINCIPAL, ORG_PRINCIPAL, PERIOD, REGION, STUDENT,
                                   STUDENT_PRINCIPAL, bootstrap_with_doubles, started_pok)


@pytest.fixture
def setup(views, publisher, clock):
    views.snapshots[(REGION, PERIOD)] = PeriodSnapshot(
        REGION, PERIOD, wishes=[WishFact(f"stu-{i}", "sch-alfa", "zorg", 4) for i in range(7)],
        places=[PlaceFact("plc-1", "org-umcg", "zorg", (3, 4), 6)])
    accounts = FakeAccounts()
    wiring = bootstrap_with_doubles(views=views, publisher=publisher, clock=clock, accounts=accounts)
    return SimpleNamespace(app=wiring.app(), accounts=accounts, deps=wiring.deps, views=views, publisher=publisher)


def signed_in(setup, principal):
    client = setup.app.test_client()
    session = setup.accounts.start_session(principal)
    client.set_cookie("sp_session", session.session_id)
    client.csrf = session.csrf_token
    return client


def test_the_report_form_is_prefilled_from_the_students_placement(setup):
    body = signed_in(setup, STUDENT_PRINCIPAL).get("/pages/report").get_data(as_text=True)
    assert 'value="org-umcg"' in body and f'value="{PERIOD}"' in body and "Discriminatie melden" in body


def test_an_incomplete_report_shows_every_message_next_to_its_field_keeps_the_text_and_stores_nothing(setup):
    client = signed_in(setup, STUDENT_PRINCIPAL)
    answer = client.post("/pages/report", data={"csrf_token": client.csrf, "description": "  ",
                                                "incident_date": "2099-01-01", "organisation_id": "",
                                                "anonymous": "true", "alternative_placement_needed": "true",
                                                "period_id": PERIOD})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422 and setup.deps.desk_store.meta == {} and setup.publisher.events() == []
    for field in ("description", "incident_date", "organisation_id", "anonymous"):
        assert f'id="{field}-error"' in body and re.search(f'aria-describedby="[^"]*{field}-error"', body)
    assert "De datum ligt in de toekomst." in body and "Noem de organisatie of de stageplaats." in body
    assert 'value="2099-01-01"' in body and 'id="anonymous" name="anonymous" type="checkbox" value="true" checked' in body


def test_a_badly_formed_date_is_a_field_error_too(setup):
    client = signed_in(setup, STUDENT_PRINCIPAL)
    answer = client.post("/pages/report", data={"csrf_token": client.csrf, "description": "Weggestuurd",
                                                "incident_date": "gisteren", "organisation_id": "org-umcg"})
    assert answer.status_code == 422 and "Geen geldige datum." in answer.get_data(as_text=True)


def test_a_valid_report_is_filed_and_the_desk_finds_it_and_handles_it(setup):
    student = signed_in(setup, STUDENT_PRINCIPAL)
    answer = student.post("/pages/report", data={"csrf_token": student.csrf, "description": "Geweigerd om mijn naam",
                                                 "incident_date": "2027-02-20", "organisation_id": "org-umcg",
                                                 "phase": "selection", "period_id": PERIOD})
    assert answer.status_code == 302
    (report_id,) = setup.deps.desk_store.meta
    assert report_id in student.get(answer.headers["Location"]).get_data(as_text=True)
    desk = signed_in(setup, DESK_PRINCIPAL)
    assert report_id in desk.get("/pages/desk").get_data(as_text=True)
    case = desk.get(f"/pages/desk/{report_id}").get_data(as_text=True)
    assert "Geweigerd om mijn naam" in case and STUDENT in case
    assert ("usr-desk-1", "desk_staff", "read", report_id, "ok") in setup.deps.audit.entries
    moved = desk.post(f"/pages/desk/{report_id}/status", data={"csrf_token": desk.csrf, "status": "in_progress",
                                                              "note": "Gebeld"})
    assert moved.status_code == 302 and setup.deps.desk_store.case(report_id).status == "in_progress"
    asked = desk.post(f"/pages/desk/{report_id}/alternative-placement", data={"csrf_token": desk.csrf,
                                                                          "period_id": PERIOD})
    assert asked.status_code == 302
    (event,) = [e for e in setup.publisher.events("placement.replacement_requested")]
    assert event.payload.student_ref == STUDENT and event.payload.exclude_organisation_ids == ["org-umcg"]


def test_a_wrong_status_step_is_shown_as_a_message_and_others_get_404(setup):
    student = signed_in(setup, STUDENT_PRINCIPAL)
    student.post("/pages/report", data={"csrf_token": student.csrf, "description": "x", "incident_date": "2027-02-20",
                                        "organisation_id": "org-umcg"})
    (report_id,) = setup.deps.desk_store.meta
    desk = signed_in(setup, DESK_PRINCIPAL)
    answer = desk.post(f"/pages/desk/{report_id}/status", data={"csrf_token": desk.csrf, "status": "forwarded_to_sbb"})
    assert answer.status_code == 409 and 'id="status-error"' in answer.get_data(as_text=True)
    assert student.get(f"/pages/desk/{report_id}").status_code == 404
    assert signed_in(setup, ORG_PRINCIPAL).get("/pages/desk").status_code == 404


def test_organisation_staff_register_contacts_evaluate_and_flag_not_suitable_with_a_reason(setup):
    org = signed_in(setup, ORG_PRINCIPAL)
    assert STUDENT in org.get("/pages/followup").get_data(as_text=True)
    base = f"/pages/followup/{PERIOD}/{STUDENT}"
    missing = org.post(base + "/not_suitable", data={"csrf_token": org.csrf, "after_introduction": "true"})
    assert missing.status_code == 422 and 'id="reason_code-error"' in missing.get_data(as_text=True)
    assert setup.publisher.events() == []
    assert 'value="true" checked' in missing.get_data(as_text=True)
    assert org.post(base + "/contact", data={"csrf_token": org.csrf, "date": "2027-03-01",
                                             "kind": "on_site"}).status_code == 302
    assert "1 contactmomenten, 1 op de stagelocatie" in org.get(base).get_data(as_text=True)
    started_pok(setup.deps.aftercare)  # only a placement that started is evaluated (issue 20.5), at its end
    setup.deps.clock.now = datetime(2027, 6, 20, 9, 0, tzinfo=UTC)  # ten days before it ends: open
    assert org.post(base + "/evaluation", data={"csrf_token": org.csrf, "satisfaction": "4",
                                                "would_again": "true"}).status_code == 302
    assert setup.views.evaluations[(REGION, PERIOD, STUDENT, "organisation")]["satisfaction"] == 4
    assert org.post(base + "/not_suitable", data={"csrf_token": org.csrf, "reason_code": "safety",
                                                  "confirmed": "1"}).status_code == 302
    (failed,) = setup.publisher.events("placement.failed")
    assert failed.payload.reason_code == "safety" and failed.payload.flagged_by == "organisation"
    assert org.get(f"/pages/followup/{PERIOD}/stu-someone-else").status_code == 404


def test_the_coordinator_sees_the_figures_with_charts_and_downloads_the_report(setup):
    client = signed_in(setup, COORDINATOR)
    body = client.get("/pages/coordinator").get_data(as_text=True)
    assert "Vraag en aanbod per sector en niveau" in body and 'class="bar"' in body
    bars = re.findall(r'data-label="([^"]+)" data-value="([^"]+)"', body)
    assert ("zorg / 4", "7") in bars
    csv = client.get(f"/pages/coordinator/report/{PERIOD}.csv")
    assert csv.status_code == 200 and "students_seeking" in csv.get_data(as_text=True)
    html = client.get(f"/pages/coordinator/report/{PERIOD}.html")
    assert html.status_code == 200 and "<svg" in html.get_data(as_text=True)
    assert client.get("/pages/coordinator/report/2000-p9.csv").status_code == 404
