"""Issue 19 on reporting's pages: a page write that names a student or a case acts only for the caller's own
tenant (the pages call the same commands as the API; this proves the wiring does not bypass them)."""

from __future__ import annotations

import pytest

from reporting.commands.desk import NewReport, file_report
from stagepool_shared.auth import Principal
from tests.fakes import FakeAccounts
from tests.fakes.reporting import PERIOD, REGION, STUDENT, STUDENT_PRINCIPAL, bootstrap_with_doubles

OTHER_ORG = Principal("usr-org-b", "organisation_staff", "org-beta", REGION)
OTHER_DESK = Principal("usr-desk-x", "desk_staff", "reg-other", "reg-other")


@pytest.fixture
def site(views, publisher, clock):
    accounts = FakeAccounts()
    wiring = bootstrap_with_doubles(views=views, publisher=publisher, clock=clock, accounts=accounts)
    return wiring, accounts


def signed_in(site, principal):
    wiring, accounts = site
    client = wiring.app().test_client()
    session = accounts.start_session(principal)
    client.set_cookie("sp_session", session.session_id)
    return client, session.csrf_token


@pytest.mark.parametrize(("form", "fields"), [("not_suitable", {"reason_code": "safety"}),
                                              ("contact", {"date": "2027-02-25", "kind": "on_site"}),
                                              ("evaluation", {"satisfaction": "4", "would_again": "on"})])
def test_another_organisation_cannot_act_on_the_placement_of_a_student_placed_elsewhere(site, publisher, views,
                                                                                       form, fields):
    client, csrf = signed_in(site, OTHER_ORG)
    answer = client.post(f"/pages/followup/{PERIOD}/{STUDENT}/{form}", data={"csrf_token": csrf, **fields})
    assert answer.status_code == 404
    assert publisher.published == [] and views.contacts == {} and views.evaluations == {}


def test_desk_staff_of_another_region_cannot_request_an_alternative_place_for_a_case(site, publisher):
    wiring, _ = site
    case = file_report(wiring.deps, STUDENT_PRINCIPAL, NewReport("remark", "2027-02-20", "org-umcg",
                                                                 period_id=PERIOD))
    publisher.published.clear()
    client, csrf = signed_in(site, OTHER_DESK)
    answer = client.post(f"/pages/desk/{case.report_id}/alternative-placement",
                         data={"csrf_token": csrf, "period_id": PERIOD, "school_id": "sch-beta"})
    assert answer.status_code == 404
    assert publisher.published == []
    assert not wiring.deps.desk_store.case(case.report_id).replacement_requested
