"""Issue 14 in a real browser (headless Chromium, real services, Kafka and Redis):

- a superseded outcome cannot be accepted: a student keeps the page of round 1 open while the organisation
  withdraws the place and a re-match round 2 is released; accepting from the old page is refused with a
  clear message and nothing reaches Kafka;
- the student's discrimination report form names the organisation by name: the student types part of the
  name they know, never a code, and the desk's event carries the organisation's id.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from browser_kit import DESKTOP
from stagepool_shared import registry, topics
from stagepool_shared.auth import Principal
from stagepool_shared.kafka import read_log
from stagepool_shared.testing import wait_until

from matcher.adapters.keys import Keys

pytestmark = pytest.mark.browser

REGION, SCHOOL, ORG_A, ORG_B, PERIOD = "reg-sup", "sch-sup", "org-sup-a", "org-sup-b", "p-sup-1"
WISH = {"student": {"student_number": "S-9", "name": "Fenna Fiets", "email": "fenna@example.org",
                    "date_of_birth": "2008-05-01"},
        "wish": {"period_id": PERIOD, "sector": "zorg", "crebo": "25491", "level": 3, "study_year": 2,
                 "pathway": "bol", "home": {"postcode": "9711"}, "max_travel_minutes": 60, "transport_mode": "bike"}}


def place(name: str) -> dict:
    return {"period_id": PERIOD, "organisation_name": name, "sector": "zorg", "org_type": "vvt",
            "location": {"postcode": "9711"}, "address": "Zorgplein 3, Groningen", "crebos": ["25491"],
            "levels": [3], "slots": 1, "supervision_capacity": 1,
            "contact": {"name": "Mevr. Bos", "email": "stage@example.org"}, "start_date": "2027-02-01"}


def call(method: str, url: str, headers: dict[str, str], body: dict | None = None) -> dict:
    response = requests.request(method, url, json=body, headers=headers, timeout=15)
    assert response.ok, f"{method} {url}: {response.status_code} {response.text}"
    return response.json() if response.content else {}


def events(platform, topic: str, event_type: str) -> list:
    return [e for e in (registry.decode(m.value) for m in read_log(platform.kafka.bootstrap, [topic]))
            if e.event_type == event_type]


def release(platform, people, **request) -> str:
    """Request a round, approve it by two staff of the school, release it now; the round id once released."""
    matcher = platform.services["matcher"].url + "/api/v1/rounds"
    coordinator = people.headers("usr-coord-sup", "regional_coordinator", REGION, REGION)
    round_id = call("POST", matcher, coordinator, {"region_id": REGION, "period_id": PERIOD, **request})["round_id"]
    wait_until(lambda: call("GET", f"{matcher}/{round_id}", coordinator).get("status") == "proposed", timeout=60,
               message=f"round {round_id} was not proposed")
    for staff in ("usr-sup-1", "usr-sup-2"):
        call("POST", f"{matcher}/{round_id}/approvals", people.headers(staff, "school_staff", SCHOOL, REGION))
    now = datetime.now(UTC)
    call("POST", f"{matcher}/{round_id}/release", coordinator,
         {"release_at": now.isoformat(), "respond_by": (now + timedelta(days=7)).isoformat()})
    wait_until(lambda: call("GET", f"{matcher}/{round_id}", coordinator).get("status") == "released", timeout=60,
               message=f"round {round_id} was not released")
    return round_id


@pytest.fixture(scope="module")
def season(platform, people):
    """A student, a place at organisation A and a released first round; returns (student_ref, round_id)."""
    intake = platform.services["intake"].url
    call("PUT", f"{intake}/api/v1/periods/{PERIOD}", people.headers("usr-coord-sup", "regional_coordinator",
                                                                     REGION, REGION),
         {"period_id": PERIOD, "name": "Voorjaar 2027", "starts_on": "2027-02-01", "ends_on": "2027-06-30"})
    ref = call("POST", f"{intake}/api/v1/wishes", people.headers("usr-sup-1", "school_staff", SCHOOL, REGION),
               WISH)["student_ref"]
    call("POST", f"{intake}/api/v1/places", people.headers("usr-org-a", "organisation_staff", ORG_A,
                                                                      REGION), place("Zorggroep Stadspark"))
    key = Keys().period(REGION, PERIOD)
    wait_until(lambda: people.redis.hlen(key + ":wishes") and people.redis.hlen(key + ":places"), timeout=60,
               message="the matcher did not take in the wish and the place")
    return ref, release(platform, people)


def student_page(page_for, people, ref: str):
    page = page_for(DESKTOP)
    page.goto(people.link(Principal(ref, "student", ref, REGION)))
    return page


def test_a_superseded_outcome_cannot_be_accepted_from_a_page_left_open(platform, people, season, page_for, shot):
    ref, first = season
    notifier, intake = platform.services["notifier"].url, platform.services["intake"].url
    stale = student_page(page_for, people, ref)

    def shows_first() -> bool:
        stale.reload()
        return stale.get_by_text("Zorggroep Stadspark").count() > 0

    wait_until(shows_first, timeout=60, interval=0.5,
               message="the student page did not show round 1's placement")
    expect(stale.get_by_label("Ik accepteer deze stageplek")).to_be_visible()
    shot(stale, "1-round-1-open")

    org_a = people.headers("usr-org-a", "organisation_staff", ORG_A, REGION)
    [place_a] = call("GET", f"{intake}/api/v1/places", org_a)["place_ids"]
    requests.delete(f"{intake}/api/v1/places/{place_a}", headers=org_a, timeout=15).raise_for_status()
    call("POST", f"{intake}/api/v1/places", people.headers("usr-org-b", "organisation_staff", ORG_B, REGION),
         place("Thuiszorg Oosterpoort"))
    key = Keys().period(REGION, PERIOD) + ":places"
    wait_until(lambda: any(ORG_B.encode() in v for v in people.redis.hvals(key)), timeout=60,
               message="the matcher did not take in the new place")
    second = release(platform, people, kind="rematch", previous_round_id=first)

    fresh = student_page(page_for, people, ref)

    def shows_history() -> bool:
        fresh.reload()
        return fresh.get_by_text("Eerdere rondes").count() > 0

    wait_until(shows_history, timeout=60, interval=0.5,
               message=f"the student page did not show round {second} as current")
    expect(fresh.locator(f"form[action$='/{first}/answer']")).to_have_count(0)
    shot(fresh, "2-round-2-current-round-1-history")

    stale.get_by_label("Ik accepteer deze stageplek").check()
    stale.get_by_role("button", name="Antwoord versturen").click()
    expect(stale.get_by_role("alert").first).to_contain_text("een latere ronde heeft haar vervangen")
    shot(stale, "3-old-page-refused")
    assert not [e for e in events(platform, topics.PLACEMENTS, "placement.accepted")
                if e.payload.student_ref == ref and e.payload.round_id == first]
    assert notifier  # the student page is the notifier's


def test_the_student_names_the_organisation_of_the_report_by_name_never_by_code(platform, people, season, page_for,
                                                                                 shot):
    ref, _ = season
    reporting = platform.services["reporting"].url
    page = student_page(page_for, people, ref)
    page.goto(reporting + "/pages/report")
    expect(page.get_by_role("heading", level=1)).to_have_text("Discriminatie melden")
    expect(page.locator("#organisation")).not_to_contain_text("org-")
    expect(page.locator("#organisation")).not_to_contain_text("code")
    def knows_names() -> bool:
        page.reload()
        return page.locator("#organisation-names option[value='Zorggroep Stadspark']").count() == 1

    wait_until(knows_names, timeout=30, interval=0.5, message="reporting did not learn the organisation names")
    page.get_by_label("Wat is er gebeurd?").fill("Bij het kennismakingsgesprek werd gezegd dat ze geen stagiair "
                                                "met een hoofddoek willen.")
    page.get_by_label("Wanneer gebeurde het?").fill((date.today() - timedelta(days=3)).isoformat())
    if page.locator("select#organisation_id").count():
        page.locator("select#organisation_id").select_option("")
    page.locator("#organisation_name").fill("stadspark")
    shot(page, "1-name-typed")
    page.get_by_role("button", name="Melding versturen").click()
    expect(page.locator("#filed")).to_contain_text("Je melding is ontvangen")
    shot(page, "2-filed")
    filed = wait_until(lambda: events(platform, topics.DESK, "desk.report_filed"), timeout=30,
                       message="desk.report_filed did not reach Kafka")
    assert filed[-1].payload.organisation_id == ORG_A
    assert "Stadspark" not in str(filed[-1].payload) and "hoofddoek" not in str(filed[-1].payload)
