"""Capacity planning in the browser (issue 16): an organisation opts out with a reason on intake's planning
page, a school's forecast and another organisation's supply come in through intake's API, and the regional
coordinator reads reporting's supply-and-demand board with its early warning and the opt-out counted.

Intake and reporting run as real processes on real Kafka and Redis; the planning events travel between them.
"""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page

from stagepool_shared.testing.waiting import wait_until

from browser_kit import DESKTOP, login

pytestmark = pytest.mark.browser

REGION, PERIOD, YEAR = "reg-test", "2033-najaar", "2033-2034"


@pytest.fixture(scope="module")
def planned(platform, people):
    """The period in intake, a school's forecast of 30 care students and an organisation's 8 places."""
    intake = platform.services["intake"].url
    answer = requests.put(f"{intake}/api/v1/periods/{PERIOD}", timeout=30,
                          headers=people.headers("usr-coord-p", "regional_coordinator", REGION),
                          json={"period_id": PERIOD, "name": "Najaar 2033", "starts_on": "2033-09-01",
                                "ends_on": "2034-01-31", "sectors": ["zorg"]})
    assert answer.status_code == 200, answer.text
    lines = [{"period_id": PERIOD, "crebo": "25480", "level": 3, "study_year": 2, "students": 30}]
    answer = requests.post(f"{intake}/api/v1/forecasts", json={"lines": lines}, timeout=30,
                           headers=people.headers("usr-school-p", "school_staff", "sch-plan"))
    assert answer.status_code == 202, answer.text
    supply = [{"period_id": PERIOD, "sector": "zorg", "crebos": ["25480"], "slots": 8}]
    answer = requests.post(f"{intake}/api/v1/supply", json={"lines": supply}, timeout=30,
                           headers=people.headers("usr-org-p", "organisation_staff", "org-open"))
    assert answer.status_code == 202, answer.text


def test_an_organisation_opts_out_and_the_coordinator_reads_the_board_with_its_warning(
        platform, people, planned, page_for, shot):
    intake, reporting = platform.services["intake"].url, platform.services["reporting"].url
    people.user("org-closed", "organisation_staff", "org-closed")
    page: Page = page_for(DESKTOP)
    login(page, intake, "org-closed")
    page.goto(intake + "/pages/organisation/planning")
    page.get_by_label("Doet u mee?").select_option("opted_out")
    with page.expect_navigation():
        page.locator("#participation-form button[type=submit]").click()
    shot(page, "1-reason-missing")
    assert page.locator("#f-reason_code-error").is_visible()
    page.get_by_label("Doet u mee?").select_option("opted_out")
    page.get_by_label("Reden").select_option("no_supervisor")
    page.get_by_label(re.compile("Toelichting")).fill("Onze praktijkopleider is met verlof.")
    with page.expect_navigation():
        page.locator("#participation-form button[type=submit]").click()
    assert "wij doen niet mee" in page.locator("#participation-now").inner_text()
    shot(page, "2-opted-out")

    people.user("coord-plan", "regional_coordinator", REGION)
    board = page_for(DESKTOP)
    login(board, reporting, "coord-plan")

    def counted() -> bool:
        board.goto(reporting + f"/pages/coordinator/board?year={YEAR}")
        return board.locator("#warnings li.warning").count() > 0 and board.locator(
            "#board_participation tr", has_text="Doet niet mee").count() > 0
    wait_until(counted, 60, interval=1.0, message="the board did not show the warning and the opt-out")
    shot(board, "3-board")
    assert f"{PERIOD} / zorg: tekort van 22" in board.locator("#warnings").inner_text()
    rows = board.locator("#board_participation tbody tr").all_inner_texts()
    assert "Doet niet mee\t1" in rows and "Doet mee\t1" in rows  # org-open offers places, said nothing else
    assert board.locator("#board-bars rect.bar.demand").first.is_visible()
