"""Intake's internal route for the matcher's review page (issue 14.6): names and student numbers of one
school's own students, only for the matcher's service token, refusing any pseudonym of another school."""

from __future__ import annotations

from tests.fakes.intake import CANARY_NAME, STUDENT, submission

URL = "/internal/v1/schools/{}/student-names"


def _student(api, who="school_a", number="S1001"):
    body = submission()
    body["student"]["student_number"] = number
    return api.client.post("/api/v1/wishes", json=body, headers=api.as_(who)).get_json()["student_ref"]


def test_the_matcher_gets_names_and_numbers_of_a_school_s_own_students(api):
    ref = _student(api)
    answer = api.client.post(URL.format("school-a"), json={"student_refs": [ref, "stu_gone"]},
                             headers=api.as_("other_service"))  # the service token of scope matcher
    assert answer.status_code == 200
    assert answer.get_json() == {"students": [{"student_ref": ref, "name": CANARY_NAME,
                                               "student_number": STUDENT["student_number"]}],
                                 "not_found": ["stu_gone"]}


def test_a_pseudonym_of_another_school_refuses_the_whole_question(api):
    own, foreign = _student(api), _student(api, "school_b", "S2002")
    answer = api.client.post(URL.format("school-a"), json={"student_refs": [own, foreign]},
                             headers=api.as_("other_service"))
    assert answer.status_code == 403 and CANARY_NAME not in answer.get_data(as_text=True)


def test_only_the_matcher_service_may_ask_and_bad_input_is_a_field_error(api):
    ref = _student(api)
    for who in ("notifier", "school_a", "coordinator"):
        answer = api.client.post(URL.format("school-a"), json={"student_refs": [ref]}, headers=api.as_(who))
        assert answer.status_code == 403, who
    bad = api.client.post(URL.format("school-a"), json={"student_refs": []}, headers=api.as_("other_service"))
    assert bad.status_code == 422 and "student_refs" in bad.get_json()["fields"]


def test_reporting_gets_a_name_for_the_printed_placement_agreement(api):
    """Issue 20.1: reporting asks the same question, per view of a printed POK, with its own service token."""
    ref = _student(api)
    token = api.wiring.tokens.issue("svc-r", "service", "reporting", region_id="")
    answer = api.client.post(URL.format("school-a"), json={"student_refs": [ref]},
                             headers={"Authorization": "Bearer " + token})
    assert answer.status_code == 200 and answer.get_json()["students"][0]["name"] == CANARY_NAME
