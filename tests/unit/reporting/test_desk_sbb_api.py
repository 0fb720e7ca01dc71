"""Issue 20.6 over the API: forwarding answers the export, the export comes as JSON and CSV, SBB's answer and the
measures answer field errors with the right status and change nothing, the overdue list is sorted, and only the
desk reaches any of it (everyone else 404); the setting of the answer's days."""

from __future__ import annotations

import csv
import io

import pytest

from reporting.commands.desk import NewReport, change_status, file_report
from reporting.config import Settings
from reporting.domain.sbb import EXPORT_FIELDS

from tests.fakes.reporting import (DESK_PRINCIPAL, KEY, PERIOD, STUDENT, STUDENT_PRINCIPAL,
                                   bootstrap_with_doubles)

ROLES = {"student": STUDENT, "school_staff": "sch-alfa", "regional_coordinator": "reg-groningen",
         "organisation_staff": "org-umcg", "desk_staff": "reg-groningen"}


@pytest.fixture
def api(wiring):
    client = wiring.app().test_client()
    tokens = {role: wiring.tokens.issue(f"usr-{role}", role, scope, region_id="reg-groningen")
              for role, scope in ROLES.items()}

    def call(method: str, path: str, role: str | None = "desk_staff", **kwargs):
        headers = {"Authorization": f"Bearer {tokens[role]}"} if role else {}
        return client.open(path, method=method, headers=headers, **kwargs)
    return call


@pytest.fixture
def case_id(deps) -> str:
    case = file_report(deps, STUDENT_PRINCIPAL, NewReport(description="CANARY-api remark", incident_date="2027-02-20",
                                                          organisation_id="org-umcg", period_id=PERIOD))
    change_status(deps, DESK_PRINCIPAL, case.report_id, "in_progress", None)
    return case.report_id


def base(case_id: str) -> str:
    return f"/api/v1/desk/reports/{case_id}"


def test_forwarding_answers_the_case_and_the_export_and_the_export_comes_as_csv_too(api, case_id):
    forwarded = api("POST", base(case_id) + "/sbb-forward")
    assert forwarded.status_code == 200
    body = forwarded.get_json()
    assert body["case"]["status"] == "forwarded_to_sbb" and body["case"]["sbb"]["export_version"] == 1
    assert list(body["export"]) == list(EXPORT_FIELDS)
    assert api("GET", base(case_id) + "/sbb-export").get_json() == body["export"]
    exported = api("GET", base(case_id) + "/sbb-export?format=csv")
    assert exported.mimetype == "text/csv"
    [row] = list(csv.DictReader(io.StringIO(exported.get_data(as_text=True))))
    assert tuple(row) == EXPORT_FIELDS and row["case_id"] == case_id
    assert "CANARY-api" not in exported.get_data(as_text=True) and STUDENT not in exported.get_data(as_text=True)


def test_forwarding_twice_is_a_conflict(api, case_id):
    api("POST", base(case_id) + "/sbb-forward")
    assert api("POST", base(case_id) + "/sbb-forward").status_code == 409


def test_the_export_of_a_case_not_forwarded_is_a_field_error(api, case_id):
    refused = api("GET", base(case_id) + "/sbb-export")
    assert refused.status_code == 422 and "report_id" in refused.get_json()["fields"]


def test_the_answer_and_a_measure_are_recorded_and_the_measure_gets_its_status(api, case_id):
    api("POST", base(case_id) + "/sbb-forward")
    answered = api("POST", base(case_id) + "/sbb-answer",
                   json={"answered_on": "2027-03-01", "reference": "SBB-2027-0042", "outcome": "unfounded"})
    assert answered.status_code == 200 and answered.get_json()["sbb"]["answer"]["outcome"] == "unfounded"
    added = api("POST", base(case_id) + "/sbb-measures",
                json={"description": "Improvement plan", "owner_role": "organisation_staff", "deadline": "2027-04-01"})
    assert added.status_code == 201 and added.get_json()["measure_id"] == "msr-1"
    done = api("POST", base(case_id) + "/sbb-measures/msr-1", json={"status": "done"})
    assert done.status_code == 200 and done.get_json()["sbb"]["measures"][0]["status"] == "done"
    read = api("GET", base(case_id)).get_json()
    assert read["sbb"]["measures"][0]["description"] == "Improvement plan"
    assert [s["action"] for s in read["sbb"]["steps"]] == ["forwarded", "answer_recorded", "measure_added",
                                                           "measure_updated"]


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/sbb-answer", {"answered_on": "2027-03-01", "reference": "R-1", "outcome": "fined"}, "outcome"),
    ("/sbb-answer", {"answered_on": "2027-03-09", "reference": "R-1", "outcome": "unfounded"}, "answered_on"),
    ("/sbb-answer", {"answered_on": "2027-03-01", "reference": "", "outcome": "unfounded"}, "reference"),
    ("/sbb-measures", {"description": "", "owner_role": "sbb", "deadline": "2027-04-01"}, "description"),
    ("/sbb-measures", {"description": "plan", "owner_role": "sbb", "deadline": "2027-02-01"}, "deadline"),
    ("/sbb-measures", {"description": "plan", "owner_role": "mayor", "deadline": "2027-04-01"}, "owner_role"),
    ("/sbb-measures", {"description": "plan", "owner_role": "sbb", "deadline": "2027-04-01", "extra": 1}, "extra"),
    ("/sbb-measures/msr-1", {"status": "forgotten"}, "status"),
])
def test_bad_input_is_a_422_at_its_field_and_changes_nothing(api, case_id, deps, path, body, field):
    api("POST", base(case_id) + "/sbb-forward")
    api("POST", base(case_id) + "/sbb-measures", json={"description": "x", "owner_role": "sbb",
                                                       "deadline": "2027-04-01"})
    before, sealed = deps.desk_store.case(case_id), deps.desk_store.sealed[case_id]
    refused = api("POST", base(case_id) + path, json=body)
    assert refused.status_code == 422 and field in refused.get_json()["fields"], refused.get_json()
    assert (deps.desk_store.case(case_id), deps.desk_store.sealed[case_id]) == (before, sealed)


def test_a_field_error_reads_in_dutch_by_default_and_in_english_on_request(api, case_id):
    api("POST", base(case_id) + "/sbb-forward")
    body = {"description": " ", "owner_role": "sbb", "deadline": "2027-04-01"}
    assert api("POST", base(case_id) + "/sbb-measures", json=body).get_json()["fields"] == {
        "description": ["Beschrijf de maatregel."]}
    assert api("POST", base(case_id) + "/sbb-measures?lang=en", json=body).get_json()["fields"] == {
        "description": ["Describe the measure."]}


def test_an_answer_to_a_case_never_forwarded_is_refused_at_the_case(api, case_id):
    refused = api("POST", base(case_id) + "/sbb-answer",
                  json={"answered_on": "2027-03-01", "reference": "R-1", "outcome": "unfounded"})
    assert refused.status_code == 422 and "report_id" in refused.get_json()["fields"]


def test_the_overdue_list_is_sorted_most_overdue_first(api, case_id, clock):
    api("POST", base(case_id) + "/sbb-forward")
    api("POST", base(case_id) + "/sbb-measures", json={"description": "x", "owner_role": "sbb",
                                                       "deadline": "2027-03-05"})
    clock.advance(days=40)
    items = api("GET", "/api/v1/desk/sbb-overdue").get_json()["overdue"]
    assert [(i["kind"], i["days"]) for i in items] == [("measure", 36), ("answer", 10)]


@pytest.mark.parametrize("role", ["student", "school_staff", "regional_coordinator", "organisation_staff", None])
def test_everyone_but_the_desk_gets_404_and_changes_nothing(api, case_id, deps, role):
    api("POST", base(case_id) + "/sbb-forward")
    before = deps.desk_store.case(case_id)
    for method, path, body in (
            ("GET", base(case_id) + "/sbb-export", None),
            ("POST", base(case_id) + "/sbb-answer", {"answered_on": "2027-03-01", "reference": "R", "outcome": "x"}),
            ("POST", base(case_id) + "/sbb-measures", {"description": "x"}),
            ("POST", base(case_id) + "/sbb-measures/msr-1", {"status": "done"}),
            ("GET", "/api/v1/desk/sbb-overdue", None)):
        assert api(method, path, role, json=body).status_code == 404
    assert deps.desk_store.case(case_id) == before


def test_the_days_until_sbbs_answer_is_overdue_are_a_setting():
    env = {"KAFKA_BOOTSTRAP_SERVERS": "k:9092", "REDIS_URL": "redis://r", "REPORTING_DESK_KEY": KEY.decode()}
    assert Settings.from_env(env).deadlines.sbb_answer_days == 30
    assert Settings.from_env({**env, "REPORTING_SBB_ANSWER_DAYS": "7"}).deadlines.sbb_answer_days == 7
    assert bootstrap_with_doubles().deps.deadlines.sbb_answer_days == 30
