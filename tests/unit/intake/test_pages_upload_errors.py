"""Upload errors all at once, Dutch codes in the Dutch template, and a one-wish form whose error summary names
each field (issue 14.14). School staff pages through Flask's test client on the fakes."""

from __future__ import annotations

import csv
import io
import re

from tests.unit.intake.test_pages_school import HEADERS, school, upload, wish_row  # noqa: F401 (fixture)


def csv_of(headers: list[str], rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def problems(body: str) -> list[tuple[str, str, str]]:
    """(row, column, message) of the upload page's table of problems."""
    return re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", body)


def test_every_header_row_and_column_error_of_a_file_comes_in_one_pass(school):
    headers = HEADERS + ["schoenmaat"]
    rows = [wish_row(1, niveau="drie", **{"e-mail": "geen-adres", "max_reistijd_minuten": "999"}) + ["42"],
            wish_row(2, postcode="abc", leerweg="avond") + ["43"]]
    response = upload(school, csv_of(headers, rows))
    found = problems(response.get_data(as_text=True))
    assert response.status_code == 422
    where = {(row, column) for row, column, _ in found}
    assert ("1", "schoenmaat") in where  # the header
    assert {("2", "niveau"), ("2", "e-mail"), ("2", "max_reistijd_minuten")} <= where  # three columns of one row
    assert {("3", "postcode"), ("3", "leerweg")} <= where  # and the next row
    assert school.publisher.events("wish.submitted") == []


def test_a_missing_column_is_told_once_at_the_header_and_the_rows_are_still_checked(school):
    headers = [h for h in HEADERS if h != "crebo"]
    rows = [[v for h, v in zip(HEADERS, wish_row(1, niveau="9")) if h != "crebo"]]
    found = problems(upload(school, csv_of(headers, rows)).get_data(as_text=True))
    assert [(r, c) for r, c, _ in found if c == "crebo"] == [("1", "crebo")]
    assert ("2", "niveau") in {(r, c) for r, c, _ in found}


def test_the_dutch_template_takes_dutch_transport_words_as_well_as_the_codes(school):
    words = ["fiets", "OV", "auto", "lopen", "public_transport"]
    rows = [wish_row(n, vervoer=word) for n, word in enumerate(words, start=1)]
    response = upload(school, csv_of(HEADERS, rows))
    assert response.status_code == 302, problems(response.get_data(as_text=True))
    modes = sorted(e.payload.transport_mode for e in school.publisher.events("wish.submitted"))
    assert modes == sorted(["bike", "public_transport", "car", "walk", "public_transport"])


def test_an_unknown_transport_word_says_which_words_are_accepted_in_dutch(school):
    found = problems(upload(school, csv_of(HEADERS, [wish_row(1, vervoer="boot")])).get_data(as_text=True))
    assert ("2", "vervoer", "Kies fiets, ov, auto of lopen (of bike, public_transport, car, walk).") in found


def test_the_one_wish_form_error_summary_names_each_field(school):
    response = school.client.post("/pages/school/wish", data={"csrf_token": school.csrf})
    body = response.get_data(as_text=True)
    summary = body.split('id="error-summary-title"')[1].split("</ul>")[0]
    items = re.findall(r"<li><a [^>]*>([^<]*)</a></li>", summary)
    assert response.status_code == 422 and len(items) > 3
    assert "Leerlingnummer: Dit veld is verplicht." in items and "Crebo: Dit veld is verplicht." in items
    assert len(set(items)) == len(items)  # no message repeated without its field


def test_the_place_form_error_summary_names_each_field_too(school):
    from tests.unit.intake.test_pages_organisation import csrf

    org = school.client.application.test_client()
    token = csrf(org.get("/login").get_data(as_text=True))
    org.post("/login", data={"username": "org-1", "password": "correct horse battery", "csrf_token": token})
    form_token = csrf(org.get("/pages/organisation/places/new").get_data(as_text=True))
    body = org.post("/pages/organisation/places/new", data={"csrf_token": form_token}).get_data(as_text=True)
    items = re.findall(r"<li><a [^>]*>([^<]*)</a></li>", body.split('id="error-summary-title"')[1].split("</ul>")[0])
    assert "Periode: Dit veld is verplicht." in items and "Postcode: Dit veld is verplicht." in items
    assert len(set(items)) == len(items)
