"""A school renews a student's personal sign-in link (issue 19.10): the new link signs the student in, every
earlier one stops working; only for the school's own students, and only with the page's CSRF token."""

from __future__ import annotations

import re

import pytest

from stagepool_shared.auth import Principal
from stagepool_shared.web.accounts import Accounts

from tests.fakes.intake import submission
from tests.unit.intake.test_pages_school import PASSWORD, sign_in


@pytest.fixture
def school(api):
    response = api.client.post("/api/v1/wishes", json=submission(), headers=api.as_("school_a"))
    assert response.status_code == 202, response.get_json()
    api.ref = response.get_json()["student_ref"]
    accounts = Accounts(api.wiring.redis_client)
    accounts.create_user("school-a", PASSWORD, Principal("u-a", "school_staff", "school-a", "r-noord"))
    accounts.create_user("school-b", PASSWORD, Principal("u-b", "school_staff", "school-b", "r-noord"))
    api.accounts = accounts
    return api


def _link(html: str) -> str:
    return re.search(r'id="new-link" readonly size="60" value="([^"]+)"', html).group(1)


def test_a_renewed_link_signs_the_student_in_and_the_old_one_no_longer_does(school):
    student = Principal(school.ref, "student", school.ref, "r-noord")
    old = school.accounts.create_link(student)
    csrf = sign_in(school.client, "school-a")
    page = school.client.get(f"/pages/school/students/{school.ref}").get_data(as_text=True)
    assert "Nieuwe inloglink maken" in page
    answer = school.client.post(f"/pages/school/students/{school.ref}/link", data={"csrf_token": csrf})
    assert answer.status_code == 200
    link = _link(answer.get_data(as_text=True))
    assert link.startswith("http://127.0.0.1:8003/s/")
    assert school.accounts.principal_for_link(link.rsplit("/", 1)[1]) == student
    assert school.accounts.principal_for_link(old) is None


def test_another_schools_student_gets_no_link(school):
    student = Principal(school.ref, "student", school.ref, "r-noord")
    old = school.accounts.create_link(student)
    csrf = sign_in(school.client, "school-b")
    answer = school.client.post(f"/pages/school/students/{school.ref}/link", data={"csrf_token": csrf})
    assert answer.status_code == 404
    assert school.accounts.principal_for_link(old) == student


def test_renewing_needs_the_pages_csrf_token(school):
    student = Principal(school.ref, "student", school.ref, "r-noord")
    old = school.accounts.create_link(student)
    sign_in(school.client, "school-a")
    answer = school.client.post(f"/pages/school/students/{school.ref}/link", data={"csrf_token": "forged"})
    assert answer.status_code == 400
    assert school.accounts.principal_for_link(old) == student
