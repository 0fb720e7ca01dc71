"""A student learns the outcome only from the release: signs in with the personal link from the e-mail that
reached the local SMTP server, sees the placement and why, and accepts it (placement.accepted reaches Kafka).
The organisation sees the student only after the release. Headless Chromium, real services, Kafka and Redis."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from browser_kit import DESKTOP, PHONE, login
from stagepool_shared import registry, topics
from stagepool_shared.auth import Principal
from stagepool_shared.kafka import read_log
from stagepool_shared.testing import wait_until

pytestmark = pytest.mark.browser

REGION, SCHOOL, ORG, PERIOD = "reg-stu", "sch-stu", "org-stu", "p-stu-1"
EMAIL = "sanne.stu@example.org"
WISH = {"student": {"student_number": "S-1", "name": "Sanne Stage", "email": EMAIL, "date_of_birth": "2008-05-01"},
        "wish": {"period_id": PERIOD, "sector": "zorg", "crebo": "25491", "level": 3, "study_year": 2,
                 "pathway": "bol", "home": {"postcode": "9711"}, "max_travel_minutes": 60, "transport_mode": "bike"}}
PLACE = {"period_id": PERIOD, "organisation_name": "Zorggroep Stad", "sector": "zorg", "org_type": "vvt",
         "location": {"postcode": "9711"}, "address": "Zorgplein 1, Groningen", "crebos": ["25491"], "levels": [3],
         "slots": 1, "supervision_capacity": 1, "contact": {"name": "Mevr. Jansen", "email": "stage@zorg.example"},
         "start_date": "2027-02-01"}


def call(method: str, url: str, headers: dict[str, str], body: dict | None = None) -> dict:
    response = requests.request(method, url, json=body, headers=headers, timeout=15)
    assert response.ok, f"{method} {url}: {response.status_code} {response.text}"
    return response.json() if response.content else {}


@pytest.fixture(scope="module")
def pool(platform, people):
    """A period, one student's wish and one fitting place, consumed by the matcher; returns the student_ref."""
    intake = platform.services["intake"].url
    coordinator = people.headers("usr-coord", "regional_coordinator", REGION, REGION)
    call("PUT", f"{intake}/api/v1/periods/{PERIOD}", coordinator,
         {"period_id": PERIOD, "name": "Voorjaar 2027", "starts_on": "2027-02-01", "ends_on": "2027-06-30"})
    ref = call("POST", f"{intake}/api/v1/wishes", people.headers("usr-bpv1", "school_staff", SCHOOL, REGION),
               WISH)["student_ref"]
    call("POST", f"{intake}/api/v1/places", people.headers("usr-org", "organisation_staff", ORG, REGION), PLACE)
    key = f"matcher:region:{REGION}:period:{PERIOD}"
    wait_until(lambda: people.redis.hlen(key + ":wishes") and people.redis.hlen(key + ":places"), timeout=60,
               message="the matcher did not take in the wish and the place")
    people.user("org-stu", "organisation_staff", ORG, REGION)
    return ref


def release_round(platform, people, seconds_ahead: float = 4) -> str:
    """Propose a round, approve it by two school staff, release it a few seconds from now; the round id."""
    matcher = platform.services["matcher"].url + "/api/v1/rounds"
    coordinator = people.headers("usr-coord", "regional_coordinator", REGION, REGION)
    round_id = call("POST", matcher, coordinator, {"region_id": REGION, "period_id": PERIOD, "seed": 7})["round_id"]
    wait_until(lambda: call("GET", f"{matcher}/{round_id}", coordinator).get("status") == "proposed", timeout=60,
               message="the round was not proposed")
    for staff in ("usr-bpv1", "usr-bpv2"):
        call("POST", f"{matcher}/{round_id}/approvals", people.headers(staff, "school_staff", SCHOOL, REGION))
    release_at = datetime.now(UTC) + timedelta(seconds=seconds_ahead)
    call("POST", f"{matcher}/{round_id}/release", coordinator,
         {"release_at": release_at.isoformat(), "respond_by": (release_at + timedelta(days=7)).isoformat()})
    return round_id


def accepted_events(platform, student_ref: str) -> list:
    events = [registry.decode(m.value) for m in read_log(platform.kafka.bootstrap, [topics.PLACEMENTS])]
    return [e for e in events if e.event_type == "placement.accepted" and e.payload.student_ref == student_ref]


def test_student_signs_in_from_the_email_sees_the_placement_and_why_and_accepts_it(
        platform, smtp, people, pool, page_for, shot):
    early = page_for(PHONE)
    early.goto(people.link(Principal(pool, "student", pool, REGION)))
    expect(early.get_by_role("heading", name="Nog geen uitslag")).to_be_visible()
    shot(early, "1-before-release-phone")
    org = page_for(DESKTOP)
    login(org, platform.services["notifier"].url, "org-stu")
    org.goto(platform.services["notifier"].url + "/pages/organisation")
    expect(org.get_by_role("heading", name="Nog niets te zien")).to_be_visible()
    shot(org, "2-organisation-before-release")

    release_round(platform, people)
    [mail] = wait_until(lambda: smtp.mailbox.to(EMAIL), timeout=90, message="no outcome e-mail arrived")
    body = mail.get_body(preferencelist=("plain",)).get_content()
    link = re.search(re.escape(platform.services["notifier"].url) + r"/s/[A-Za-z0-9_-]+", body).group(0)

    page = page_for(DESKTOP)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Mijn stageplaats")
    expect(page.get_by_text("Zorggroep Stad").first).to_be_visible()
    why = page.locator("ul.why")
    expect(why).to_contain_text("minuten")
    expect(why).to_contain_text("erkend voor jouw opleiding")
    expect(page.get_by_role("link", name=re.compile("Discriminatie melden"))).to_have_count(2)
    shot(page, "3-placement-and-why")
    page.get_by_label("Ik accepteer deze stageplek").check()
    page.get_by_role("button", name="Antwoord versturen").click()
    expect(page.get_by_role("status")).to_contain_text("Je hebt de plek geaccepteerd")
    shot(page, "4-accepted")
    [event] = wait_until(lambda: accepted_events(platform, pool), timeout=30,
                         message="placement.accepted did not reach Kafka")
    assert event.payload.place_id and event.payload.student_ref == pool

    org.reload()
    row = org.get_by_role("row", name=re.compile("Sanne Stage"))
    expect(row).to_contain_text(EMAIL)
    expect(row).to_contain_text("Geaccepteerd")
    shot(org, "5-organisation-after-release")


CATALOGUE_PERIOD = "p-stu-cat"


def _catalogue_pool(platform, people) -> str:
    """A period with a wish deadline, one student and three places: two fit, one takes only bbl students."""
    intake = platform.services["intake"].url
    coordinator = people.headers("usr-coord", "regional_coordinator", REGION, REGION)
    call("PUT", f"{intake}/api/v1/periods/{CATALOGUE_PERIOD}", coordinator,
         {"period_id": CATALOGUE_PERIOD, "name": "Najaar 2027", "starts_on": "2027-09-01", "ends_on": "2028-01-31",
          "wishes_until": (datetime.now(UTC) + timedelta(days=30)).date().isoformat()})
    wish = {"student": {**WISH["student"], "student_number": "S-CAT"}, "wish": {
        **WISH["wish"], "period_id": CATALOGUE_PERIOD, "activities": ["adl_support"]}}
    ref = call("POST", f"{intake}/api/v1/wishes", people.headers("usr-bpv1", "school_staff", SCHOOL, REGION),
               wish)["student_ref"]
    org = people.headers("usr-org", "organisation_staff", ORG, REGION)
    for name, changes in (("Zorg Dichtbij", {"org_type": "vvt", "activities": ["adl_support"]}),
                          ("Ziekenhuis Stad", {"org_type": "ziekenhuis", "allowance_per_month": 250}),
                          ("Alleen BBL", {"pathways": ["bbl"]})):
        call("POST", f"{intake}/api/v1/places", org, {**PLACE, "period_id": CATALOGUE_PERIOD, "organisation_name": name,
                                                      "town": "Groningen", "early_shifts": True, **changes})
    return ref


def test_a_student_on_a_phone_browses_filters_and_picks_a_top_3(platform, people, page_for, shot):
    ref = _catalogue_pool(platform, people)
    page = page_for(PHONE)
    page.goto(people.link(Principal(ref, "student", ref, REGION)))
    page.get_by_role("link", name=re.compile("kies je top 3")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Stageplaatsen voor jou")
    expect(page.get_by_text("Je kunt je top 3 veranderen tot en met")).to_be_visible()
    cards = page.locator("article.offer h3")
    expect(cards).to_have_text(["Zorg Dichtbij", "Ziekenhuis Stad"])  # best fit first; never the bbl-only place
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    shot(page, "1-catalogue-on-a-phone")

    page.get_by_label("Soort organisatie").select_option("ziekenhuis")
    page.get_by_role("button", name="Filter toepassen").click()
    expect(cards).to_have_text(["Ziekenhuis Stad"])
    expect(page.locator("article.offer")).to_contain_text("€ 250 per maand")
    shot(page, "2-filtered")

    picked = _pick(page, "Ziekenhuis Stad", "Zorg Dichtbij")
    page.get_by_role("button", name="Top 3 bewaren").click()
    expect(page.get_by_role("status").first).to_contain_text("Je top 3 is bewaard")
    shot(page, "3-top-3-saved")
    updates = wait_until(lambda: _top3_updates(platform, ref), timeout=30, message="wish.updated did not reach Kafka")
    assert len(updates[-1].payload.top_places) == 2
    assert updates[-1].payload.top_places == picked  # in the student's rank order

    # a third fitting place farther away: filter by activity and by travel time, then a full top 3 in rank order
    call("POST", f"{platform.services['intake'].url}/api/v1/places",
         people.headers("usr-org", "organisation_staff", ORG, REGION),
         {**PLACE, "period_id": CATALOGUE_PERIOD, "organisation_name": "Zorg Verderop", "town": "Groningen",
          "org_type": "vvt", "activities": ["adl_support"], "location": {"postcode": "9731"}})
    page.get_by_role("link", name="Alle plaatsen").click()
    expect(cards).to_have_text(["Zorg Dichtbij", "Zorg Verderop", "Ziekenhuis Stad"])  # fit first, then travel
    page.get_by_label("Werkzaamheid").select_option("adl_support")
    page.get_by_role("button", name="Filter toepassen").click()
    expect(cards).to_have_text(["Zorg Dichtbij", "Zorg Verderop"])
    page.get_by_label("Reistijd hoogstens (minuten)").fill("10")
    page.get_by_role("button", name="Filter toepassen").click()
    expect(cards).to_have_text(["Zorg Dichtbij"])  # Zorg Verderop is about 19 minutes by bike
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    shot(page, "4-filtered-by-activity-and-travel")
    picked = _pick(page, "Zorg Verderop", "Zorg Dichtbij", "Ziekenhuis Stad")
    page.get_by_role("button", name="Top 3 bewaren").click()
    expect(page.get_by_role("status").first).to_contain_text("Je top 3 is bewaard")
    shot(page, "5-full-top-3-saved")
    wait_until(lambda: any(e.payload.top_places == picked for e in _top3_updates(platform, ref)), timeout=30,
               message="the full top 3 did not reach Kafka in rank order")


def _pick(page, *names: str) -> list[str]:
    """Choose the named places as choice 1, 2, ... in the top-3 form; their place ids in that order."""
    picked = []
    for rank, name in enumerate(names, start=1):
        value = page.locator(f"#f-choice_{rank} option", has_text=name).get_attribute("value")
        page.get_by_label(f"{rank}e keuze").select_option(value)
        picked.append(value)
    return picked


def _top3_updates(platform, ref: str) -> list:
    """The student's wish.updated events on the wishes topic, oldest first."""
    return [e for e in map(registry.decode, (m.value for m in read_log(platform.kafka.bootstrap, [topics.WISHES])))
            if e.event_type == "wish.updated" and e.payload.student_ref == ref]
