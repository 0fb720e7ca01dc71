"""A regional coordinator runs, compares and releases a round in the browser; a school staff member reviews
the proposal for their school and approves it (colleagues of both schools approve through the API: two staff
of every school).

The pool comes in as the events intake publishes (wish.submitted, place.posted) on the platform's real Kafka;
the matcher, as a real process, projects them, computes the rounds and releases at the chosen moment.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
import requests
from playwright.sync_api import Page

from stagepool_shared.events.places import PlaceWithdrawn
from stagepool_shared.testing.samples import sample_payload
from stagepool_shared.testing.waiting import wait_until

import browser_kit as kit
from browser_kit import PHONE, login

pytestmark = pytest.mark.browser

REGION, PERIOD = "reg-test", "2031-p1"
STUDENTS = {"stu_" + f"{i:032x}": school for i, school in enumerate(["sch-a", "sch-a", "sch-a", "sch-b", "sch-b"])}


@pytest.fixture(scope="module")
def pool(platform, people):
    """Five students of two schools and one place with two slots, as the matcher's projection holds them."""
    wishes = [("wish.submitted", replace(sample_payload("wish.submitted"), student_ref=ref, school_id=school,
                                         region_id=REGION, period_id=PERIOD, support_needs=[],
                                         top_places=["plc-first"]))
              for ref, school in STUDENTS.items()]
    kit.publish(platform, REGION, wishes + [("place.posted", kit.place("plc-first", 2, REGION, PERIOD))])
    wait_until(lambda: kit.matcher_has(people.redis, REGION, PERIOD, wishes=5, places=1), 60,
               message="the matcher did not project the pool")
    return STUDENTS


def start_round(page: Page, previous: str | None = None) -> str:
    """Start a round from the overview's form and wait on its page until the proposal is there."""
    if previous:
        page.get_by_label(re.compile("Vergelijken met")).select_option(previous)
    with page.expect_navigation():
        page.get_by_role("button", name="Ronde starten").click()
    round_id = page.url.split("/rounds/")[1].split("?")[0]

    def proposed() -> bool:
        page.reload()
        return page.locator("#round-status").inner_text() == "voorgesteld"

    wait_until(proposed, 60, interval=0.5, message=f"round {round_id} was not proposed")
    return round_id


def test_a_coordinator_runs_compares_and_releases_a_round_after_two_staff_approvals(
        platform, people, pool, page_for, shot):
    matcher = platform.services["matcher"].url
    people.user("coord", "regional_coordinator", REGION, REGION)
    people.user("bpv1", "school_staff", "sch-a", REGION)
    page = page_for()
    login(page, matcher, "coord")
    assert page.url.endswith("/pages/coordinator")
    bars = page.locator("#chart-sector rect.bar")
    assert bars.count() == 2 and bars.first.get_attribute("data-value") == "5"
    shot(page, "1-overview")

    first = start_round(page)
    shot(page, "2-first-round")
    assert page.locator('#figures td[data-figure="placed"]').inner_text() == "2"
    assert "geen enkele verdeling plaatst meer dan 2 studenten" in page.locator("#certificate").inner_text()

    kit.publish(platform, REGION, [("place.posted", kit.place("plc-second", 2, REGION, PERIOD))])
    wait_until(lambda: kit.matcher_has(people.redis, REGION, PERIOD, places=2), 60,
               message="the second place was not projected")
    page.goto(matcher + "/pages/coordinator")
    second = start_round(page, previous=first)
    shot(page, "3-compared")
    compare = page.locator("#compare")
    assert first in compare.inner_text() and second in compare.inner_text()
    assert re.search(r"Geplaatst\s+2\s+4\s+\+2", compare.inner_text())
    movement = page.locator("#movement").inner_text()  # 2 placed before, 4 after: the movement adds up
    assert "dezelfde plaats" in movement and "een andere plaats" in movement
    keep, gain, lose, change = (int(n) for n in re.findall(r"(\d+) student", movement))
    assert keep + lose + change == 2 and keep + gain + change == 4
    assert page.locator("#chart-school rect.bar").count() == 2

    with page.expect_navigation():
        page.get_by_role("button", name="Nu vrijgeven").click()
    shot(page, "4-release-refused")
    conflict = page.locator("#conflict")
    assert "De goedkeuring is niet compleet" in conflict.inner_text() and "2" in conflict.inner_text()

    staff = page_for()
    login(staff, matcher, "bpv1")
    staff.goto(matcher + "/pages/review")
    assert staff.locator("#round-id").inner_text() == second
    shot(staff, "5-review")
    rows = staff.locator("#outcomes tbody tr")
    assert rows.count() == 3 and "reistijd" in staff.locator("#outcomes").inner_text()
    with staff.expect_navigation():
        staff.get_by_role("button", name="Voorstel goedkeuren").click()
    shot(staff, "6-approved")
    assert "Uw goedkeuring is vastgelegd." in staff.locator("main").inner_text()

    for user, school in (("usr-bpv-a2", "sch-a"), ("usr-bpv-b", "sch-b")):  # sch-b: one of its two so far
        colleague = people.headers(user, "school_staff", school, REGION)
        answer = requests.post(f"{matcher}/api/v1/rounds/{second}/approvals", headers=colleague, timeout=10)
        assert answer.status_code == 201 and answer.json()["complete"] is False
    page.goto(f"{matcher}/pages/coordinator/rounds/{second}")  # a reload would post the refused form again
    assert "Compleet" not in page.locator("#approval-state").inner_text()
    assert "1 medewerker(s) van deze school" in page.locator('#approval-schools tr[data-school="sch-b"]').inner_text()
    shot(page, "6b-approval-per-school")
    colleague = people.headers("usr-bpv-b2", "school_staff", "sch-b", REGION)
    answer = requests.post(f"{matcher}/api/v1/rounds/{second}/approvals", headers=colleague, timeout=10)
    assert answer.status_code == 201 and answer.json()["complete"] is True

    page.goto(f"{matcher}/pages/coordinator/rounds/{second}")
    assert "Compleet" in page.locator("#approval-state").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Nu vrijgeven").click()
    assert "Ronde nu vrijgeven?" in page.locator("h1").inner_text()
    with page.expect_navigation():
        page.get_by_role("button", name="Ja, nu vrijgeven").click()
    shot(page, "7-release-set")
    assert "Het moment van vrijgeven is vastgelegd." in page.locator("main").inner_text()

    def released() -> bool:
        page.reload()
        return page.locator("#round-status").inner_text() == "vrijgegeven"

    wait_until(released, 60, interval=0.5, message="the round was not released")
    shot(page, "8-released")

    phone = page_for(PHONE)
    login(phone, matcher, "coord")
    shot(phone, "9-phone-overview")
    assert phone.locator("#rounds").inner_text().count("vrijgegeven") == 1


def test_a_scheduled_release_is_held_when_a_place_it_assigns_is_withdrawn_and_the_page_says_so(
        platform, people, page_for, shot):
    """A round of another period, fully approved and scheduled for later; the organisation withdraws the place
    (place.withdrawn on Kafka): the coordinator's page shows the release held, with the place named."""
    matcher, period = platform.services["matcher"].url, "2031-p2"
    wishes = [("wish.submitted", replace(sample_payload("wish.submitted"), student_ref=ref, school_id=school,
                                         region_id=REGION, period_id=period, support_needs=[], top_places=[]))
              for ref, school in (("stu_" + "a" * 32, "sch-a"), ("stu_" + "b" * 32, "sch-b"))]
    kit.publish(platform, REGION, wishes + [("place.posted", kit.place("plc-held", 2, REGION, period))])
    wait_until(lambda: kit.matcher_has(people.redis, REGION, period, wishes=2, places=1), 60,
               message="the matcher did not project the second period's pool")
    coordinator = people.headers("usr-coord-held", "regional_coordinator", REGION, REGION)
    requested = requests.post(f"{matcher}/api/v1/rounds", json={"region_id": REGION, "period_id": period, "seed": 1},
                              headers=coordinator, timeout=10)
    round_id = requested.json()["round_id"]
    wait_until(lambda: requests.get(f"{matcher}/api/v1/rounds/{round_id}", headers=coordinator,
                                    timeout=10).json()["status"] == "proposed", 60, message="no proposal")
    for user, school in (("usr-h-a1", "sch-a"), ("usr-h-a2", "sch-a"), ("usr-h-b1", "sch-b"), ("usr-h-b2", "sch-b")):
        approved = requests.post(f"{matcher}/api/v1/rounds/{round_id}/approvals", timeout=10,
                                 headers=people.headers(user, "school_staff", school, REGION))
        assert approved.status_code == 201
    people.user("coord-held", "regional_coordinator", REGION, REGION)
    page = page_for()
    login(page, matcher, "coord-held")
    page.goto(f"{matcher}/pages/coordinator/rounds/{round_id}")
    page.get_by_label("Moment van vrijgeven").fill("2031-01-15T09:00")
    page.get_by_label("Studenten reageren uiterlijk").fill("2031-01-22T17:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Moment vastleggen").click()
    assert "15-01-2031 09:00" in page.locator("#release-moment").inner_text()

    withdrawn = PlaceWithdrawn("plc-held", "org-plc-held", REGION, period)
    kit.publish(platform, REGION, [("place.withdrawn", withdrawn)])

    def held() -> bool:
        page.goto(f"{matcher}/pages/coordinator/rounds/{round_id}")
        return page.locator("#release-held").count() == 1

    wait_until(held, 60, interval=0.5, message="the release was not held")
    shot(page, "10-release-held")
    notice = page.locator("#release-held").inner_text()
    assert "De vrijgave is tegengehouden" in notice and "plc-held" in notice
    assert page.locator("#release-moment").count() == 0
    page.goto(f"{matcher}/pages/coordinator")
    assert round_id in page.locator("#held-releases").inner_text()
    shot(page, "11-overview-alert")
