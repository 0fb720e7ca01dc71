"""A school's student list in the browser (issue 14.9): 50 a page with a pager, searched and filtered on the
server, and the filtered list downloaded as XLSX, re-opened with openpyxl and checked: the same rows as the
list, and a name that looks like a formula escaped. Real Chromium against intake as a process on real Kafka
and Redis."""

from __future__ import annotations

import re

import pytest
import requests
from openpyxl import load_workbook
from playwright.sync_api import expect

from browser_kit import DESKTOP, login

pytestmark = pytest.mark.browser

REGION, SCHOOL, PERIOD = "reg-lists", "sch-lists", "p-lists-1"
FORMULA_NAME = '=HYPERLINK("http://evil.example","klik")'


def body(n: int) -> dict:
    name = FORMULA_NAME if n == 55 else f"Leerling {n:02}"
    return {"student": {"student_number": f"L{n:03}", "name": name, "email": f"l{n}@example.org",
                        "date_of_birth": "2009-03-15", "postcode": "9711 AB"},
            "wish": {"period_id": PERIOD, "sector": "welzijn" if n % 5 == 0 else "zorg", "crebo": "25491",
                     "level": 3, "study_year": 1, "pathway": "bol", "home": {"postcode": "9711 AB"},
                     "max_travel_minutes": 45, "transport_mode": "bike"}}


@pytest.fixture(scope="module")
def school(platform, people):
    """55 students of one school (every 5th in welzijn, one named like a formula), entered through the API."""
    intake = platform.services["intake"].url
    coordinator = people.headers("usr-coord-l", "regional_coordinator", REGION, REGION)
    period = {"period_id": PERIOD, "name": "Voorjaar 2031", "starts_on": "2031-02-01", "ends_on": "2031-06-30",
              "sectors": ["zorg", "welzijn"]}
    assert requests.put(f"{intake}/api/v1/periods/{PERIOD}", json=period, headers=coordinator, timeout=10).ok
    staff = people.headers("usr-bpv-l", "school_staff", SCHOOL, REGION)
    with requests.Session() as session:
        for n in range(1, 56):
            answer = session.post(f"{intake}/api/v1/wishes", json=body(n), headers=staff, timeout=10)
            assert answer.status_code == 202, answer.text
    people.user("bpv-lists", "school_staff", SCHOOL, REGION)
    return intake


def test_school_staff_page_search_filter_and_download_the_list_as_xlsx(school, page_for, shot, tmp_path):
    page = page_for(DESKTOP)
    login(page, school, "bpv-lists")
    rows = page.locator("#students tbody tr")
    expect(rows).to_have_count(50)
    expect(page.locator("#list-count")).to_contain_text("1–50 van 55")
    shot(page, "1-first-page")
    page.get_by_role("link", name="Volgende").click()
    expect(rows).to_have_count(5)
    page.get_by_label(re.compile("^Zoek op naam of leerlingnummer")).fill("leerling 1")
    page.get_by_role("button", name="Zoeken").click()
    expect(rows).to_have_count(10)
    page.get_by_label(re.compile("^Zoek op naam of leerlingnummer")).fill("")
    page.get_by_label(re.compile("^Sector")).select_option("welzijn")
    page.get_by_role("button", name="Zoeken").click()
    expect(rows).to_have_count(11)
    shown = [name.strip() for name in page.locator("#students tbody tr td:first-child a").all_inner_texts()]
    shot(page, "2-filtered")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download als Excel (XLSX)").click()
    path = tmp_path / download_info.value.suggested_filename
    download_info.value.save_as(path)
    assert path.suffix == ".xlsx"
    sheet = load_workbook(path).active
    lines = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert lines[0] == ["Naam", "Leerlingnummer", "Periode", "Sector", "Crebo", "Niveau", "Status", "Uitkomst",
                        "Adres", "Antwoord", "Vervolg"]
    assert [line[0] for line in lines[1:]] == [("'" + n if n.startswith("=") else n) for n in shown]
    assert {line[3] for line in lines[1:]} == {"welzijn"} and len(lines) == 12
    assert ["'" + FORMULA_NAME, "L055"] in [line[:2] for line in lines[1:]]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
