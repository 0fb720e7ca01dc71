"""School staff set the matching variant for a programme (issue 15.3) on intake's page: a bad crebo is a field
error and nothing is stored; variant 2 with k = 4 is saved, shown in the table and published as `variant.set`
(codes only). Intake runs as a real process on real Kafka and Redis."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import Page, expect

from stagepool_shared import registry, topics
from stagepool_shared.kafka import read_log
from stagepool_shared.testing import wait_until

from browser_kit import DESKTOP, login

pytestmark = pytest.mark.browser

REGION, SCHOOL, PERIOD = "reg-var", "sch-var", "p-var-1"


def variant_events(platform) -> list:
    events = [registry.decode(m.value) for m in read_log(platform.kafka.bootstrap, [topics.WISHES])]
    return [e for e in events if e.event_type == "variant.set" and e.payload.school_id == SCHOOL]


def test_school_staff_set_the_variant_for_a_programme(platform, people, page_for, shot):
    intake = platform.services["intake"].url
    answer = requests.put(f"{intake}/api/v1/periods/{PERIOD}", timeout=30,
                          headers=people.headers("usr-coord-var", "regional_coordinator", REGION),
                          json={"period_id": PERIOD, "name": "Voorjaar 2034", "starts_on": "2034-02-01",
                                "ends_on": "2034-06-30", "choices_until": "2034-01-20"})
    assert answer.status_code == 200, answer.text
    people.user("staff-var", "school_staff", SCHOOL, REGION)
    page: Page = page_for(DESKTOP)
    login(page, intake, "staff-var")
    page.goto(intake + "/pages/school/variants")
    expect(page.locator("main")).to_contain_text("voor al uw opleidingen geldt variant 1")

    form = page.locator("#variant-form")
    form.get_by_label("Periode").select_option(PERIOD)
    form.get_by_label("Crebo").fill("99999")
    form.get_by_label(re.compile(r"^Variant")).select_option("2")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    shot(page, "1-unknown-crebo")
    expect(page.locator("#f-crebo-error")).to_contain_text("Onbekend crebo")
    assert page.locator("#variant-lines").count() == 0

    form = page.locator("#variant-form")
    form.get_by_label("Crebo").fill("25491")
    form.get_by_label(re.compile(r"^Variant")).select_option("2")
    form.get_by_label("Aantal kandidaatplaatsen").select_option("4")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    shot(page, "2-variant-2-saved")
    expect(page.locator("p.ok")).to_contain_text("De variant is opgeslagen")
    row = page.locator("#variant-lines tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("De student kiest uit k kandidaatplaatsen")
    expect(row.locator("td").nth(3)).to_have_text("4")

    [event] = wait_until(lambda: variant_events(platform), timeout=30, message="variant.set did not reach Kafka")
    assert (event.payload.crebo, event.payload.period_id, event.payload.variant, event.payload.candidates) == (
        "25491", PERIOD, 2, 4)
    assert event.partition_key == REGION
