"""Bulk import from CSV and XLSX: templates, a row-by-row report, all or nothing per file."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from intake.adapters.tabular import write_xlsx
from intake.entrypoints.rows import PLACE_COLUMNS, WISH_COLUMNS

from tests.fakes.intake import record_publish_deadlines

HEADERS = [c.dutch for c in WISH_COLUMNS]


def wish_row(number: int, **changes: str) -> list[str]:
    values = {
        "leerlingnummer": f"S{number}", "naam": f"Student {number}", "e-mail": f"s{number}@example.org",
        "telefoon": "", "adres": "", "geboortedatum": "2009-05-01", "periode": "p2027a", "sector": "zorg",
        "crebo": "25491", "niveau": "3", "leerjaar": "1", "leerweg": "bol", "postcode": "9401 AA",
        "breedtegraad": "", "lengtegraad": "", "max_reistijd_minuten": "40", "vervoer": "bike",
        "stagevergoeding_nodig": "ja", "onregelmatige_diensten": "nee", "werkzaamheden": "adl_support|care_plan",
        "voorkeur_organisatietypes": "vvt", "top3_plaatsen": "", "ondersteuningsbehoeften": "", "leerwens": "Leren",
    }
    values.update(changes)
    return [values[h] for h in HEADERS]


def as_csv(headers, rows, delimiter=";") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def upload(api, path, data: bytes, filename="wensen.csv", who="school_a", query=""):
    return api.client.post(f"/api/v1/imports/{path}{query}", data={"file": (io.BytesIO(data), filename)},
                           content_type="multipart/form-data", headers=api.as_(who))


def test_a_valid_csv_file_publishes_one_event_per_row(api):
    response = upload(api, "wishes", as_csv(HEADERS, [wish_row(i) for i in range(1, 6)]))
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["accepted"] == 5
    assert len(api.publisher.events("wish.submitted")) == 5
    assert len(api.store.students) == 5


def test_an_xlsx_file_with_english_headers_is_accepted(api):
    english = [c.english for c in WISH_COLUMNS]
    data = write_xlsx(english, [], rows=[wish_row(1), wish_row(2)])
    response = upload(api, "wishes", data, filename="wishes.xlsx")
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["accepted"] == 2


def test_one_bad_row_rejects_the_whole_file_with_a_row_by_row_report(api):
    rows = [wish_row(1), wish_row(2, niveau="7"), wish_row(3, niveau="drie", postcode="12")]
    response = upload(api, "wishes", as_csv(HEADERS, rows), query="?lang=en")
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert {"row": 3, "column": "niveau", "message": "Must be greater than or equal to 1 and less than or equal to 4."} in errors
    assert {"row": 4, "column": "niveau", "message": "Not a valid integer."} in errors
    assert api.publisher.published == [] and api.store.students == {}


def test_the_error_report_downloads_as_csv(api):
    response = upload(api, "wishes", as_csv(HEADERS, [wish_row(1, periode="p-none")]), query="?format=csv")
    assert response.status_code == 422
    lines = response.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0] == "rij;kolom;melding"
    assert lines[1].startswith("2;periode;")


def test_a_forbidden_column_is_refused_with_the_reason(api):
    response = upload(api, "wishes", as_csv(HEADERS + ["nationaliteit"], [wish_row(1) + ["NL"]]))
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"row": 1, "column": "nationaliteit",
                                              "message": "geen objectief matchingscriterium"}]


def test_a_student_twice_in_one_file_is_an_error(api):
    response = upload(api, "wishes", as_csv(HEADERS, [wish_row(1), wish_row(1)]))
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["row"] == 3


def test_a_places_file_is_imported_for_the_callers_organisation(api):
    headers = ["periode", "organisatienaam", "sector", "organisatietype", "postcode", "adres", "crebos", "niveaus",
               "plaatsen", "begeleidingscapaciteit"]
    rows = [["p2027a", "Zorggroep", "zorg", "vvt", "9401", "Zorgweg 2", "25491|25480", "2|3", "3", "2"]] * 3
    response = upload(api, "places", as_csv(headers, rows, delimiter=","), who="org_1")
    assert response.status_code == 202, response.get_json()
    events = api.publisher.events("place.posted")
    assert len(events) == 3 and {e.payload.organisation_id for e in events} == {"org-1"}
    assert events[0].payload.crebos == ["25491", "25480"] and events[0].payload.levels == [2, 3]


def test_templates_have_dutch_headers(api):
    text = api.client.get("/api/v1/templates/wishes.csv").get_data(as_text=True).lstrip("\ufeff")
    assert text.splitlines()[0].split(";") == HEADERS
    xlsx = api.client.get("/api/v1/templates/places.xlsx").get_data()
    sheet = load_workbook(io.BytesIO(xlsx)).worksheets[0]
    assert [c.value for c in sheet[1]] == [c.dutch for c in PLACE_COLUMNS]


def test_a_file_that_is_neither_csv_nor_xlsx_is_400(api):
    assert upload(api, "wishes", b"PK\x03\x04garbage", filename="x.xlsx").status_code == 400
    assert upload(api, "wishes", b"\xff\xfe\x00bad", filename="x.csv").status_code == 400


def test_an_import_publishes_under_the_publishers_own_timeout_not_the_request_deadline(api, monkeypatch):
    """Reading and checking a large file may take longer than the request deadline; the publish still gets
    its full timeout once the rows are checked."""
    seen = record_publish_deadlines(api.publisher, monkeypatch)
    response = upload(api, "wishes", as_csv(HEADERS, [wish_row(i) for i in range(1, 4)]))
    assert response.status_code == 202, response.get_json()
    assert seen == [None]


def posted_place(api, **changes) -> str:
    from tests.fakes.intake import PLACE

    response = api.client.post("/api/v1/places", json={**PLACE, **changes}, headers=api.as_("org_1"))
    assert response.status_code == 202, response.get_json()
    return response.get_json()["place_id"]


def test_a_top_3_naming_an_unknown_withdrawn_or_repeated_place_is_a_row_error_and_nothing_is_stored(api):
    open_place, gone = posted_place(api, offers_allowance=True), posted_place(api, offers_allowance=True)
    assert api.client.delete(f"/api/v1/places/{gone}", headers=api.as_("org_1")).status_code == 202
    before = len(api.publisher.published)
    rows = [wish_row(1, top3_plaatsen=open_place), wish_row(2, top3_plaatsen=f"{open_place}|plc-typo1"),
            wish_row(3, top3_plaatsen=gone), wish_row(4, top3_plaatsen=f"{open_place}|{open_place}")]
    response = upload(api, "wishes", as_csv(HEADERS, rows))
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {"row": 3, "column": "top3_plaatsen", "message": "Geen open plaats met deze id in deze periode: plc-typo1."},
        {"row": 4, "column": "top3_plaatsen", "message": f"Deze plaats is gesloten: Zorggroep Noord ({gone})."},
        {"row": 5, "column": "top3_plaatsen", "message": "Een plaats staat meer dan eens in de top 3."}]
    assert len(api.publisher.published) == before and api.store.students == {}
    accepted = upload(api, "wishes", as_csv(HEADERS, [wish_row(1, top3_plaatsen=open_place)]))
    assert accepted.status_code == 202, accepted.get_json()
    assert api.publisher.events("wish.submitted")[0].payload.top_places == [open_place]
