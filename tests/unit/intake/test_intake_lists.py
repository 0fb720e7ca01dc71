"""Intake's lists (issue 14.9): the school's students and the organisation's places are paged on the server
(50 a page), searched, filtered, and downloaded as XLSX with the same rows and formula-like cells escaped."""

from __future__ import annotations

import html
import io
import re

import pytest
from openpyxl import load_workbook

from tests.fakes.intake import PLACE, submission
from tests.unit.intake.test_pages_school import school, sign_in  # noqa: F401 (fixture)

FORMULA_NAME = '=HYPERLINK("http://evil.example","klik")'


@pytest.fixture
def crowded(school):  # noqa: F811
    """School A with 60 students (every 4th in welzijn, one named like a formula) and one withdrawn wish."""
    for n in range(1, 61):
        name = FORMULA_NAME if n == 60 else f"Student {n:02}"
        body = submission(student_student_number=f"S{n:03}", student_name=name, student_email=f"s{n}@example.org",
                          wish_sector="welzijn" if n % 4 == 0 else "zorg")
        assert school.client.post("/api/v1/wishes", json=body, headers=school.as_("school_a")).status_code == 202
    ref = school.store.students_of_school("school-a")[0]
    person = school.store.get_student(ref)
    school.withdrawn = person.name
    assert school.client.post(f"/api/v1/students/{ref}/wishes/p2027a/withdraw", json={},
                              headers=school.as_("school_a")).status_code == 202
    return school


def names_on(body: str) -> list[str]:
    """The student names in the list's table (none when the page has no table)."""
    table = body.split('<table id="students">', 1)[-1].split("</table>", 1)[0] if 'id="students"' in body else ""
    return [html.unescape(n) for n in re.findall(r'<a href="/pages/school/students/[^"]+">([^<]+)</a>', table)]


def sheet_rows(response) -> list[list]:
    assert response.status_code == 200
    assert response.content_type.startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_the_student_list_shows_fifty_a_page_with_a_pager(crowded):
    first = crowded.client.get("/pages/school").get_data(as_text=True)
    assert len(names_on(first)) == 50 and "1–50 van 60" in first and 'rel="next" href="?page=2"' in first
    second = crowded.client.get("/pages/school?page=2").get_data(as_text=True)
    assert len(names_on(second)) == 10 and 'rel="prev"' in second
    assert set(names_on(first)).isdisjoint(names_on(second))


def test_the_student_list_is_searched_by_name_and_by_student_number(crowded):
    by_name = crowded.client.get("/pages/school?q=student+1").get_data(as_text=True)
    assert names_on(by_name) == [f"Student {n}" for n in range(10, 20)]
    by_number = crowded.client.get("/pages/school?q=s007").get_data(as_text=True)
    assert names_on(by_number) == ["Student 07"]


def test_the_student_list_is_filtered_by_sector_and_status(crowded):
    welzijn = names_on(crowded.client.get("/pages/school?sector=welzijn").get_data(as_text=True))
    assert len(welzijn) == 15 and "Student 04" in welzijn and "Student 05" not in welzijn
    withdrawn = crowded.client.get("/pages/school?status=withdrawn").get_data(as_text=True)
    assert names_on(withdrawn) == [crowded.withdrawn]


@pytest.mark.parametrize("query", ["page=0", "page=x", "status=lost", "period=p-other", "sector=ruimtevaart"])
def test_a_bad_page_or_filter_value_is_a_422_with_the_message_at_its_field(crowded, query):
    response = crowded.client.get("/pages/school?" + query)
    body = response.get_data(as_text=True)
    field = query.split("=")[0]
    assert response.status_code == 422
    assert re.search(rf'<p class="field-error" id="{field}-error">[^<]+</p>', body)
    assert len(names_on(body)) == 50


def test_the_xlsx_has_the_same_rows_as_the_filtered_list_and_escapes_formulas(crowded):
    page = crowded.client.get("/pages/school?sector=welzijn").get_data(as_text=True)
    rows = sheet_rows(crowded.client.get("/pages/school?sector=welzijn&download=xlsx"))
    assert rows[0] == ["Naam", "Leerlingnummer", "Periode", "Sector", "Crebo", "Niveau", "Status", "Uitkomst",
                       "Adres", "Antwoord", "Vervolg"]
    assert [r[0] for r in rows[1:]] == [("'" + n if n.startswith("=") else n) for n in names_on(page)]
    assert {r[3] for r in rows[1:]} == {"welzijn"}
    assert ["'" + FORMULA_NAME, "S060"] in [r[:2] for r in rows[1:]]


def test_the_xlsx_of_every_student_has_every_wish_not_only_the_first_page(crowded):
    rows = sheet_rows(crowded.client.get("/pages/school?download=xlsx&page=2"))
    assert len(rows) == 61
    assert not any(str(c).startswith(("=", "+", "-", "@")) for r in rows for c in r if c is not None)


def test_a_school_never_finds_another_schools_students(crowded):
    other = submission(student_student_number="S999", student_name="Other School Kid")
    assert crowded.client.post("/api/v1/wishes", json=other, headers=crowded.as_("school_b")).status_code == 202
    assert names_on(crowded.client.get("/pages/school?q=other").get_data(as_text=True)) == []
    rows = sheet_rows(crowded.client.get("/pages/school?download=xlsx&q=S999"))
    assert rows[1:] == []


@pytest.fixture
def organisation(school):  # noqa: F811
    """Organisation 1 with 55 places (every 5th in welzijn, one withdrawn, one named like a formula)."""
    for n in range(1, 56):
        body = {**PLACE, "organisation_name": "+31 Zorg" if n == 55 else f"Locatie {n:02}",
                "sector": "welzijn" if n % 5 == 0 else "zorg"}
        assert school.client.post("/api/v1/places", json=body, headers=school.as_("org_1")).status_code == 202
    place_id = school.store.places_of_organisation("org-1")[0]
    assert school.client.delete(f"/api/v1/places/{place_id}", headers=school.as_("org_1")).status_code == 202
    school.withdrawn = school.store.get_place(place_id).payload["organisation_name"]
    client = school.client.application.test_client()
    sign_in(client, "org-1")
    school.org_client = client
    return school


def place_names(body: str) -> list[str]:
    table = body.split('<table id="places">', 1)[1].split("</table>", 1)[0]
    return [html.unescape(n) for n in re.findall(r"<td>([^<]+)<br>", table)]


def test_the_place_list_pages_searches_and_filters(organisation):
    client = organisation.org_client
    first = client.get("/pages/organisation").get_data(as_text=True)
    assert len(place_names(first)) == 50 and "1–50 van 55" in first
    assert len(place_names(client.get("/pages/organisation?page=2").get_data(as_text=True))) == 5
    assert sorted(place_names(client.get("/pages/organisation?q=locatie+3").get_data(as_text=True))) == [
        f"Locatie {n}" for n in range(30, 40)]
    welzijn = place_names(client.get("/pages/organisation?sector=welzijn").get_data(as_text=True))
    assert len(welzijn) == 11
    assert place_names(client.get("/pages/organisation?status=withdrawn").get_data(as_text=True)) == [
        organisation.withdrawn]
    assert client.get("/pages/organisation?status=gone").status_code == 422


def test_the_place_xlsx_has_the_filtered_rows_and_escapes_formulas(organisation):
    client = organisation.org_client
    rows = sheet_rows(client.get("/pages/organisation?sector=welzijn&download=xlsx"))
    page = place_names(client.get("/pages/organisation?sector=welzijn").get_data(as_text=True))
    assert rows[0][:2] == ["Periode", "Naam"]
    assert [r[1] for r in rows[1:]] == [("'" + n if n.startswith("+") else n) for n in page]
    assert "'+31 Zorg" in [r[1] for r in rows[1:]]


def test_after_release_a_student_is_found_by_organisation_and_address_and_the_xlsx_says_where(school):  # noqa: F811
    from tests.unit.intake.test_school_sees_outcomes import release, world

    ref, place_id = world(school)
    other = submission(student_student_number="S2", student_name="Niet Geplaatst", student_email="n@example.org")
    assert school.client.post("/api/v1/wishes", json=other, headers=school.as_("school_a")).status_code == 202
    release(school, ref, place_id)
    assert names_on(school.client.get("/pages/school?q=zorggroep").get_data(as_text=True)) == [
        school.store.get_student(ref).name]
    assert names_on(school.client.get("/pages/school?q=zorgweg+2").get_data(as_text=True)) == [
        school.store.get_student(ref).name]
    rows = sheet_rows(school.client.get("/pages/school?q=zorggroep&download=xlsx"))
    assert len(rows) == 2 and rows[1][7] == "Geplaatst bij Zorggroep Noord" and rows[1][8] == "Zorgweg 2, Assen"
    assert rows[1][9] == "Nog geen antwoord"
