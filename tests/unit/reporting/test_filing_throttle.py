"""One person cannot flood the desk (issue 19.2): 20 reports in a row from one student were all filed; now
the sixth within the hour is refused with 429 and Retry-After, over the API and on the page."""

from __future__ import annotations

from tests.fakes import FakeAccounts
from tests.fakes.reporting import PERIOD, STUDENT_PRINCIPAL, bootstrap_with_doubles
from stagepool_shared.web.throttle import FILING_PER_PERSON

REPORT = {"description": "Geweigerd om mijn naam", "incident_date": "2027-02-20", "organisation_id": "org-umcg",
          "period_id": PERIOD}


def test_twenty_reports_in_a_row_over_the_api_are_cut_off_after_the_limit() -> None:
    wiring = bootstrap_with_doubles()
    token = wiring.tokens.issue(STUDENT_PRINCIPAL.user_id, "student", STUDENT_PRINCIPAL.scope,
                                region_id=STUDENT_PRINCIPAL.region_id)
    client = wiring.app().test_client()
    answers = [client.post("/api/v1/desk/reports", json=REPORT, headers={"Authorization": f"Bearer {token}"})
               for _ in range(20)]
    codes = [a.status_code for a in answers]
    assert codes == [201] * FILING_PER_PERSON.attempts + [429] * (20 - FILING_PER_PERSON.attempts)
    assert 0 < int(answers[-1].headers["Retry-After"]) <= FILING_PER_PERSON.lockout_s
    assert answers[-1].get_json()["error"] == "too_many_reports"
    assert len(wiring.deps.desk_store.meta) == FILING_PER_PERSON.attempts


def test_the_report_page_says_when_the_student_can_file_again() -> None:
    accounts = FakeAccounts()
    wiring = bootstrap_with_doubles(accounts=accounts)
    client = wiring.app().test_client()
    session = accounts.start_session(STUDENT_PRINCIPAL)
    client.set_cookie("sp_session", session.session_id)
    form = {"csrf_token": session.csrf_token, "phase": "selection", **REPORT}
    codes = [client.post("/pages/report", data=form).status_code for _ in range(FILING_PER_PERSON.attempts + 1)]
    assert codes == [302] * FILING_PER_PERSON.attempts + [429]
    refused = client.post("/pages/report", data=form)
    assert refused.status_code == 429 and "Retry-After" in refused.headers
    assert "minuten" in refused.get_data(as_text=True)
