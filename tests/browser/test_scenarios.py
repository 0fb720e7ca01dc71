"""A regional coordinator runs a what-if scenario in the browser (issue 16.4): "+20 care places at one
organisation", run in the matcher's scenario worker, and the comparison of the four policies on the page.

The pool comes in as the events intake publishes, on the platform's real Kafka; the matcher, a real process,
projects it; the scenario never changes that projection.
"""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from playwright.sync_api import Page

from stagepool_shared.envelope import new_envelope
from stagepool_shared.kafka import EventPublisher
from stagepool_shared.testing.samples import sample_payload
from stagepool_shared.testing.waiting import wait_until

from browser_kit import login

pytestmark = pytest.mark.browser

REGION, PERIOD = "reg-test", "2032-p1"
SCHOOLS = ["sch-a", "sch-a", "sch-a", "sch-a", "sch-b", "sch-b"]


@pytest.fixture(scope="module")
def pool(platform, people):
    """Six care students of two schools and one care place with two slots at org-care."""
    wishes = [("wish.submitted", replace(sample_payload("wish.submitted"), student_ref=f"stu_{i:032x}",
                                         school_id=school, region_id=REGION, period_id=PERIOD, top_places=[]))
              for i, school in enumerate(SCHOOLS)]
    place = replace(sample_payload("place.posted"), place_id="plc-care", organisation_id="org-care",
                    region_id=REGION, period_id=PERIOD, slots=2, supervision_capacity=2, reserved=[],
                    irregular_shifts=False)
    publisher = EventPublisher(platform.kafka.bootstrap, "browser-test")
    try:
        publisher.publish_all([new_envelope(kind, payload, producer="intake", partition_key=REGION)
                               for kind, payload in wishes + [("place.posted", place)]])
    finally:
        publisher.close()
    key = f"matcher:region:{REGION}:period:{PERIOD}"
    wait_until(lambda: people.redis.hlen(key + ":wishes") == 6 and people.redis.hlen(key + ":places") == 1, 60,
               message="the matcher did not project the pool")
    return key


def comparison_ready(page: Page) -> bool:
    page.reload()
    return page.locator("#comparison").count() == 1


def test_a_coordinator_runs_a_scenario_with_20_more_care_places_and_compares_the_four_policies(
        platform, people, pool, page_for, shot):
    matcher = platform.services["matcher"].url
    people.user("scenario-coord", "regional_coordinator", REGION, REGION)
    page = page_for()
    login(page, matcher, "scenario-coord")
    page.goto(matcher + "/pages/coordinator")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("Wat-als-scenario")).click()
    page.get_by_label(re.compile("^Periode")).fill(PERIOD)
    with page.expect_navigation():
        page.get_by_role("button", name="Pool kopiëren").click()
    assert "6 studenten, 2 plekken" in page.locator("main").inner_text()

    page.get_by_label(re.compile("^Plekken erbij")).fill("20")
    page.get_by_label(re.compile("^Organisatie")).fill("org-care")
    page.get_by_label(re.compile("^Sector")).select_option("zorg")
    with page.expect_navigation():
        page.get_by_role("button", name="Wijziging toevoegen").click()
    assert "Plekken +20 bij org-care · zorg" in page.locator("#edits").inner_text()
    shot(page, "1-edited")

    with page.expect_navigation():
        page.get_by_role("button", name="Doorrekenen").click()
    wait_until(lambda: comparison_ready(page), 90, interval=0.5, message="the scenario was never computed")
    shot(page, "2-compared")
    table = page.locator("#comparison")
    headers = table.locator("thead th").all_inner_texts()
    assert [h[:3] for h in headers[1:]] == ["(a)", "(b)", "(c)", "(d)"]
    placed = table.locator("tbody tr", has_text=re.compile("^Geplaatst")).first.locator("td").all_inner_texts()
    assert placed == ["6", "6", "6", "6"]  # 22 care places for 6 students under every policy
    assert page.locator("svg rect.bar").count() >= 16  # four charts, a bar per policy
    assert people.redis.hget(pool + ":places", "plc-care") is not None  # the live place is as it was
    assert b'"slots":2' in people.redis.hget(pool + ":places", "plc-care").replace(b" ", b"")
