"""A variant-2 student chooses one of k candidates on a phone and, after the final round's release, sees the
outcome and why (issue 15.3). The school uses variant 2 with k = 2; the matcher's candidates round offers both
students both places; the student swaps with the other student (who chooses through the API), the final round
grants both choices, is approved and released, and the notifier's student page says the choice was granted.
Headless Chromium, the four services as processes, real Kafka and Redis."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from browser_kit import PHONE
from stagepool_shared.auth import Principal
from stagepool_shared.testing import wait_until
from test_student import PLACE, WISH, call
from matcher.adapters.keys import Keys

pytestmark = pytest.mark.browser

REGION, SCHOOL, ORG, PERIOD = "reg-v2", "sch-v2", "org-v2", "p-v2-1"


def seed(platform, people) -> list[str]:
    """The period with a choice deadline, variant 2 (k = 2) for the programme, two students and two places."""
    intake = platform.services["intake"].url
    call("PUT", f"{intake}/api/v1/periods/{PERIOD}", people.headers("usr-coord", "regional_coordinator", REGION, REGION),
         {"period_id": PERIOD, "name": "Voorjaar 2027", "starts_on": "2027-02-01", "ends_on": "2027-06-30",
          "choices_until": (datetime.now(UTC) + timedelta(days=10)).date().isoformat()})
    staff = people.headers("usr-v2-1", "school_staff", SCHOOL, REGION)
    call("PUT", f"{intake}/api/v1/variants", staff, {"period_id": PERIOD, "crebo": "25491", "variant": 2,
                                                      "candidates": 2})
    refs = [call("POST", f"{intake}/api/v1/wishes", staff, {
        "student": {**WISH["student"], "student_number": f"V2-{i}", "email": f"v2-{i}@example.org"},
        "wish": {**WISH["wish"], "period_id": PERIOD}})["student_ref"] for i in range(2)]
    org = people.headers("usr-org-v2", "organisation_staff", ORG, REGION)
    for name in ("Zorg Noord", "Zorg Zuid"):
        call("POST", f"{intake}/api/v1/places", org, {**PLACE, "period_id": PERIOD, "organisation_name": name})
    key = Keys().period(REGION, PERIOD)
    wait_until(lambda: people.redis.hlen(key + ":wishes") == 2 and people.redis.hlen(key + ":places") == 2
               and people.redis.hlen(key + ":variants") == 1, timeout=60, message="the matcher did not take it in")
    return refs


def matcher_round(platform, people, kind: str, status: str, previous: str | None = None) -> dict:
    """Request a round of `kind` and wait for `status` (its outcomes as the coordinator sees them)."""
    rounds = platform.services["matcher"].url + "/api/v1/rounds"
    coordinator = people.headers("usr-coord", "regional_coordinator", REGION, REGION)
    body = {"region_id": REGION, "period_id": PERIOD, "kind": kind, "seed": 5, "previous_round_id": previous}
    round_id = call("POST", rounds, coordinator, body)["round_id"]
    return wait_until(lambda: (r := call("GET", f"{rounds}/{round_id}", coordinator))["status"] == status
                      and r.get("proposal_published") and r, timeout=90, message=f"the {kind} round: not {status}")


def release(platform, people, round_id: str) -> None:
    """Two staff of the school approve; the coordinator releases a few seconds from now."""
    rounds = platform.services["matcher"].url + "/api/v1/rounds"
    for staff in ("usr-v2-1", "usr-v2-2"):
        call("POST", f"{rounds}/{round_id}/approvals", people.headers(staff, "school_staff", SCHOOL, REGION))
    at = datetime.now(UTC) + timedelta(seconds=3)
    call("POST", f"{rounds}/{round_id}/release", people.headers("usr-coord", "regional_coordinator", REGION, REGION),
         {"release_at": at.isoformat(), "respond_by": (at + timedelta(days=7)).isoformat()})


def test_a_variant_2_student_chooses_on_a_phone_and_then_sees_the_outcome_and_why(platform, people, page_for, shot):
    me, other = seed(platform, people)
    candidates = matcher_round(platform, people, "candidates", "offered")
    pick = {o["student_ref"]: o["place_id"] for o in candidates["outcomes"]}
    intake = platform.services["intake"].url
    wait_until(lambda: all(call("GET", f"{intake}/api/v1/choices/{PERIOD}", people.headers(r, "student", r, REGION))
                           ["offered"] for r in (me, other)), timeout=60, message="intake did not get the offers")

    page = page_for(PHONE)
    page.goto(people.link(Principal(me, "student", me, REGION), service="intake"))
    page.goto(f"{intake}/pages/student/catalogue?period_id={PERIOD}")
    expect(page.locator("#candidates li")).to_have_count(2)
    expect(page.locator("#no-choice")).to_contain_text("houd je de plaats die de matcher voor je koos")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    shot(page, "1-candidates-on-a-phone")
    page.locator("#f-candidate_1").select_option(pick[other])  # the other student's pick; they choose mine
    page.get_by_role("button", name="Keuze bewaren").click()
    expect(page.get_by_role("status").first).to_contain_text("Je keuze is bewaard")
    shot(page, "2-choice-saved")
    call("POST", f"{intake}/api/v1/choices/{PERIOD}", people.headers(other, "student", other, REGION),
         {"choice": [pick[me]]})
    key = Keys().period(REGION, PERIOD) + ":wishes"
    wait_until(lambda: all(f'"top_places":["{pick[r]}"]'.encode() in (people.redis.hget(key, o) or b"")
                           for r, o in ((other, me), (me, other))), timeout=60, message="the choices did not arrive")

    final = matcher_round(platform, people, "final", "proposed", previous=candidates["round_id"])
    mine = next(o for o in final["outcomes"] if o["student_ref"] == me)
    assert (mine["choice"], mine["place_id"]) == ("CHOICE_GRANTED", pick[other])
    release(platform, people, final["round_id"])

    notifier = platform.services["notifier"].url
    page.goto(people.link(Principal(me, "student", me, REGION)))
    wait_until(lambda: page.reload() and page.locator("#choice-why").count(), timeout=60,
               message="the released outcome did not reach the student's page")
    expect(page.locator("ul.why #choice-why")).to_have_text("Je krijgt een plaats die je zelf koos uit je kandidaten.")
    expect(page.get_by_label("Ik accepteer deze stageplek")).to_be_visible()
    assert re.match(re.escape(notifier), page.url)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    shot(page, "3-outcome-and-why")
