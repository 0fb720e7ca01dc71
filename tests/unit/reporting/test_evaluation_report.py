"""End evaluations where they leave reporting (issue 20.5): the period report's sections (HTML, CSV, XLSX) per
evaluator, phase, organisation and school with small cells suppressed and no score per organisation or school
(R135); the metrics per evaluator and phase only; the organisation signals; the API and the organisation's page."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook
from prometheus_client import CollectorRegistry, generate_latest

from reporting.commands.followup import read_signals, signal_regions
from reporting.commands.report import figures_of_period
from reporting.domain.evaluations import Evaluation
from reporting.metrics import ReportingCollector
from reporting.report.render import render_csv, render_html
from reporting.report.tables import report_tables
from reporting.report.workbook import render_xlsx
from tests.fakes import Clock, FakeAccounts
from tests.fakes.reporting import (ORG_PRINCIPAL, PERIOD, REGION, STUDENT, bootstrap_with_doubles, seeded_views,
                                   started_pok)

BIG, SMALL = "org-umcg", "org-small"


def student(i: int) -> str:
    return f"stu_{i:032d}"


def said(i: int, by: str, org: str = BIG, school: str = "sch-alfa", **phases) -> dict:
    """The record an evaluation of student i by `by` leaves in the views (scores 3, 4, 5, 3, ...)."""
    return Evaluation(student(i), school, org, by, 3 + i % 3, i % 2 == 0,
                      {p: phases.get(p) for p in ("searching", "introduction", "during")}).record()


@pytest.fixture
def region():
    """Seven placements that started: six at org-umcg (sch-alfa), one at org-small (sch-beta). Every student
    evaluated (five of org-umcg's experienced discrimination during the placement, one only while searching, and
    org-small's one during it), org-umcg evaluated five, the school two."""
    views = seeded_views()
    wiring = bootstrap_with_doubles(views=views, accounts=FakeAccounts())
    for i in range(7):
        org, school = (BIG, "sch-alfa") if i < 6 else (SMALL, "sch-beta")
        started_pok(wiring.deps.aftercare, student=student(i), organisation=org, school=school)
        phases = {"searching": True} if i == 5 else {"during": True}
        views.put_evaluation(REGION, PERIOD, student(i), "student", said(i, "student", org, school, **phases))
    for i in range(5):
        views.put_evaluation(REGION, PERIOD, student(i), "organisation", said(i, "organisation"))
    for i in range(2):
        views.put_evaluation(REGION, PERIOD, student(i), "school", said(i, "school"))
    return wiring


def table(figures, key: str):
    (found,) = [t for t in report_tables(figures) if t.key == key]
    return found


def rows(found) -> dict[str, tuple[str, ...]]:
    return {row.labels[0]: row.values for row in found.rows}


def test_the_report_shows_the_response_per_evaluator_and_scores_only_for_the_region(region):
    figures = figures_of_period(region.deps, REGION, PERIOD)
    response = rows(table(figures, "evaluation_response"))
    assert response["student"][:3] == ("7", "7", "100.0%")
    assert response["organisation"][:3] == ("7", "5", "71.4%")
    assert response["school"][1] == "<5" and response["school"][4] == "<5"  # two scores: no mean
    assert response["student"][4] == "3.9"  # the region's mean, over 3+4+5+3+4+5+3


def test_the_report_counts_discrimination_per_phase_with_small_cells_suppressed(region):
    phases = rows(table(figures_of_period(region.deps, REGION, PERIOD), "evaluation_discrimination"))
    assert phases["during"] == ("6", "6", "100.0%")
    assert phases["searching"] == ("<5", "<5", "<5")
    assert phases["introduction"] == ("<5", "<5", "<5")


def test_per_organisation_and_school_the_report_shows_counts_only_never_a_score_or_a_ranking(region):
    figures = figures_of_period(region.deps, REGION, PERIOD)
    organisations, schools = table(figures, "evaluation_by_organisation"), table(figures, "evaluation_by_school")
    for found in (organisations, schools):
        assert not any("satisfaction" in c or "would_again" in c for c in found.columns)
    assert organisations.columns == ("organisation", "placements_started", "responses_student",
                                     "responses_organisation", "responses_school", "discrimination_introduction",
                                     "discrimination_during")
    assert rows(organisations) == {BIG: ("6", "6", "5", "<5", "<5", "5"), SMALL: ("<5", "<5", "<5", "<5", "<5", "<5")}
    assert [row.labels[0] for row in organisations.rows] == sorted([BIG, SMALL])  # by id, not by any score
    assert rows(schools)["sch-alfa"] == ("6", "6", "5", "<5", "<5", "<5", "5")


def test_the_html_csv_and_xlsx_carry_the_evaluation_sections(region):
    figures = figures_of_period(region.deps, REGION, PERIOD)
    html = render_html(figures, "nl", names={"sch-alfa": "Alfa College"})
    assert 'id="evaluation_by_school"' in html and "Ervaren discriminatie per fase" in html
    assert "Alfa College" in html and "Discriminatie tijdens de stage" in html
    assert "Experienced discrimination per phase" in render_html(figures, "en")
    lines = list(csv.DictReader(io.StringIO(render_csv(figures))))
    org_lines = [line for line in lines if line["section"] == "evaluation_by_organisation"]
    assert {line["key"] for line in org_lines} == {BIG, SMALL}
    assert {line["column"] for line in org_lines}.isdisjoint({"satisfaction_mean", "would_again_share"})
    response = {(line["key"], line["column"]): line["value"] for line in lines
                if line["section"] == "evaluation_response"}
    assert response[("organisation", "response_share")] == "71.4%"
    book = load_workbook(io.BytesIO(render_xlsx(figures, "en")))
    assert {"evaluation_response", "evaluation_discrimination", "evaluation_by_organisation",
            "evaluation_by_school"} <= set(book.sheetnames)
    assert [c.value for c in book["evaluation_by_organisation"][1]][:2] == ["Organisation", "Internships started"]


def test_the_metrics_are_per_evaluator_and_phase_without_ids_or_scores_and_small_cells_left_out(region):
    figures = figures_of_period(region.deps, REGION, PERIOD)
    registry = CollectorRegistry()
    registry.register(ReportingCollector(lambda: [figures], list, dict, lambda r: 0, lambda r: 0, list))
    value, labels = registry.get_sample_value, {"region": REGION, "period": PERIOD}
    assert value("stagepool_evaluation_responses", {**labels, "evaluator": "student"}) == 7
    assert value("stagepool_evaluation_responses", {**labels, "evaluator": "school"}) is None
    assert value("stagepool_evaluation_response_share", {**labels, "evaluator": "organisation"}) == pytest.approx(5 / 7)
    assert value("stagepool_evaluation_discrimination", {**labels, "phase": "during"}) == 6
    assert value("stagepool_evaluation_discrimination", {**labels, "phase": "searching"}) is None
    exported = [line for line in generate_latest(registry).decode().splitlines()
                if line.startswith("stagepool_evaluation")]
    assert exported and not any(marker in line for line in exported for marker in ("org-", "sch-", "stu_"))


def test_discrimination_in_evaluations_feeds_the_organisations_signal_and_escalates_it(region):
    signals = {s["organisation_id"]: s for s in read_signals(region.deps, REGION)["organisations"]}
    assert signals[BIG]["discrimination_in_evaluations"] == "5" and signals[BIG]["escalated"]
    assert signals[SMALL]["discrimination_in_evaluations"] == "<5" and not signals[SMALL]["escalated"]
    assert REGION in signal_regions(region.deps)  # the metrics' escalation flag looks at this region too


def test_discrimination_only_while_searching_does_not_signal_the_organisation():
    views = seeded_views()
    wiring = bootstrap_with_doubles(views=views)
    for i in range(4):
        started_pok(wiring.deps.aftercare, student=student(i))
        views.put_evaluation(REGION, PERIOD, student(i), "student", said(i, "student", searching=True))
    assert read_signals(wiring.deps, REGION)["organisations"] == []


def _token(wiring, role: str, scope: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + wiring.tokens.issue(f"usr-{role}", role, scope, region_id=REGION)}


def test_the_api_takes_the_schools_evaluation_and_refuses_bad_input_per_field():
    wiring = bootstrap_with_doubles(clock=Clock(datetime(2027, 6, 20, 9, 0, tzinfo=UTC)))  # near the end: open
    client, school = wiring.app().test_client(), _token(wiring, "school_staff", "sch-alfa")
    url = f"/api/v1/followup/placements/{STUDENT}/evaluation"
    body = {"period_id": PERIOD, "satisfaction": 4, "would_again": False}
    early = client.post(url, json=body, headers=school)
    assert early.status_code == 422 and list(early.get_json()["fields"]) == ["placement"]
    assert wiring.deps.views.evaluations == {}
    started_pok(wiring.deps.aftercare)
    for bad, field in (({"satisfaction": 6}, "satisfaction"),
                       ({"discrimination_during": "yes"}, "discrimination_during"),
                       ({"discrimination_searching": True}, "discrimination_searching")):
        refused = client.post(url, json={**body, **bad}, headers=school)
        assert refused.status_code == 422 and field in refused.get_json()["fields"], bad
    assert wiring.deps.views.evaluations == {}
    done = client.post(url, json=body, headers=school)
    assert done.status_code == 201 and done.get_json() == {"recorded": True, "by": "school"}


def test_the_organisations_page_says_a_placement_that_never_started_cannot_be_evaluated_yet():
    accounts = FakeAccounts()
    wiring = bootstrap_with_doubles(accounts=accounts)
    client = wiring.app().test_client()
    session = accounts.start_session(ORG_PRINCIPAL)
    client.set_cookie("sp_session", session.session_id)
    answer = client.post(f"/pages/followup/{PERIOD}/{STUDENT}/evaluation",
                         data={"csrf_token": session.csrf_token, "satisfaction": "4", "would_again": "true"})
    assert answer.status_code == 422 and 'id="placement-error"' in answer.get_data(as_text=True)
    assert "Deze stage is niet begonnen: evalueren kan pas aan het einde van de stage." in answer.get_data(as_text=True)
    assert wiring.deps.views.evaluations == {}


def test_before_the_window_the_api_says_in_dutch_and_english_from_when_it_opens_and_stores_nothing():
    wiring = bootstrap_with_doubles()  # MARCH_1; the placement ends on 2027-06-30
    started_pok(wiring.deps.aftercare)
    client, school = wiring.app().test_client(), _token(wiring, "school_staff", "sch-alfa")
    url = f"/api/v1/followup/placements/{STUDENT}/evaluation"
    body = {"period_id": PERIOD, "satisfaction": 4, "would_again": True}
    dutch = client.post(url, json=body, headers=school)
    english = client.post(url + "?lang=en", json=body, headers=school)
    assert dutch.status_code == english.status_code == 422
    assert dutch.get_json()["fields"] == {"placement": [
        "Evalueren kan pas aan het einde van de stage: vanaf 16-06-2027, of zodra de stage is afgerond."]}
    assert english.get_json()["fields"] == {"placement": [
        "The internship can be evaluated only at its end: from 16-06-2027, or once it has ended."]}
    assert wiring.deps.views.evaluations == {}


def test_the_organisations_follow_up_page_invites_it_to_evaluate_once_the_window_is_open():
    accounts, clock = FakeAccounts(), Clock(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    wiring = bootstrap_with_doubles(accounts=accounts, clock=clock)
    started_pok(wiring.deps.aftercare)
    client = wiring.app().test_client()
    session = accounts.start_session(ORG_PRINCIPAL)
    client.set_cookie("sp_session", session.session_id)
    page = f"/pages/followup/{PERIOD}/{STUDENT}"
    before = client.get(page).get_data(as_text=True)
    assert "De eindevaluatie van deze stage opent op 16-06-2027" in before and "Evalueer deze stage" not in before
    refused = client.post(page + "/evaluation", data={"csrf_token": session.csrf_token, "satisfaction": "4",
                                                      "would_again": "true"})
    assert refused.status_code == 422 and "vanaf 16-06-2027" in refused.get_data(as_text=True)
    assert wiring.deps.views.evaluations == {}
    clock.now = datetime(2027, 6, 16, 9, 0, tzinfo=UTC)
    assert 'id="evaluation-invite"' in client.get(page).get_data(as_text=True)
    assert 'href="#evaluation">Evalueer deze stage' in client.get(page).get_data(as_text=True)
    assert "Evaluate this internship" in client.get(page + "?lang=en").get_data(as_text=True)
    assert client.post(page + "/evaluation", data={"csrf_token": session.csrf_token, "satisfaction": "4",
                                                   "would_again": "true"}).status_code == 302
    assert "Evalueer deze stage" not in client.get(page).get_data(as_text=True)  # done: no longer asked
