"""A re-match after release moves no binding placement (issue 14.1), seen by the coordinator in the browser.

The first round places the four students of school A on the two places there are, and is released with an
answer window of a week. Then three late students of school B arrive, and one new place with one slot. A
fair re-match that could move released students would take places from school A to lift school B's rate;
since every released placement is still inside its answer window, the re-match keeps all four and fills only
the new slot. The coordinator starts the re-match on the overview page and reads the comparison in words.

The pool comes in as intake's events on the platform's real Kafka; the matcher is a real process.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest
import requests

from stagepool_shared.testing.samples import sample_payload
from stagepool_shared.testing.waiting import wait_until

import browser_kit as kit
from browser_kit import login

pytestmark = pytest.mark.browser

REGION, PERIOD = "reg-test", "2031-p1"
FIRST = {"stu_" + f"{i:032x}": "sch-a" for i in range(4)}
LATE = {"stu_" + f"{i:032x}": "sch-b" for i in range(4, 7)}


def wish(ref: str, school: str):
    return replace(sample_payload("wish.submitted"), student_ref=ref, school_id=school, region_id=REGION,
                   period_id=PERIOD, support_needs=[], top_places=[])


def round_status(matcher: str, headers: dict, round_id: str) -> str:
    return requests.get(f"{matcher}/api/v1/rounds/{round_id}", headers=headers, timeout=10).json()["status"]


@pytest.fixture(scope="module")
def released_first_round(platform, people) -> str:
    """The first round, placing school A's four students, approved by two of its staff and released now."""
    matcher = platform.services["matcher"].url
    kit.publish(platform, REGION, [("wish.submitted", wish(ref, school)) for ref, school in FIRST.items()]
            + [("place.posted", kit.place(p, 2, REGION, PERIOD)) for p in ("plc-first", "plc-second")])
    wait_until(lambda: kit.matcher_has(people.redis, REGION, PERIOD, wishes=4, places=2), 60,
               message="the matcher did not project the first pool")
    coordinator = people.headers("usr-coord-api", "regional_coordinator", REGION, REGION)
    answer = requests.post(f"{matcher}/api/v1/rounds", json={"region_id": REGION, "period_id": PERIOD},
                           headers=coordinator, timeout=10)
    round_id = answer.json()["round_id"]
    wait_until(lambda: round_status(matcher, coordinator, round_id) == "proposed", 60, interval=0.5,
               message="the first round was not proposed")
    for user in ("usr-bpv-a1", "usr-bpv-a2"):
        approval = requests.post(f"{matcher}/api/v1/rounds/{round_id}/approvals", timeout=10,
                                 headers=people.headers(user, "school_staff", "sch-a", REGION))
        assert approval.status_code == 201
    now = datetime.now(timezone.utc)
    window = {"release_at": now.isoformat(), "respond_by": (now + timedelta(days=7)).isoformat()}
    assert requests.post(f"{matcher}/api/v1/rounds/{round_id}/release", json=window, headers=coordinator,
                         timeout=10).status_code == 202
    wait_until(lambda: round_status(matcher, coordinator, round_id) == "released", 60, interval=0.5,
               message="the first round was not released")
    return round_id


def test_a_rematch_after_release_keeps_every_binding_placement_and_says_so_in_words(
        platform, people, released_first_round, page_for, shot):
    matcher = platform.services["matcher"].url
    kit.publish(platform, REGION, [("wish.submitted", wish(ref, school)) for ref, school in LATE.items()]
            + [("place.posted", kit.place("plc-third", 1, REGION, PERIOD))])
    wait_until(lambda: kit.matcher_has(people.redis, REGION, PERIOD, wishes=7, places=3), 60,
               message="the late students and the new place were not projected")
    people.user("coord", "regional_coordinator", REGION, REGION)
    page = page_for()
    login(page, matcher, "coord")
    page.get_by_label(re.compile("Soort ronde")).select_option("rematch")
    page.get_by_label(re.compile("Vergelijken met")).select_option(released_first_round)
    with page.expect_navigation():
        page.get_by_role("button", name="Ronde starten").click()
    rematch = page.url.split("/rounds/")[1].split("?")[0]

    def proposed() -> bool:
        page.reload()
        return page.locator("#round-status").inner_text() == "voorgesteld"

    wait_until(proposed, 60, interval=0.5, message=f"the re-match {rematch} was not proposed")
    shot(page, "1-rematch-compared")
    movement = page.locator("#movement").inner_text()
    assert "4 studenten houden dezelfde plaats" in movement, movement
    assert "1 student krijgt een plaats" in movement, movement
    assert "0 studenten verliezen hun plaats" in movement and "0 studenten krijgen een andere plaats" in movement
    headers = people.headers("usr-coord-api", "regional_coordinator", REGION, REGION)
    outcomes = requests.get(f"{matcher}/api/v1/rounds/{rematch}", headers=headers, timeout=10).json()["outcomes"]
    placed = {o["student_ref"]: o["place_id"] for o in outcomes if o["status"] in ("placed", "kept")}
    assert {ref: placed.get(ref) for ref in FIRST} == first_places(matcher, headers, released_first_round)
    assert sum(1 for ref in LATE if placed.get(ref) == "plc-third") == 1 and len(placed) == 5


def first_places(matcher: str, headers: dict, round_id: str) -> dict[str, str]:
    outcomes = requests.get(f"{matcher}/api/v1/rounds/{round_id}", headers=headers, timeout=10).json()["outcomes"]
    return {o["student_ref"]: o["place_id"] for o in outcomes if o["status"] == "placed"}
