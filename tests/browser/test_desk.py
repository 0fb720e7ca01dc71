"""A student reports discrimination from /pages/report (not anonymously) and desk staff handle it: they find it
in the case list, open it (the content is decrypted only there), move it to in_progress and request an
alternative placement, which reaches Kafka as placement.replacement_requested; then they forward it to SBB,
print what was sent, and record SBB's answer and a measure (issue 20.6).

Reporting runs as a real process on real Kafka and Redis; the student's wish arrives as the event intake
publishes, so reporting knows the student's school.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from stagepool_shared import registry
from stagepool_shared.auth import Principal
from stagepool_shared.envelope import new_envelope
from stagepool_shared.kafka import EventPublisher, read_log
from stagepool_shared.testing.samples import sample_payload
from stagepool_shared.testing.waiting import wait_until

from browser_kit import PHONE, login

pytestmark = pytest.mark.browser

REGION, PERIOD = "reg-test", "2032-p1"
STUDENT_REF = "stu_" + "d" * 32
SCHOOL = "sch-desk"
DESCRIPTION = "Bij het kennismakingsgesprek werd gezegd dat ze 'liever iemand met een Nederlandse naam' hebben."


@pytest.fixture(scope="module")
def student(platform, people) -> Principal:
    """A student whose wish reporting has projected (so it knows the school), signed in by a personal link."""
    wish = replace(sample_payload("wish.submitted"), student_ref=STUDENT_REF, school_id=SCHOOL, region_id=REGION,
                   period_id=PERIOD)
    place = replace(sample_payload("place.posted"), place_id="plc-zorggroep", organisation_id="org-zorggroep",
                    organisation_name="Zorggroep Noord", region_id=REGION, period_id=PERIOD)
    publisher = EventPublisher(platform.kafka.bootstrap, "browser-test")
    try:
        publisher.publish_all([new_envelope("wish.submitted", wish, producer="intake", partition_key=REGION),
                               new_envelope("place.posted", place, producer="intake", partition_key=REGION)])
    finally:
        publisher.close()
    wait_until(lambda: people.redis.hexists(f"reporting:p:{REGION}:{PERIOD}:wishes", STUDENT_REF)
               and people.redis.hexists(f"reporting:p:{REGION}:{PERIOD}:places", "plc-zorggroep"), 60,
               message="reporting did not project the student's wish and the organisation's place")
    return Principal("usr-stu-desk", "student", STUDENT_REF, REGION)


def replacement_requests(platform) -> list:
    topic = registry.topic_for("placement.replacement_requested")
    envelopes = [registry.decode(m.value) for m in read_log(platform.kafka.bootstrap, [topic])]
    return [e for e in envelopes if e.event_type == "placement.replacement_requested"
            and e.payload.student_ref == STUDENT_REF]


def test_a_student_reports_and_desk_staff_handle_the_case_up_to_an_alternative_placement(
        platform, people, student, page_for, shot):
    reporting = platform.services["reporting"].url
    page = page_for(PHONE)
    page.goto(people.link(student, "reporting"))
    page.goto(reporting + "/pages/report")
    shot(page, "1-report-form")
    with page.expect_navigation():
        page.get_by_role("button", name="Melding versturen").click()
    shot(page, "2-report-errors")
    assert page.locator("#description-error").is_visible() and page.locator("#organisation_id-error").is_visible()
    assert page.get_by_label("Wat is er gebeurd?").get_attribute("aria-invalid") == "true"

    page.get_by_label("Wat is er gebeurd?").fill(DESCRIPTION)
    page.get_by_label("Wanneer gebeurde het?").fill((date.today() - timedelta(days=10)).isoformat())
    page.get_by_label("Naam van de organisatie").fill("Zorggroep")  # the name the student knows, never a code
    page.get_by_label("Wanneer in het stageproces?").select_option("introduction")
    page.get_by_label("Periode van je stage").fill(PERIOD)
    assert not page.get_by_label("Ik wil anoniem melden").is_checked()
    with page.expect_navigation():
        page.get_by_role("button", name="Melding versturen").click()
    shot(page, "3-report-filed")
    report_id = page.locator("#filed strong").inner_text()
    assert report_id.startswith("rep-")

    people.user("desk1", "desk_staff", REGION, REGION)
    desk = page_for()
    login(desk, reporting, "desk1")
    assert desk.url.endswith("/pages/desk")
    shot(desk, "4-case-list")
    desk.get_by_role("link", name=report_id).click()
    shot(desk, "5-case")
    assert DESCRIPTION in desk.locator("#description").inner_text()
    assert STUDENT_REF in desk.locator("main").inner_text()

    desk.get_by_label("Nieuwe status").select_option("in_progress")
    desk.get_by_label("Notitie (alleen voor het meldpunt)").fill("Student gebeld; gesprek ingepland.")
    with desk.expect_navigation():
        desk.get_by_role("button", name="Status wijzigen").click()
    shot(desk, "6-in-progress")
    assert "in behandeling" in desk.locator("#case-status").inner_text()

    assert desk.get_by_label("Periode").input_value() == PERIOD
    with desk.expect_navigation():
        desk.get_by_role("button", name="Andere stageplaats aanvragen").click()
    shot(desk, "7-alternative-requested")
    assert desk.locator("#alternative-done").is_visible()

    (request,) = wait_until(lambda: replacement_requests(platform), 60,
                            message="placement.replacement_requested did not reach Kafka")
    assert request.payload.school_id == SCHOOL and request.payload.exclude_organisation_ids == ["org-zorggroep"]
    assert request.payload.cause == "desk_report" and request.payload.period_id == PERIOD

    # issue 20.6: the desk forwards the case to SBB, prints what was sent, records SBB's answer and a measure
    with desk.expect_navigation():
        desk.get_by_role("button", name="Doorsturen naar SBB").click()
    assert "doorgegeven aan SBB" in desk.locator("#case-status").inner_text()
    with desk.expect_navigation():
        desk.locator("#sbb-export-link").click()
    shot(desk, "8-sbb-export")
    assert DESCRIPTION not in desk.locator("main").inner_text() and STUDENT_REF not in desk.locator("main").inner_text()
    assert "org-zorggroep" in desk.locator("#sbb-export-fields").inner_text()
    desk.goto(reporting + f"/pages/desk/{report_id}")
    today = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    desk.get_by_label("Datum van het antwoord").fill(today.isoformat())
    desk.get_by_label("Kenmerk van SBB").fill("SBB-2032-0007")
    desk.get_by_label("Uitkomst").select_option("improvement_agreements")
    with desk.expect_navigation():
        desk.get_by_role("button", name="Antwoord vastleggen").click()
    assert "verbeterafspraken gemaakt" in desk.locator("#sbb-answer").inner_text()
    desk.get_by_label("Maatregel").fill("Verbeterplan werving en selectie")
    desk.get_by_label("Wie is eigenaar").select_option("organisation_staff")
    desk.get_by_label("Termijn").fill((today - timedelta(days=1)).isoformat())
    with desk.expect_navigation():
        desk.get_by_role("button", name="Maatregel vastleggen").click()
    assert desk.locator("#deadline-error").is_visible()  # a deadline in the past: nothing recorded
    desk.get_by_label("Termijn").fill((today + timedelta(days=30)).isoformat())
    with desk.expect_navigation():
        desk.get_by_role("button", name="Maatregel vastleggen").click()
    shot(desk, "9-sbb-answer-and-measure")
    assert "Verbeterplan werving en selectie" in desk.locator("#sbb-measures").inner_text()
    assert "maatregel vastgelegd" in desk.locator("#sbb-steps").inner_text()
