"""Capacity planning in intake (issue 16.1, 16.2): demand ahead from the API and a file, supply ahead with
"copy last year's places", participation with an opt-out reason, and the recognition register."""

from __future__ import annotations

import io

from openpyxl import Workbook

from tests.fakes.intake import PERIOD, PLACE

LINE = {"period_id": "p2027a", "crebo": "25491", "level": 3, "study_year": 2, "students": 12}


def upload(api, path: str, data: bytes, who: str, filename: str = "file.csv", query: str = ""):
    return api.client.post(f"/api/v1/{path}{query}", data={"file": (io.BytesIO(data), filename)},
                           headers=api.as_(who), content_type="multipart/form-data")


def test_a_school_posts_demand_lines_and_each_is_published_without_personal_data(api):
    answer = api.client.post("/api/v1/forecasts", json={"lines": [LINE, {**LINE, "crebo": "25480"}]},
                             headers=api.as_("school_a"))
    assert answer.status_code == 202, answer.get_json()
    events = api.publisher.events("demand.forecast_posted")
    assert [(e.payload.crebo, e.payload.sector, e.payload.students) for e in events] == [
        ("25491", "zorg", 12), ("25480", "zorg", 12)]
    assert events[0].payload.school_id == "school-a" and events[0].payload.school_year == "2026-2027"
    lines = api.client.get("/api/v1/forecasts", headers=api.as_("school_a")).get_json()["lines"]
    assert len(lines) == 2


def test_a_later_line_with_the_same_key_replaces_the_earlier_one(api):
    for students in (12, 7):
        api.client.post("/api/v1/forecasts", json={"lines": [{**LINE, "students": students}]},
                        headers=api.as_("school_a"))
    assert [line["students"] for line in api.client.get(
        "/api/v1/forecasts", headers=api.as_("school_a")).get_json()["lines"]] == [7]


def test_a_forecast_for_an_unknown_crebo_is_a_field_error_and_nothing_is_published(api):
    answer = api.client.post("/api/v1/forecasts?lang=en",
                             json={"lines": [LINE, {**LINE, "crebo": "99999", "period_id": "nope"}]},
                             headers=api.as_("school_a"))
    assert answer.status_code == 422
    fields = answer.get_json()["fields"]
    assert fields["1.crebo"] == ["Unknown crebo: not in the qualification file."]
    assert fields["1.period_id"] == ["Unknown period."]
    assert api.publisher.events() == [] and api.client.get(
        "/api/v1/forecasts", headers=api.as_("school_a")).get_json()["lines"] == []
    dutch = api.client.post("/api/v1/forecasts", json={"lines": [{**LINE, "crebo": "99999"}]},
                            headers=api.as_("school_a")).get_json()["fields"]
    assert dutch["crebo"] == ["Onbekend crebo: niet in het kwalificatiedossier."]


def test_forecasts_import_from_xlsx_and_a_bad_file_gets_every_row_error_in_one_pass(api):
    book = Workbook()
    book.active.append(["periode", "crebo", "niveau", "leerjaar", "aantal_studenten"])
    book.active.append(["p2027a", "25491", 3, 1, 20])
    book.active.append(["p2027a", "25480", 2, 1, 8])
    data = io.BytesIO()
    book.save(data)
    answer = upload(api, "imports/forecasts", data.getvalue(), "school_a", "prognose.xlsx")
    assert answer.status_code == 202 and answer.get_json()["accepted"] == 2
    bad = "periode;crebo;niveau;leerjaar;aantal_studenten\np2027a;12345;3;1;5\np2027a;25491;9;1;x\n".encode()
    answer = upload(api, "imports/forecasts", bad, "school_a", query="?lang=en")
    assert answer.status_code == 422
    problems = {(e["row"], e["column"]) for e in answer.get_json()["errors"]}
    assert problems == {(2, "crebo"), (3, "niveau"), (3, "aantal_studenten")}
    assert len(api.publisher.events("demand.forecast_posted")) == 2


def test_an_organisation_posts_supply_and_copies_last_years_places_in_one_step(api):
    last_year = {**PERIOD, "period_id": "p2026a", "name": "Voorjaar 2026", "starts_on": "2026-02-01",
                 "ends_on": "2026-06-30"}
    assert api.client.put("/api/v1/periods/p2026a", json=last_year, headers=api.as_("coordinator")).status_code == 200
    for slots, crebos in ((4, ["25491"]), (3, ["25480"])):
        api.client.post("/api/v1/places", json={**PLACE, "period_id": "p2026a", "slots": slots, "crebos": crebos},
                        headers=api.as_("org_1"))
    answer = api.client.post("/api/v1/supply/copy-last-year", json={"school_year": "2026-2027"},
                             headers=api.as_("org_1"))
    assert answer.status_code == 202, answer.get_json()
    [event] = api.publisher.events("supply.forecast_posted")
    assert (event.payload.period_id, event.payload.sector, event.payload.crebos, event.payload.slots) == (
        "p2027a", "zorg", ["25480", "25491"], 7)
    nothing = api.client.post("/api/v1/supply/copy-last-year?lang=en", json={"school_year": "2026-2027"},
                              headers=api.as_("org_2"))
    assert nothing.status_code == 422 and "school_year" in nothing.get_json()["fields"]
    manual = api.client.post("/api/v1/supply", json={"lines": [
        {"period_id": "p2027a", "sector": "zorg", "crebos": ["25491"], "slots": 5}]}, headers=api.as_("org_1"))
    assert manual.status_code == 202
    assert api.client.get("/api/v1/supply", headers=api.as_("org_1")).get_json()["lines"][0]["slots"] == 5


def test_an_opt_out_needs_a_reason_and_is_recorded_with_its_code_only_in_the_event(api):
    body = {"school_year": "2027-2028", "status": "opted_out", "reason_text": "Verbouwing van de afdeling"}
    refused = api.client.put("/api/v1/participation?lang=en", json=body, headers=api.as_("org_1"))
    assert refused.status_code == 422 and refused.get_json()["fields"] == {"reason_code": [
        "Give a reason for opting out."]}
    answer = api.client.put("/api/v1/participation", json={**body, "reason_code": "reorganisation"},
                            headers=api.as_("org_1"))
    assert answer.status_code == 202
    [event] = api.publisher.events("organisation.participation_set")
    assert (event.payload.status, event.payload.reason_code) == ("opted_out", "reorganisation")
    assert "Verbouwing" not in repr(event.payload)
    stored = api.client.get("/api/v1/participation?school_year=2027-2028", headers=api.as_("org_1")).get_json()
    assert stored["reason_text"] == "Verbouwing van de afdeling"
    assert api.client.get("/api/v1/participation?school_year=2027-2028", headers=api.as_("org_2")).status_code == 404
    assert api.client.get("/api/v1/participation?school_year=volgend", headers=api.as_("org_1")).status_code == 422


REGISTER = ("leerbedrijf_id;handelsnaam;kvk_nummer;postcode;plaats;crebo;kwalificatie;niveau;erkend_sinds\n"
            "org-1;Zorggroep Noord;12345678;9401 AA;Assen;25407;Verzorgende-IG;3;2019-01-01\n")
EQUIVALENTS = ("crebo_oud;kwalificatie_oud;crebo_nieuw;kwalificatie_nieuw\n"
               "25407;Verzorgende-IG (2016);25480;Verzorgende-IG\n")


def test_a_register_file_with_bad_rows_gets_every_row_error_and_nothing_is_imported(api):
    bad = (REGISTER + "bad id!;X;123;;;2540;;7;gisteren\n;;;;;25480;;;\n").encode()
    answer = upload(api, "register/recognitions", bad, "coordinator", query="?lang=en")
    assert answer.status_code == 422
    problems = {(e["row"], e["column"]) for e in answer.get_json()["errors"]}
    assert problems == {(3, "leerbedrijf_id"), (3, "kvk_nummer"), (3, "crebo"), (3, "niveau"), (3, "erkend_sinds"),
                        (4, "leerbedrijf_id")}
    assert api.client.get("/api/v1/register", headers=api.as_("coordinator")).get_json()["organisations"] == 0
    assert upload(api, "register/recognitions", b"x", "school_a").status_code == 403


def test_a_place_with_an_unrecognised_crebo_is_refused_or_flagged_as_the_region_chooses(api):
    assert upload(api, "register/recognitions", REGISTER.encode(), "coordinator").status_code == 200
    assert upload(api, "register/equivalents", EQUIVALENTS.encode(), "coordinator").status_code == 200
    recognised = api.client.post("/api/v1/places", json={**PLACE, "crebos": ["25480"]}, headers=api.as_("org_1"))
    assert recognised.status_code == 202  # recognised for the old code 25407, equivalent to 25480
    flagged = api.client.post("/api/v1/places", json={**PLACE, "crebos": ["25491"]}, headers=api.as_("org_1"))
    assert flagged.status_code == 202  # the default mode flags
    register = api.client.get("/api/v1/register", headers=api.as_("coordinator")).get_json()
    assert [f["crebos"] for f in register["flagged_places"].values()] == [["25491"]]
    assert api.client.put("/api/v1/register/mode", json={"mode": "refuse"},
                          headers=api.as_("coordinator")).status_code == 200
    refused = api.client.post("/api/v1/places?lang=en", json={**PLACE, "crebos": ["25491"]},
                              headers=api.as_("org_1"))
    assert refused.status_code == 422
    assert "not recognised by SBB for crebo 25491" in refused.get_json()["fields"]["crebos"][0]
    assert len(api.publisher.events("place.posted")) == 2


def test_the_demo_sample_register_imports_clean_and_needs_its_equivalent_codes(api):
    from demo.region import generate
    from demo.register import EQUIVALENT_HEADERS, REGISTER_HEADERS, as_csv, equivalent_rows, register_rows

    region = generate(students=300, seed=7)
    rows = register_rows(region, missing_share=0.0)
    assert any(row[5] in ("25407", "25408") for row in rows)  # some under the old code
    answer = upload(api, "register/recognitions", as_csv(REGISTER_HEADERS, rows), "coordinator")
    assert answer.status_code == 200, answer.get_json()
    assert upload(api, "register/equivalents", as_csv(EQUIVALENT_HEADERS, equivalent_rows()),
                  "coordinator").status_code == 200
    deps = api.wiring.deps
    from intake.commands.register import unrecognised_crebos
    assert all(unrecognised_crebos(deps, org.organisation_id, "r-noord", place.crebos) == []
               for org in region.organisations for place in org.places)
