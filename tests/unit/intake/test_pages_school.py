"""School staff pages of intake: sign-in, students with status, one wish by form, upload with row errors,
and a self-found place or an opt-out. Every bad form shows messages next to its fields and stores nothing."""

from __future__ import annotations

import csv
import io
import re

import pytest

from intake.entrypoints.rows import WISH_COLUMNS
from stagepool_shared.auth import Principal
from stagepool_shared.web.accounts import Accounts

from tests.fakes.intake import CANARY_NAME

PASSWORD = "correct horse battery"
HEADERS = [c.dutch for c in WISH_COLUMNS]
GOOD_WISH_FORM = {
    "student.student_number": "S77", "student.name": "Noor Bakker", "student.email": "noor@example.org",
    "student.date_of_birth": "2009-04-01", "wish.period_id": "p2027a", "wish.sector": "zorg", "wish.crebo": "25491",
    "wish.level": "3", "wish.study_year": "1", "wish.pathway": "bol", "wish.home.postcode": "9711 AB",
    "wish.max_travel_minutes": "45", "wish.transport_mode": "bike", "wish.needs_allowance": "on",
    "wish.activities": "adl_support, care_plan",
}


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(client, username: str) -> str:
    """Sign in through /login; returns the session's CSRF token for page forms."""
    token = csrf(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.get_data(as_text=True)
    form_page = "/pages/school/wish" if username.startswith("school") else "/pages/organisation/places/new"
    return csrf(client.get(form_page).get_data(as_text=True))


@pytest.fixture
def school(api):
    accounts = Accounts(api.wiring.redis_client)
    accounts.create_user("school-a", PASSWORD, Principal("u-a", "school_staff", "school-a", "r-noord"))
    accounts.create_user("org-1", PASSWORD, Principal("u-o1", "organisation_staff", "org-1", "r-noord"))
    api.csrf = sign_in(api.client, "school-a")
    return api


def wish_row(number: int, **changes: str) -> list[str]:
    values = {h: "" for h in HEADERS} | {
        "leerlingnummer": f"S{number}", "naam": f"Student {number}", "e-mail": f"s{number}@example.org",
        "geboortedatum": "2009-05-01", "periode": "p2027a", "sector": "zorg", "crebo": "25491", "niveau": "3",
        "leerjaar": "1", "leerweg": "bol", "postcode": "9401 AA", "max_reistijd_minuten": "40", "vervoer": "bike"}
    values.update(changes)
    return [values[h] for h in HEADERS]


def as_csv(rows: list[list[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(HEADERS)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def upload(api, data: bytes, filename: str = "wensen.csv"):
    return api.client.post("/pages/school/upload", data={"csrf_token": api.csrf, "file": (io.BytesIO(data), filename)},
                           content_type="multipart/form-data")


def test_the_school_page_sends_a_visitor_without_a_session_to_the_login(api):
    response = api.client.get("/pages/school")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_signing_in_lands_school_staff_on_their_students_page_in_dutch(school):
    body = school.client.get("/pages/school").get_data(as_text=True)
    assert "Studenten en hun stagewensen" in body and "Nog geen studenten" in body
    assert "/pages/review" in body and "Meldpunt stagediscriminatie" in body


def test_organisation_staff_get_404_on_the_school_pages(school):
    client = school.client.application.test_client()
    sign_in(client, "org-1")
    assert client.get("/pages/school").status_code == 404
    assert client.get("/pages/school/upload").status_code == 404


def test_a_wish_form_with_bad_fields_shows_messages_next_to_them_keeps_the_input_and_stores_nothing(school):
    form = {**GOOD_WISH_FORM, "csrf_token": school.csrf, "wish.crebo": "12", "wish.max_travel_minutes": "veel",
            "student.email": ""}
    response = school.client.post("/pages/school/wish", data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert re.search(r'<p class="field-error" id="f-wish-crebo-error">[^<]*verwachte vorm', body)
    assert re.search(r'id="f-wish-crebo"[^>]*value="12"[^>]*aria-describedby="f-wish-crebo-hint f-wish-crebo-error" '
                     r'aria-invalid="true"', body)
    assert 'id="f-wish-max_travel_minutes-error">Geen geldig geheel getal.' in body
    assert 'id="f-student-email-error">Dit veld is verplicht.' in body
    assert 'value="Noor Bakker"' in body
    assert school.publisher.published == [] and school.store.students_of_school("school-a") == []


def test_a_valid_wish_form_publishes_the_wish_and_the_student_appears_with_status(school):
    response = school.client.post("/pages/school/wish", data={**GOOD_WISH_FORM, "csrf_token": school.csrf})
    assert response.status_code == 302
    [event] = school.publisher.events("wish.submitted")
    assert event.payload.crebo == "25491" and event.payload.needs_allowance is True
    body = school.client.get(response.headers["Location"]).get_data(as_text=True)
    assert "De wens is opgeslagen." in body and "Noor Bakker" in body and "Wens ingediend" in body


def test_a_form_post_without_the_csrf_token_is_refused(school):
    assert school.client.post("/pages/school/wish", data=GOOD_WISH_FORM).status_code == 400
    assert school.publisher.published == []


def test_an_upload_with_one_bad_row_shows_that_row_and_stores_nothing_then_the_fixed_file_is_imported(school):
    bad = upload(school, as_csv([wish_row(1), wish_row(2, niveau="7"), wish_row(3)]))
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and school.publisher.published == []
    assert re.search(r"<tr><td>3</td><td>niveau</td><td>[^<]+</td></tr>", body)
    assert "Upload het verbeterde bestand" in body and "wensen.csv" in body
    good = upload(school, as_csv([wish_row(1), wish_row(2), wish_row(3)]))
    assert good.status_code == 302 and "imported=3" in good.headers["Location"]
    assert len(school.publisher.events("wish.submitted")) == 3
    listing = school.client.get("/pages/school").get_data(as_text=True)
    assert all(f"Student {n}" in listing for n in (1, 2, 3))


def test_an_upload_without_a_file_or_with_an_unreadable_one_says_so_next_to_the_file_field(school):
    missing = upload(school, b"", filename="")
    assert missing.status_code == 422 and 'id="f-file-error"' in missing.get_data(as_text=True)
    unreadable = upload(school, b"\xff\xfe\x00bad", filename="x.pdf")
    assert unreadable.status_code == 422 and 'aria-invalid="true"' in unreadable.get_data(as_text=True)
    assert school.publisher.published == []


def test_the_upload_page_offers_both_templates(school):
    body = school.client.get("/pages/school/upload").get_data(as_text=True)
    assert "/api/v1/templates/wishes.xlsx" in body and "/api/v1/templates/wishes.csv" in body
    assert school.client.get("/api/v1/templates/wishes.xlsx").status_code == 200


def test_a_self_found_place_is_registered_per_student_and_a_missing_choice_is_a_field_message(school, ):
    school.client.post("/pages/school/wish", data={**GOOD_WISH_FORM, "csrf_token": school.csrf})
    ref = school.publisher.events("wish.submitted")[0].payload.student_ref
    page = school.client.get(f"/pages/school/students/{ref}").get_data(as_text=True)
    assert "Zelf gevonden plek of afmelden" in page
    missing = school.client.post(f"/pages/school/students/{ref}/end",
                                 data={"csrf_token": school.csrf, "period_id": "p2027a"})
    assert missing.status_code == 422 and 'id="f-choice-error">Kies wat er is gebeurd.' in missing.get_data(as_text=True)
    assert school.publisher.events("wish.opted_out") == []
    done = school.client.post(f"/pages/school/students/{ref}/end",
                              data={"csrf_token": school.csrf, "period_id": "p2027a", "choice": "own_place"})
    assert done.status_code == 302
    [event] = school.publisher.events("wish.opted_out")
    assert event.payload.own_place is True
    assert "Afgemeld" in school.client.get("/pages/school").get_data(as_text=True)


def test_another_schools_student_is_not_found(school, api):
    from tests.fakes.intake import submission

    api.client.post("/api/v1/wishes", json=submission(), headers=api.as_("school_b"))
    ref = api.publisher.events("wish.submitted")[0].payload.student_ref
    assert school.client.get(f"/pages/school/students/{ref}").status_code == 404
    assert CANARY_NAME not in school.client.get("/pages/school").get_data(as_text=True)


def test_kafka_down_keeps_the_form_and_stores_nothing(school):
    school.publisher.go_down()
    response = school.client.post("/pages/school/wish", data={**GOOD_WISH_FORM, "csrf_token": school.csrf})
    body = response.get_data(as_text=True)
    assert response.status_code == 503 and "er is niets opgeslagen" in body and 'value="Noor Bakker"' in body
    assert school.store.students_of_school("school-a") == []


def test_the_pages_speak_english_after_the_switch(school):
    school.client.get("/lang/en?next=/pages/school")
    body = school.client.get("/pages/school/wish").get_data(as_text=True)
    assert '<html lang="en">' in body and "One student&#39;s internship wish" in body
