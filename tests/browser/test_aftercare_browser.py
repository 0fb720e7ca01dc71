"""Issue 20's aftercare pages in headless Chromium on the real platform (Kafka, Redis, the four services):

- the organisation proposes a kennismaking for a released student and records the outcome (the conversation
  went ahead for one student; a rejection without a reason code is refused next to the field, then one with a
  reason reaches Kafka as placement.failed and introduction.rejected);
- the school works its task list: the follow-up task of a rejection, opened, the call recorded, closed;
- the student, on a phone, confirms the kennismaking moment, signs the POK and at the end evaluates the
  placement, discrimination asked per phase.

Reporting learns each placement as in production: the matcher's round.proposed and round.released and the
notifier's placement.accepted on Kafka (reporting's consumer makes the POK draft). The other parties' steps
around the one under test go through the real HTTP APIs.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import expect

from browser_kit import DESKTOP, PHONE, login, publish
from stagepool_shared import registry, topics
from stagepool_shared.auth import Principal
from stagepool_shared.events.placements import PlacementAccepted
from stagepool_shared.i18n import LOCAL_ZONE
from stagepool_shared.kafka import read_log
from stagepool_shared.testing import wait_until
from stagepool_shared.testing.samples import sample_payload

pytestmark = pytest.mark.browser

REGION, PERIOD, SCHOOL, ORG, PLACE = "reg-aft", "2033-p1", "sch-aft", "org-aft", "plc-aft-01"
INTRO, POK = "/api/v1/aftercare/introductions/", "/api/v1/aftercare/poks/"


def student_ref(n: int) -> str:
    return f"stu_{n:02d}" + "a" * 30


def placed(platform, people, ref: str) -> None:
    """The student's place at ORG released and accepted; returns once reporting made the POK draft."""
    round_id = "rnd-aft-" + ref[4:6]
    outcome = replace(sample_payload("round.proposed").outcomes[0], student_ref=ref, school_id=SCHOOL,
                      organisation_id=ORG, place_id=PLACE)
    proposed = replace(sample_payload("round.proposed"), round_id=round_id, region_id=REGION, period_id=PERIOD,
                       outcomes=[outcome])
    released = replace(sample_payload("round.released"), round_id=round_id, region_id=REGION, period_id=PERIOD,
                       released_at=datetime.now(UTC).isoformat(timespec="seconds"), outcomes=[outcome])
    publish(platform, REGION, [("round.proposed", proposed), ("round.released", released)])
    wait_until(lambda: people.redis.hexists(f"reporting:p:{REGION}:{PERIOD}:placements", ref), 60,
               message="reporting did not project the released placement")
    publish(platform, REGION, [("placement.accepted", PlacementAccepted(round_id, REGION, ref, SCHOOL, PLACE, ORG))])
    wait_until(lambda: people.redis.exists(f"reporting:aftercare:pok:{REGION}:{PERIOD}:{ref}"), 60,
               message="the accepted placement did not become a POK draft")


def api(platform, people, method: str, path: str, role: str, scope: str, body: dict) -> dict:
    """One call to reporting's API as `role` of `scope`; the test fails on any answer but a success."""
    headers = people.headers(f"usr-{role}-{scope}", role, scope, REGION)
    answer = requests.request(method, platform.services["reporting"].url + path, json=body, headers=headers,
                              timeout=15)
    assert answer.ok, f"{method} {path}: {answer.status_code} {answer.text}"
    return answer.json()


def this_minute() -> datetime:
    """Now in Dutch time, to the minute (what a datetime-local field holds): the conversation has just begun."""
    return datetime.now(LOCAL_ZONE).replace(second=0, microsecond=0)


def rejections(platform, ref: str) -> list[str]:
    envelopes = [registry.decode(m.value) for m in read_log(platform.kafka.bootstrap, [topics.PLACEMENTS])]
    return sorted(e.event_type for e in envelopes if e.event_type in ("placement.failed", "introduction.rejected")
                  and e.payload.student_ref == ref)


def rejected_after_introduction(platform, people, ref: str, reason: str) -> None:
    """The kennismaking of `ref` proposed, confirmed and rejected with `reason`, through the API."""
    api(platform, people, "POST", INTRO + ref, "organisation_staff", ORG,
        {"period_id": PERIOD, "moment": this_minute().isoformat()})
    api(platform, people, "POST", INTRO + ref + "/confirm", "student", ref, {"period_id": PERIOD})
    api(platform, people, "POST", INTRO + ref + "/outcome", "organisation_staff", ORG,
        {"period_id": PERIOD, "outcome": "rejected", "reason_code": reason})


def test_the_organisation_proposes_a_kennismaking_and_records_the_outcome(platform, people, page_for, shot):
    goes_ahead, rejected = student_ref(1), student_ref(2)
    for ref in (goes_ahead, rejected):
        placed(platform, people, ref)
    people.user("aft-org", "organisation_staff", ORG, REGION)
    reporting = platform.services["reporting"].url
    org = page_for(DESKTOP)
    login(org, reporting, "aft-org")
    org.goto(reporting + "/pages/followup")
    org.get_by_role("row", name=re.compile(rejected)).get_by_role("link", name="Kennismaking en POK").click()
    expect(org.get_by_role("heading", name="Kennismakingsgesprek")).to_be_visible()
    org.get_by_role("button", name="Moment voorstellen").click()
    expect(org.locator("#moment-error")).to_have_text("Vul een datum en tijd in.")
    assert org.get_by_label("Datum en tijd").get_attribute("aria-invalid") == "true"
    shot(org, "1-moment-missing")
    moment = this_minute()
    org.get_by_label("Datum en tijd").fill(moment.strftime("%Y-%m-%dT%H:%M"))
    org.get_by_role("button", name="Moment voorstellen").click()
    expect(org.locator("#intro-status")).to_contain_text("voorgesteld: " + moment.strftime("%d-%m-%Y %H:%M"))
    shot(org, "2-moment-proposed")
    api(platform, people, "POST", INTRO + rejected + "/confirm", "student", rejected, {"period_id": PERIOD})

    org.reload()
    expect(org.locator("#intro-status")).to_contain_text("bevestigd")
    org.get_by_label("Wij wijzen de student toch af").check()
    org.get_by_role("button", name="Uitkomst vastleggen").click()
    expect(org.locator("#reason_code-error")).to_have_text("Kies een van de vijf redenen voor de afwijzing.")
    assert org.get_by_label(re.compile("Reden van afwijzen")).get_attribute("aria-invalid") == "true"
    expect(org.locator("#intro-status")).to_contain_text("bevestigd")  # nothing changed
    shot(org, "3-reason-missing")
    assert rejections(platform, rejected) == []
    org.get_by_label(re.compile("Reden van afwijzen")).select_option("competences_mismatch")
    org.get_by_role("button", name="Uitkomst vastleggen").click()
    expect(org.locator("#intro-status")).to_contain_text("afgewezen")
    expect(org.locator("#desk-route")).to_contain_text("De school belt het leerbedrijf")
    shot(org, "4-rejected")
    assert wait_until(lambda: rejections(platform, rejected) == ["introduction.rejected", "placement.failed"], 30,
                      message="the rejection did not reach Kafka")

    api(platform, people, "POST", INTRO + goes_ahead, "organisation_staff", ORG,
        {"period_id": PERIOD, "moment": this_minute().isoformat()})
    api(platform, people, "POST", INTRO + goes_ahead + "/confirm", "student", goes_ahead, {"period_id": PERIOD})
    org.goto(f"{reporting}/pages/aftercare/{PERIOD}/{goes_ahead}")
    org.get_by_role("link", name="English").click()  # the language stays English from here on
    org.get_by_label("The internship goes ahead").check()
    org.get_by_role("button", name="Record the outcome").click()
    expect(org.locator("#intro-status")).to_contain_text("held")
    shot(org, "5-held-in-english")
    assert rejections(platform, goes_ahead) == []


def test_the_school_opens_the_task_of_a_rejection_records_the_call_and_closes_it(platform, people, page_for, shot):
    ref = student_ref(3)
    placed(platform, people, ref)
    api(platform, people, "PUT", "/api/v1/aftercare/school-contacts/" + ORG, "school_staff", SCHOOL,
        {"name": "Karin Bos", "email": "k.bos@aft.example"})
    rejected_after_introduction(platform, people, ref, "team_fit")
    people.user("aft-bpv", "school_staff", SCHOOL, REGION)
    reporting = platform.services["reporting"].url
    school = page_for(DESKTOP)
    login(school, reporting, "aft-bpv")
    school.get_by_role("navigation").get_by_role("link", name="Taken").click()
    row = school.get_by_role("row", name=re.compile(ref))
    expect(row).to_contain_text("Karin Bos")
    shot(school, "1-task-list")
    row.get_by_role("link", name=re.compile("past niet")).click()
    expect(school.locator("#task-contact")).to_contain_text("Karin Bos (k.bos@aft.example)")
    expect(school.locator("#task-call")).to_have_text("nog niet vastgelegd")

    school.get_by_role("button", name="Gesprek vastleggen").click()
    expect(school.locator("#called_on-error")).to_have_text("Vul een datum in.")
    expect(school.locator("#call_outcome-error")).to_have_text("Kies wat het gesprek opleverde.")
    assert school.get_by_label("Wat leverde het gesprek op?").get_attribute("aria-invalid") == "true"
    shot(school, "2-call-errors")
    tomorrow = (datetime.now(LOCAL_ZONE) + timedelta(days=1)).date()
    school.get_by_label(re.compile("Datum van het gesprek")).fill(tomorrow.isoformat())
    school.get_by_label("Wat leverde het gesprek op?").select_option("discrimination_suspected")
    school.get_by_role("button", name="Gesprek vastleggen").click()
    expect(school.locator("#called_on-error")).to_have_text("De datum van het gesprek ligt in de toekomst.")
    today = datetime.now(LOCAL_ZONE).date()
    school.get_by_label(re.compile("Datum van het gesprek")).fill(today.isoformat())
    school.get_by_role("button", name="Gesprek vastleggen").click()
    expect(school.get_by_role("status")).to_contain_text("Het gesprek is vastgelegd")
    expect(school.locator("#task-call")).to_have_text(f"{today:%d-%m-%Y}: vermoeden van discriminatie: naar het "
                                                      "meldpunt")
    expect(school.locator("#task-desk").get_by_role("link")).to_have_attribute("href", "/pages/report")
    shot(school, "3-call-recorded")

    school.get_by_role("button", name="Taak sluiten").click()
    expect(school.get_by_role("status")).to_contain_text("De taak is afgehandeld")
    expect(row).to_contain_text("afgehandeld")
    shot(school, "4-closed")
    [task] = [task for task in api(platform, people, "GET", "/api/v1/aftercare/tasks", "school_staff", SCHOOL, {})[
        "tasks"] if task["student_ref"] == ref]
    assert (task["status"], task["called_on"], task["call_outcome"]) == ("done", today.isoformat(),
                                                                        "discrimination_suspected")


def test_the_student_confirms_the_kennismaking_and_evaluates_the_placement_on_a_phone(platform, people, page_for,
                                                                                      shot):
    ref = student_ref(4)
    placed(platform, people, ref)
    api(platform, people, "POST", INTRO + ref, "organisation_staff", ORG,
        {"period_id": PERIOD, "moment": this_minute().isoformat()})
    reporting = platform.services["reporting"].url
    page = page_for(PHONE)
    page.goto(people.link(Principal(ref, "student", ref, REGION), "reporting"))
    page.goto(f"{reporting}/pages/aftercare/{PERIOD}/{ref}")
    expect(page.locator("#intro-status")).to_contain_text("voorgesteld")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the page scrolls sideways"
    shot(page, "1-moment-on-a-phone")
    page.get_by_role("button", name="Ik kom op dit moment").click()
    expect(page.locator("#done")).to_have_text("Je hebt het moment bevestigd. Tot dan!")
    expect(page.locator("#intro-status")).to_contain_text("bevestigd")
    shot(page, "2-confirmed")

    api(platform, people, "POST", INTRO + ref + "/outcome", "organisation_staff", ORG,
        {"period_id": PERIOD, "outcome": "continue"})
    api(platform, people, "PUT", "/api/v1/aftercare/school-contacts/" + ORG, "school_staff", SCHOOL,
        {"name": "Karin Bos", "email": "k.bos@aft.example"})
    today = datetime.now(LOCAL_ZONE).date()  # the placement ends in a week: its evaluation is open (issue 20.5)
    api(platform, people, "POST", POK + ref + "/details", "school_staff", SCHOOL,
        {"period_id": PERIOD, "start_date": (today - timedelta(days=120)).isoformat(),
         "end_date": (today + timedelta(days=7)).isoformat(), "hours": 400, "supervisor_name": "Petra Jansen"})
    api(platform, people, "POST", POK + ref + "/send", "school_staff", SCHOOL, {"period_id": PERIOD})
    page.reload()
    page.get_by_role("button", name="Ondertekenen").click()
    expect(page.locator("#done")).to_have_text("Ondertekend.")
    for role, scope in (("school_staff", SCHOOL), ("organisation_staff", ORG)):
        api(platform, people, "POST", POK + ref + "/sign", role, scope, {"period_id": PERIOD})
    api(platform, people, "POST", POK + ref + "/start", "school_staff", SCHOOL, {"period_id": PERIOD})

    page.reload()
    expect(page.locator("#evaluation-invite")).to_contain_text("Evalueer deze stage")
    evaluation = page.locator("#evaluation")
    evaluation.get_by_role("button", name="Evaluatie versturen").click()
    expect(page.locator("#satisfaction-error")).to_be_visible()
    expect(page.locator("#would_again-error")).to_be_visible()
    shot(page, "3-evaluation-errors")
    assert not people.redis.hexists(f"reporting:p:{REGION}:{PERIOD}:evaluations", f"{ref}|student")
    page.get_by_role("group", name=re.compile("Hoe tevreden")).get_by_label("4").check()
    page.get_by_role("group", name="Zou je hier opnieuw stage willen lopen?").get_by_label("Ja").check()
    page.get_by_role("group", name="Tijdens het zoeken naar een stageplaats").get_by_label("Ja").check()
    page.get_by_role("group", name="Bij het kennismakingsgesprek").get_by_label("Nee").check()
    page.get_by_role("group", name="Tijdens de stage").get_by_label("Nee").check()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "the form scrolls sideways"
    page.get_by_role("button", name="Evaluatie versturen").click()
    expect(page.locator("#done")).to_have_text("Bedankt! Je evaluatie is bewaard.")
    shot(page, "4-evaluated")
    stored = json.loads(people.redis.hget(f"reporting:p:{REGION}:{PERIOD}:evaluations", f"{ref}|student"))
    assert (stored["satisfaction"], stored["would_again"]) == (4, True)
    assert [stored[f"discrimination_{phase}"] for phase in ("searching", "introduction", "during")] == [True, False,
                                                                                                      False]
