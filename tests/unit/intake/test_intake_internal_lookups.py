"""Intake's internal look-ups for the other services' pages: schools' display names for the matcher and
reporting (issue 14.16), and a student's pseudonym from school and student number for the coordinator's search
in reporting (issue 14.10), which never carries the student's name."""

from __future__ import annotations

from tests.fakes.intake import CANARY_EMAIL, CANARY_NAME, STUDENT, submission

NAMES = "/internal/v1/school-names"
REFS = "/internal/v1/student-refs"


def _as_service(api, scope: str) -> dict[str, str]:
    return {"Authorization": "Bearer " + api.wiring.tokens.issue(f"svc-{scope}", "service", scope)}


def _register(api, school_id: str, name: str) -> None:
    body = {"school_id": school_id, "name": name, "contact_email": "stage@school.example"}
    answer = api.client.put(f"/api/v1/schools/{school_id}", json=body, headers=api.as_("coordinator"))
    assert answer.status_code == 200, answer.get_json()


def _student(api) -> str:
    return api.client.post("/api/v1/wishes", json=submission(), headers=api.as_("school_a")).get_json()["student_ref"]


def test_the_matcher_and_reporting_get_schools_display_names_and_unknown_ids_apart(api):
    _register(api, "school-a", "ROC Noorderpoort")
    for scope in ("matcher", "reporting"):
        answer = api.client.get(f"{NAMES}?school_id=school-a&school_id=roc-onbekend", headers=_as_service(api, scope))
        assert answer.status_code == 200, scope
        assert answer.get_json() == {"schools": {"school-a": "ROC Noorderpoort"}, "not_found": ["roc-onbekend"]}


def test_school_names_are_for_the_page_services_only_and_need_valid_ids(api):
    for headers in (api.as_("notifier"), api.as_("school_a"), api.as_("coordinator")):
        assert api.client.get(f"{NAMES}?school_id=school-a", headers=headers).status_code == 403
    matcher = _as_service(api, "matcher")
    assert api.client.get(NAMES, headers=matcher).status_code == 400
    assert api.client.get(f"{NAMES}?school_id=no%20id", headers=matcher).status_code == 400


def test_reporting_finds_a_student_s_pseudonym_by_school_and_number_without_the_name(api):
    ref = _student(api)
    answer = api.client.post(REFS, json={"region_id": "r-noord", "school_id": "school-a",
                                         "student_number": STUDENT["student_number"]},
                             headers=_as_service(api, "reporting"))
    assert answer.status_code == 200
    assert answer.get_json() == {"student_ref": ref}
    text = answer.get_data(as_text=True)
    assert CANARY_NAME not in text and CANARY_EMAIL not in text


def test_an_unknown_number_another_school_or_another_region_is_not_found(api):
    _student(api)
    reporting = _as_service(api, "reporting")
    for body in ({"region_id": "r-noord", "school_id": "school-a", "student_number": "S9999"},
                 {"region_id": "r-noord", "school_id": "school-b", "student_number": STUDENT["student_number"]},
                 {"region_id": "r-zuid", "school_id": "school-a", "student_number": STUDENT["student_number"]}):
        answer = api.client.post(REFS, json=body, headers=reporting)
        assert answer.status_code == 404, body


def test_only_reporting_may_look_up_a_number_and_bad_input_is_a_field_error(api):
    body = {"region_id": "r-noord", "school_id": "school-a", "student_number": STUDENT["student_number"]}
    for headers in (_as_service(api, "matcher"), api.as_("notifier"), api.as_("coordinator")):
        assert api.client.post(REFS, json=body, headers=headers).status_code == 403
    bad = api.client.post(REFS, json={"region_id": "r-noord", "student_number": "S 1001; drop"},
                          headers=_as_service(api, "reporting"))
    assert bad.status_code == 422
    assert set(bad.get_json()["fields"]) == {"school_id", "student_number"}
