"""Capacity planning's pages in intake (issue 16): a school's forecast (a line, a file with row errors), an
organisation's participation with an opt-out reason and its capacity, the coordinator's register."""

from __future__ import annotations

import io
import re

import pytest

from stagepool_shared.auth import Principal
from stagepool_shared.web.accounts import Accounts

PASSWORD = "correct horse battery"
WHO = {"school": Principal("u-a", "school_staff", "school-a", "r-noord"),
       "org": Principal("u-o1", "organisation_staff", "org-1", "r-noord"),
       "coordinator": Principal("u-c", "regional_coordinator", "r-noord", "r-noord")}
HOME = {"school": "/pages/school/forecast", "org": "/pages/organisation/planning",
        "coordinator": "/pages/coordinator/register"}


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def sign_in(api, who: str):
    Accounts(api.wiring.redis_client).create_user(who, PASSWORD, WHO[who])
    token = csrf(api.client.get("/login").get_data(as_text=True))
    api.client.post("/login", data={"username": who, "password": PASSWORD, "csrf_token": token})
    page = api.client.get(HOME[who])
    assert page.status_code == 200, page.get_data(as_text=True)[:500]
    api.csrf = csrf(page.get_data(as_text=True))
    return api


@pytest.fixture
def school(api):
    return sign_in(api, "school")


@pytest.fixture
def org(api):
    return sign_in(api, "org")


@pytest.fixture
def coordinator(api):
    return sign_in(api, "coordinator")


def test_a_school_adds_a_forecast_line_and_an_unknown_crebo_is_shown_at_its_field(school):
    form = {"period_id": "p2027a", "crebo": "99999", "level": "3", "study_year": "1", "students": "10",
            "csrf_token": school.csrf}
    bad = school.client.post("/pages/school/forecast", data=form)
    body = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'id="f-crebo-error">Onbekend crebo' in body
    assert school.publisher.events() == []
    good = school.client.post("/pages/school/forecast", data={**form, "crebo": "25491"})
    assert good.status_code == 302 and good.headers["Location"].endswith("/pages/school/forecast?done=posted")
    page = school.client.get("/pages/school/forecast").get_data(as_text=True)
    assert "Verpleegkundige" in page and len(school.publisher.events("demand.forecast_posted")) == 1


def test_a_forecast_file_with_bad_rows_lists_each_problem_and_stores_nothing(school):
    data = b"periode;crebo;niveau;leerjaar;aantal_studenten\np2027a;11111;3;1;5\nonbekend;25491;3;1;5\n"
    answer = school.client.post("/pages/school/forecast/upload", content_type="multipart/form-data",
                                data={"file": (io.BytesIO(data), "prognose.csv"), "csrf_token": school.csrf})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422 and body.count("<tr><td>") == 2
    assert "Onbekend crebo" in body and "Onbekende periode" in body and school.publisher.events() == []


def test_an_organisation_opts_out_with_a_reason_and_posts_capacity(org):
    base = {"csrf_token": org.csrf, "school_year": "2026-2027"}
    missing = org.client.post("/pages/organisation/planning/participation", data={**base, "status": "opted_out"})
    assert missing.status_code == 422 and 'id="f-reason_code-error"' in missing.get_data(as_text=True)
    done = org.client.post("/pages/organisation/planning/participation",
                           data={**base, "status": "opted_out", "reason_code": "no_supervisor"})
    assert done.status_code == 302  # back to the page itself, for the year just answered
    assert done.headers["Location"].endswith("/pages/organisation/planning?done=participation&school_year=2026-2027")
    page = org.client.get(done.headers["Location"]).get_data(as_text=True)
    assert "wij doen niet mee" in page and "no_supervisor" in page
    line = org.client.post("/pages/organisation/planning/supply",
                           data={"csrf_token": org.csrf, "period_id": "p2027a", "sector": "zorg",
                                 "crebos": "25491, 25480", "slots": "6"})
    assert line.status_code == 302 and org.client.get(line.headers["Location"]).status_code == 200
    assert [e.payload.slots for e in org.publisher.events("supply.forecast_posted")] == [6]
    nothing = org.client.post("/pages/organisation/planning/copy", data=base)
    assert nothing.status_code == 422


def test_the_coordinator_imports_the_register_and_a_bad_file_changes_nothing(coordinator):
    good = b"leerbedrijf_id;crebo\norg-1;25480\n"
    answer = coordinator.client.post("/pages/coordinator/register/recognitions", content_type="multipart/form-data",
                                     data={"file": (io.BytesIO(good), "register.csv"), "csrf_token": coordinator.csrf})
    assert answer.status_code == 302
    bad = b"leerbedrijf_id;crebo\norg-2;123\n;25480\n"
    answer = coordinator.client.post("/pages/coordinator/register/recognitions", content_type="multipart/form-data",
                                     data={"file": (io.BytesIO(bad), "register.csv"), "csrf_token": coordinator.csrf})
    assert answer.status_code == 422 and answer.get_data(as_text=True).count("<tr><td>") == 2
    page = coordinator.client.get("/pages/coordinator/register").get_data(as_text=True)
    assert "1 erkende organisaties" in page
    mode = coordinator.client.post("/pages/coordinator/register/mode",
                                   data={"mode": "refuse", "csrf_token": coordinator.csrf})
    assert mode.status_code == 302 and 'value="refuse" checked' in coordinator.client.get(
        "/pages/coordinator/register").get_data(as_text=True)


def test_the_forecast_list_is_searched_filtered_paged_and_downloaded_as_xlsx(school):
    from openpyxl import load_workbook

    lines = [{"period_id": "p2027a", "crebo": crebo, "level": 3, "study_year": year, "students": 5}
             for crebo in ("25480", "25491") for year in (1, 2)]
    assert school.client.post("/api/v1/forecasts", json={"lines": lines},
                              headers=school.as_("school_a")).status_code == 202
    found = school.client.get("/pages/school/forecast?q=verpleegkundige").get_data(as_text=True)
    assert found.count("<td>25491</td>") == 2 and "<td>25480</td>" not in found
    bad = school.client.get("/pages/school/forecast?period=nope&page=0")
    assert bad.status_code == 422
    book = load_workbook(io.BytesIO(school.client.get("/pages/school/forecast?q=25480&download=xlsx").data))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:2] == ("periode", "crebo") and len(rows) == 3
