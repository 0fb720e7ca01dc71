"""School staff review a proposal by name (issue 14, points 6 and 7): their own students by name and student
number, places and organisations by name, a search on the server, and an objection with a required reason;
the coordinator sees the objection in the round's audit trail, and a re-solve keeps it.

Students and places come in through intake's API (names stay in intake); the matcher, as a real process,
asks intake for the names of the signed-in school's students while it renders the page.
"""

from __future__ import annotations

import pytest
import requests
from playwright.sync_api import Page, expect

from stagepool_shared.testing.waiting import wait_until

from browser_kit import login
from matcher.adapters.keys import Keys

pytestmark = pytest.mark.browser

REGION, PERIOD, SCHOOL = "reg-names", "p-names-1", "sch-names"
STUDENTS = {"N001": "Fenna Fictief", "N002": "Gijs Gefingeerd", "N003": "Hanna Hypothetisch"}
PLACES = {"org-names-a": ("Zorggroep Bezwaar", "Bezwaarweg 1, Groningen"),
          "org-names-b": ("Thuiszorg Uitwijk", "Uitwijkstraat 2, Groningen")}
WISH = {"period_id": PERIOD, "sector": "zorg", "crebo": "25491", "level": 3, "study_year": 1, "pathway": "bol",
        "home": {"postcode": "9711 AB"}, "max_travel_minutes": 45, "transport_mode": "bike"}


@pytest.fixture(scope="module")
def season(platform, people):
    """Three students of one school and two places of two organisations, posted through intake and projected
    by the matcher; a school staff member and the coordinator with page accounts."""
    intake = platform.services["intake"].url
    coordinator = people.headers("usr-coord-n", "regional_coordinator", REGION, REGION)
    period = {"period_id": PERIOD, "name": "Voorjaar 2031", "starts_on": "2031-02-01", "ends_on": "2031-06-30",
              "sectors": ["zorg"]}
    assert requests.put(f"{intake}/api/v1/periods/{PERIOD}", json=period, headers=coordinator, timeout=10).ok
    school = people.headers("usr-bpv-n0", "school_staff", SCHOOL, REGION)
    for number, name in STUDENTS.items():
        student = {"student_number": number, "name": name, "email": f"{number.lower()}@example.org",
                   "date_of_birth": "2012-03-15"}
        answer = requests.post(f"{intake}/api/v1/wishes", json={"student": student, "wish": WISH}, headers=school,
                               timeout=30)
        assert answer.status_code == 202, answer.text
    for org, (organisation_name, address) in PLACES.items():
        place = {"period_id": PERIOD, "organisation_name": organisation_name, "sector": "zorg", "org_type": "vvt",
                 "location": {"postcode": "9711"}, "address": address, "crebos": ["25491"], "levels": [3],
                 "slots": 2, "supervision_capacity": 2}
        answer = requests.post(f"{intake}/api/v1/places", json=place, timeout=30,
                               headers=people.headers(f"usr-{org}", "organisation_staff", org, REGION))
        assert answer.status_code == 202, answer.text
    key = Keys().period(REGION, PERIOD)
    wait_until(lambda: people.redis.hlen(key + ":wishes") == 3 and people.redis.hlen(key + ":places") == 2, 60,
               message="the matcher did not project the pool")
    people.user("bpv-names", "school_staff", SCHOOL, REGION)
    people.user("coord-names", "regional_coordinator", REGION, REGION)
    return coordinator


def proposed_round(platform, coordinator) -> str:
    matcher = platform.services["matcher"].url
    answer = requests.post(f"{matcher}/api/v1/rounds", json={"region_id": REGION, "period_id": PERIOD, "seed": 5},
                           headers=coordinator, timeout=10)
    assert answer.status_code == 202, answer.text
    round_id = answer.json()["round_id"]
    wait_until(lambda: requests.get(f"{matcher}/api/v1/rounds/{round_id}", headers=coordinator,
                                    timeout=10).json()["status"] == "proposed", 60,
               message=f"round {round_id} was not proposed")
    return round_id


def row_of(page: Page, name: str):
    return page.locator("#outcomes tbody tr", has_text=name)


def test_staff_review_by_name_search_object_and_a_re_solve_keeps_the_objection(
        platform, people, season, page_for, shot):
    matcher = platform.services["matcher"].url
    first = proposed_round(platform, season)
    staff = page_for()
    login(staff, matcher, "bpv-names")
    staff.goto(f"{matcher}/pages/review?round={first}")
    shown = staff.locator("main").inner_text()
    assert all(name in shown for name in STUDENTS.values()) and "N001" in shown
    assert "Zorggroep Bezwaar" in shown or "Thuiszorg Uitwijk" in shown
    assert "stu_" not in shown and "pl_" not in shown and "org-" not in shown
    shot(staff, "1-by-name")

    staff.get_by_label("Zoeken op naam, studentnummer, plaats of organisatie").fill("fenna")
    with staff.expect_navigation():
        staff.get_by_role("button", name="Zoeken").click()
    expect(staff.locator("#outcomes tbody tr")).to_have_count(1)
    shot(staff, "2-searched")
    fenna = row_of(staff, "Fenna Fictief").inner_text()
    objected_org = next(org for org, _ in PLACES.values() if org in fenna)

    with staff.expect_navigation():
        staff.get_by_role("button", name="Voorstel goedkeuren").click()
    staff.goto(f"{matcher}/pages/review?round={first}&q=Fenna")
    row_of(staff, "Fenna Fictief").get_by_text("Bezwaar maken").click()
    with staff.expect_navigation():
        row_of(staff, "Fenna Fictief").get_by_role("button", name="Bezwaar vastleggen").click()
    assert "Dit veld is verplicht." in row_of(staff, "Fenna Fictief").inner_text()
    shot(staff, "3-reason-required")
    row = row_of(staff, "Fenna Fictief")
    row.get_by_label("Reden").select_option(label="Reistijd of bereikbaarheid past niet")
    row.get_by_label("Toelichting", exact=False).fill("Besproken met de mentor")
    with staff.expect_navigation():
        row.get_by_role("button", name="Bezwaar vastleggen").click()
    assert "Uw bezwaar is vastgelegd." in staff.locator("main").inner_text()
    expect(staff.get_by_role("button", name="Voorstel goedkeuren")).to_be_visible()  # the approval was withdrawn
    assert "bezwaar gemaakt" in row_of(staff, "Fenna Fictief").inner_text()
    shot(staff, "4-objected")

    coordinator = page_for()
    login(coordinator, matcher, "coord-names")
    coordinator.goto(f"{matcher}/pages/coordinator/rounds/{first}")
    trail = coordinator.locator("#audit-trail").inner_text()
    assert "keurde het voorstel goed" in trail and "maakte bezwaar" in trail and objected_org in trail
    assert "Reistijd of bereikbaarheid past niet" in trail and "Besproken met de mentor" not in trail
    shot(coordinator, "5-audit-trail")

    second = proposed_round(platform, season)
    staff.goto(f"{matcher}/pages/review?round={second}")
    again = row_of(staff, "Fenna Fictief").inner_text()
    assert objected_org not in again
    shot(staff, "6-re-solved")
