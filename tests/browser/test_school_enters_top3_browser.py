"""A school enters a student's top 3 on the student's page, for a student who asks (issue 15.2): only places the
student is eligible for are offered, named as the catalogue names them, in rank order; after saving, the page
lists the top 3 by name. Headless Chromium, intake as a process, real Kafka and Redis."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from browser_kit import DESKTOP, login
from test_student import PLACE, WISH, call

pytestmark = pytest.mark.browser

REGION, SCHOOL, ORG, PERIOD = "reg-t3", "sch-t3", "org-t3", "p-t3-1"


def test_the_school_enters_a_students_top_3_from_the_places_the_student_may_have(platform, people, page_for, shot):
    intake = platform.services["intake"].url
    call("PUT", f"{intake}/api/v1/periods/{PERIOD}", people.headers("usr-coord", "regional_coordinator", REGION, REGION),
         {"period_id": PERIOD, "name": "Voorjaar 2027", "starts_on": "2027-02-01", "ends_on": "2027-06-30"})
    staff = people.headers("usr-t3", "school_staff", SCHOOL, REGION)
    ref = call("POST", f"{intake}/api/v1/wishes", staff, {
        "student": {**WISH["student"], "student_number": "T3-1", "name": "Tessa Top", "email": "t3@example.org"},
        "wish": {**WISH["wish"], "period_id": PERIOD}})["student_ref"]
    org = people.headers("usr-org-t3", "organisation_staff", ORG, REGION)
    for name in ("Zorg Oost", "Zorg West"):
        call("POST", f"{intake}/api/v1/places", org, {**PLACE, "period_id": PERIOD, "organisation_name": name})
    call("POST", f"{intake}/api/v1/places", org, {**PLACE, "period_id": PERIOD, "organisation_name": "Zorg Hoog",
                                                  "levels": [4]})  # level 4 only: not for this level-3 student
    people.user("bpv-t3", "school_staff", SCHOOL, REGION)
    page = page_for(DESKTOP)
    login(page, intake, "bpv-t3")
    page.goto(f"{intake}/pages/school/students/{ref}")
    first = page.get_by_label("1e keuze")
    options = first.locator("option").all_inner_texts()
    assert options[0] == "Geen" and len(options) == 3, options
    assert any("Zorg Oost" in o for o in options) and any("Zorg West" in o for o in options)
    assert not any("Zorg Hoog" in o for o in options)
    shot(page, "1-top3-form")
    first.select_option(label=next(o for o in options if "Zorg West" in o))
    page.get_by_label("2e keuze").select_option(label=next(o for o in options if "Zorg Oost" in o))
    page.get_by_role("button", name="Top 3 vastleggen").click()
    expect(page.get_by_role("status")).to_contain_text("Vastgelegd: de top 3 van de student.")
    top = page.locator("ol.top3 li").all_inner_texts()
    assert "Zorg West" in top[0] and "Zorg Oost" in top[1] and len(top) == 2, top
    shot(page, "2-top3-recorded")
