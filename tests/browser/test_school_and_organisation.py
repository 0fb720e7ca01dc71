"""A school fixes an upload with one bad row; an organisation posts a place and sees no students before the
release. Headless Chromium against the real services (processes) on real Kafka and Redis."""

from __future__ import annotations

import csv
import io
import re

import pytest
import requests
from playwright.sync_api import expect

from browser_kit import DESKTOP, PHONE, login

pytestmark = pytest.mark.browser

REGION, SCHOOL, ORG, PERIOD = "reg-web", "sch-web", "org-web", "p-web-1"
HEADERS = ["leerlingnummer", "naam", "e-mail", "geboortedatum", "periode", "sector", "crebo", "niveau", "leerjaar",
           "leerweg", "postcode", "max_reistijd_minuten", "vervoer"]


@pytest.fixture(scope="module")
def region(platform, people):
    """A period of the region in intake, a school staff member and an organisation staff member."""
    intake = platform.services["intake"].url
    coordinator = people.headers("usr-coord", "regional_coordinator", REGION, REGION)
    period = {"period_id": PERIOD, "name": "Voorjaar 2027", "starts_on": "2027-02-01", "ends_on": "2027-06-30",
              "sectors": ["zorg"]}
    assert requests.put(f"{intake}/api/v1/periods/{PERIOD}", json=period, headers=coordinator, timeout=10).ok
    people.user("bpv-web", "school_staff", SCHOOL, REGION)
    people.user("org-web", "organisation_staff", ORG, REGION)
    return intake


def wishes_csv(path, rows: list[dict[str, str]]):
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=HEADERS, delimiter=";")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode("utf-8-sig"))
    return path


def row(n: int, **changes: str) -> dict[str, str]:
    return {"leerlingnummer": f"W{n}", "naam": f"Student Web {n}", "e-mail": f"web{n}@example.org",
            "geboortedatum": "2008-09-01", "periode": PERIOD, "sector": "zorg", "crebo": "25491", "niveau": "3",
            "leerjaar": "2", "leerweg": "bol", "postcode": "9711", "max_reistijd_minuten": "45",
            "vervoer": "bike", **changes}


def test_school_uploads_a_file_with_one_bad_row_fixes_it_and_sees_the_students(region, page_for, shot, tmp_path):
    page = page_for(DESKTOP)
    login(page, region, "bpv-web")
    expect(page.get_by_role("heading", level=1)).to_have_text("Studenten en hun stagewensen")
    shot(page, "1-students-empty")
    page.get_by_role("link", name="Wensen uploaden (CSV/XLSX)").click()
    expect(page.get_by_role("link", name=re.compile("Sjabloon als Excel"))).to_be_visible()
    bad = wishes_csv(tmp_path / "wensen.csv", [row(1), row(2, niveau="9"), row(3)])
    page.get_by_label("Bestand (CSV of XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Uploaden en controleren").click()
    errors = page.locator("#row-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").nth(0)).to_have_text("3")
    expect(errors.first.locator("td").nth(1)).to_have_text("niveau")
    expect(page.get_by_role("heading", name="2. Upload het verbeterde bestand")).to_be_visible()
    shot(page, "2-row-error")
    good = wishes_csv(tmp_path / "wensen.csv", [row(1), row(2), row(3)])
    page.get_by_label("Bestand (CSV of XLSX)").set_input_files(str(good))
    page.get_by_role("button", name="Uploaden en controleren").click()
    expect(page.get_by_role("status")).to_contain_text("3 wensen opgeslagen")
    for n in (1, 2, 3):
        expect(page.get_by_role("link", name=f"Student Web {n}")).to_be_visible()
    shot(page, "3-students-listed")
    phone = page_for(PHONE)
    login(phone, region, "bpv-web")
    expect(phone.get_by_role("link", name="Student Web 2")).to_be_visible()
    shot(phone, "4-students-phone")


def test_a_wish_form_with_mistakes_shows_them_next_to_the_fields(region, page_for, shot):
    page = page_for(DESKTOP)
    login(page, region, "bpv-web")
    page.goto(region + "/pages/school/wish")
    page.get_by_label(re.compile("^Leerlingnummer")).fill("W99")
    page.get_by_label(re.compile("^Crebo")).fill("12")
    page.get_by_role("button", name="Wens opslaan").click()
    crebo = page.get_by_label(re.compile("^Crebo"))
    expect(crebo).to_have_attribute("aria-invalid", "true")
    expect(crebo).to_have_value("12")
    expect(page.locator("#f-wish-crebo-error")).to_be_visible()
    expect(page.get_by_label(re.compile("^Leerlingnummer"))).to_have_value("W99")
    shot(page, "1-field-errors")


def test_organisation_posts_a_place_sees_it_and_sees_no_students_before_release(region, platform, page_for, shot):
    page = page_for(DESKTOP)
    login(page, region, "org-web")
    expect(page.get_by_role("heading", level=1)).to_have_text("Onze stageplaatsen")
    page.get_by_role("link", name="Nieuwe plaats aanbieden").click()
    page.get_by_role("button", name="Plaats aanbieden").click()
    expect(page.locator("#f-organisation_name-error")).to_have_text("Dit veld is verplicht.")
    shot(page, "1-empty-form-errors")
    page.get_by_label(re.compile("^Periode")).select_option(PERIOD)
    page.get_by_label(re.compile("^Naam van de organisatie")).fill("Zorggroep Web")
    page.get_by_label(re.compile("^Sector")).select_option("zorg")
    page.get_by_label(re.compile("^Soort organisatie")).fill("vvt")
    page.get_by_label(re.compile("^Adres")).fill("Zorgweg 1, Groningen")
    page.get_by_label(re.compile("^Postcode")).fill("9711")
    page.get_by_label(re.compile("^Crebo's")).fill("25491")
    page.get_by_label(re.compile("^Niveaus")).fill("2, 3")
    page.get_by_label(re.compile("^Aantal plaatsen")).fill("2")
    page.get_by_label(re.compile("^Begeleidingscapaciteit")).fill("2")
    page.get_by_role("button", name="Plaats aanbieden").click()
    expect(page.get_by_role("status")).to_have_text("De plaats is geplaatst.")
    expect(page.get_by_role("cell", name=re.compile("^Zorggroep Web"))).to_be_visible()
    shot(page, "2-place-listed")
    page.get_by_role("navigation").get_by_role("link", name="Onze studenten").click()
    assert page.url.startswith(platform.services["notifier"].url)
    expect(page.get_by_role("heading", name="Nog niets te zien")).to_be_visible()
    shot(page, "3-no-students-before-release")
