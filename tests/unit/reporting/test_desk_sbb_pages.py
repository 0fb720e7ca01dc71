"""Issue 20.6 on the desk's pages: forward a case, print what was sent, record SBB's answer and a measure with
field errors next to the field (nothing stored), the overdue list on the desk page, and 404 for desk staff of
another region."""

from __future__ import annotations

import re

import pytest

from reporting.commands.desk import NewReport, change_status, file_report
from stagepool_shared.auth import Principal
from tests.fakes import FakeAccounts
from tests.fakes.reporting import DESK_PRINCIPAL, PERIOD, STUDENT, STUDENT_PRINCIPAL, bootstrap_with_doubles

CANARY = "CANARY-page-3b7e the manager said no headscarves"
OTHER_DESK = Principal("usr-desk-x", "desk_staff", "reg-other", "reg-other")


@pytest.fixture
def site(views, publisher, clock):
    accounts = FakeAccounts()
    return bootstrap_with_doubles(views=views, publisher=publisher, clock=clock, accounts=accounts), accounts


def signed_in(site, principal=DESK_PRINCIPAL):
    wiring, accounts = site
    client = wiring.app().test_client()
    session = accounts.start_session(principal)
    client.set_cookie("sp_session", session.session_id)
    return client, session.csrf_token


@pytest.fixture
def case_id(site) -> str:
    deps = site[0].deps
    case = file_report(deps, STUDENT_PRINCIPAL, NewReport(CANARY, "2027-02-20", "org-umcg", period_id=PERIOD))
    change_status(deps, DESK_PRINCIPAL, case.report_id, "in_progress", None)
    return case.report_id


def test_the_desk_forwards_a_case_and_prints_exactly_what_was_sent(site, case_id):
    client, csrf = signed_in(site)
    page = client.get(f"/pages/desk/{case_id}").get_data(as_text=True)
    assert 'id="sbb-forward-form"' in page
    forwarded = client.post(f"/pages/desk/{case_id}/sbb-forward", data={"csrf_token": csrf})
    assert forwarded.status_code == 302 and "done=sbb_forward" in forwarded.headers["Location"]
    assert 'id="sbb-answer-form"' in client.get(f"/pages/desk/{case_id}").get_data(as_text=True)
    printed = client.get(f"/pages/desk/{case_id}/sbb-export")
    text = printed.get_data(as_text=True)
    assert printed.status_code == 200 and "<code>incident_month</code>" in text and "2027-02" in text
    assert CANARY not in text and STUDENT not in text
    download = client.get(f"/pages/desk/{case_id}/sbb-export.csv")
    assert download.mimetype == "text/csv" and case_id in download.get_data(as_text=True)


def test_a_received_case_cannot_be_forwarded_and_says_why(site):
    deps = site[0].deps
    case = file_report(deps, STUDENT_PRINCIPAL, NewReport("remark", "2027-02-20", "org-umcg", period_id=PERIOD))
    client, csrf = signed_in(site)
    refused = client.post(f"/pages/desk/{case.report_id}/sbb-forward", data={"csrf_token": csrf})
    assert refused.status_code == 409 and 'id="sbb-error"' in refused.get_data(as_text=True)
    assert deps.desk_store.case(case.report_id).sbb is None


def test_the_answer_and_a_measure_are_recorded_and_bad_input_is_shown_at_its_field(site, case_id):
    deps = site[0].deps
    client, csrf = signed_in(site)
    client.post(f"/pages/desk/{case_id}/sbb-forward", data={"csrf_token": csrf})
    before = deps.desk_store.case(case_id)
    late = client.post(f"/pages/desk/{case_id}/sbb-answer", data={
        "csrf_token": csrf, "answered_on": "2027-03-05", "reference": "SBB-9", "outcome": "unfounded"})
    assert late.status_code == 422 and 'id="answered_on-error"' in late.get_data(as_text=True)
    assert 'value="SBB-9"' in late.get_data(as_text=True)
    empty = client.post(f"/pages/desk/{case_id}/sbb-measures?lang=en", data={
        "csrf_token": csrf, "owner_role": "sbb", "deadline": "2027-01-01"})
    text = empty.get_data(as_text=True)
    assert empty.status_code == 422 and "Describe the measure." in text and "The deadline lies in the past." in text
    assert 'id="measure_text-error"' in text and 'id="deadline-error"' in text and text.count('id="description"') == 1
    assert deps.desk_store.case(case_id) == before
    assert client.post(f"/pages/desk/{case_id}/sbb-answer", data={
        "csrf_token": csrf, "answered_on": "2027-03-01", "reference": "SBB-9",
        "outcome": "improvement_agreements"}).status_code == 302
    assert client.post(f"/pages/desk/{case_id}/sbb-measures", data={
        "csrf_token": csrf, "measure_text": "Verbeterplan werving", "owner_role": "organisation_staff",
        "deadline": "2027-04-01"}).status_code == 302
    assert client.post(f"/pages/desk/{case_id}/sbb-measures/msr-1", data={
        "csrf_token": csrf, "measure_status": "in_progress"}).status_code == 302
    page = client.get(f"/pages/desk/{case_id}").get_data(as_text=True)
    assert "verbeterafspraken gemaakt" in page and "Verbeterplan werving" in page
    assert "status van maatregel gewijzigd" in page
    assert deps.desk_store.case(case_id).sbb.measures[0].status == "in_progress"


def test_the_desk_page_lists_what_is_overdue_at_sbb(site, case_id, clock):
    client, csrf = signed_in(site)
    client.post(f"/pages/desk/{case_id}/sbb-forward", data={"csrf_token": csrf})
    assert 'id="sbb-overdue"' not in client.get("/pages/desk").get_data(as_text=True)
    clock.advance(days=35)
    page = client.get("/pages/desk").get_data(as_text=True)
    assert 'id="sbb-overdue"' in page and "antwoord van SBB" in page


@pytest.mark.parametrize(("method", "path", "data"), [
    ("post", "/sbb-forward", {}), ("get", "/sbb-export", None), ("get", "/sbb-export.csv", None),
    ("post", "/sbb-answer", {"answered_on": "2027-03-01", "reference": "R", "outcome": "unfounded"}),
    ("post", "/sbb-measures", {"measure_text": "x", "owner_role": "sbb", "deadline": "2027-04-01"})])
def test_desk_staff_of_another_region_get_404_and_change_nothing(site, case_id, method, path, data):
    deps = site[0].deps
    before = deps.desk_store.case(case_id)
    client, csrf = signed_in(site, OTHER_DESK)
    answer = getattr(client, method)(f"/pages/desk/{case_id}{path}",
                                     data=None if data is None else {"csrf_token": csrf, **data})
    assert answer.status_code == 404
    assert deps.desk_store.case(case_id) == before


def test_the_case_page_with_its_sbb_forms_has_no_id_twice(site, case_id):
    client, csrf = signed_in(site)
    client.post(f"/pages/desk/{case_id}/sbb-forward", data={"csrf_token": csrf})
    for text in ("first", "second"):
        client.post(f"/pages/desk/{case_id}/sbb-measures", data={
            "csrf_token": csrf, "measure_text": text, "owner_role": "sbb", "deadline": "2027-04-01"})
    ids = re.findall(r'\sid="([^"]+)"', client.get(f"/pages/desk/{case_id}").get_data(as_text=True))
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
