"""The desk's case list (issue 14.9): 50 a page, searched by report, organisation or school, filtered by
status, kind, phase and deadline, and downloaded as XLSX with the same rows and formula-like cells escaped."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from types import SimpleNamespace

import pytest
from openpyxl import load_workbook

from reporting.commands.desk import NewReport, change_status, file_report
from stagepool_shared.auth import Principal
from tests.fakes import FakeAccounts
from tests.fakes.reporting import DESK_PRINCIPAL, PERIOD, STUDENT_PRINCIPAL, bootstrap_with_doubles

OTHER_DESK = Principal("usr-desk-x", "desk_staff", "reg-other", "reg-other")
FORMULA_ORG = "=cmd|' /C calc'!A0"


@pytest.fixture
def desk(views, publisher, clock):
    """55 cases of the region (every 5th a selection case at org-5x-…, the last one's organisation stored as a
    formula-like text),
    the first 10 filed 30 days earlier (overdue), case 2 in progress; one case of another region."""
    accounts = FakeAccounts()
    wiring = bootstrap_with_doubles(views=views, publisher=publisher, clock=clock, accounts=accounts)
    ids = []
    for n in range(1, 56):
        if n == 11:
            clock.advance(days=30)
        org = f"org-5x-{n}" if n % 5 == 0 else f"org-{n:02}"
        report = NewReport("remark", "2027-02-20", org, period_id=PERIOD,
                           phase="selection" if n % 5 == 0 else "during_internship")
        ids.append(file_report(wiring.deps, STUDENT_PRINCIPAL, report).report_id)
    change_status(wiring.deps, DESK_PRINCIPAL, ids[1], "in_progress", None)
    store = wiring.deps.desk_store  # a stored text that reads like a formula (ids are checked at filing)
    store.save(replace(store.case(ids[-1]), organisation_id=FORMULA_ORG))
    other = Principal("usr-stu-x", "student", "stu_" + "b" * 32, "reg-other")
    file_report(wiring.deps, other, NewReport("remark", "2027-02-20", "org-elsewhere", period_id=PERIOD))
    client = wiring.app().test_client()
    client.set_cookie("sp_session", accounts.start_session(DESK_PRINCIPAL).session_id)
    return SimpleNamespace(client=client, ids=ids, wiring=wiring, accounts=accounts)


def listed(body: str) -> list[str]:
    table = body.split('<table id="cases">', 1)[1].split("</table>", 1)[0] if 'id="cases"' in body else ""
    return re.findall(r'<a href="/pages/desk/([^"]+)">', table)


def sheet(response) -> list[list]:
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(response.get_data())).active.iter_rows()]


def test_the_case_list_shows_fifty_a_page_overdue_first(desk):
    first = desk.client.get("/pages/desk").get_data(as_text=True)
    assert len(listed(first)) == 50 and "1–50 van 55" in first
    assert set(listed(first)[:9]) == set(desk.ids[:10]) - {desk.ids[1]}
    assert len(listed(desk.client.get("/pages/desk?page=2").get_data(as_text=True))) == 5


def test_the_case_list_is_searched_by_organisation_and_report(desk):
    assert len(listed(desk.client.get("/pages/desk?q=org-5x").get_data(as_text=True))) == 10
    assert listed(desk.client.get(f"/pages/desk?q={desk.ids[3]}").get_data(as_text=True)) == [desk.ids[3]]
    assert listed(desk.client.get("/pages/desk?q=elsewhere").get_data(as_text=True)) == []


def test_the_case_list_is_filtered_by_status_phase_and_deadline(desk):
    assert listed(desk.client.get("/pages/desk?status=in_progress").get_data(as_text=True)) == [desk.ids[1]]
    assert len(listed(desk.client.get("/pages/desk?phase=selection").get_data(as_text=True))) == 11
    overdue = listed(desk.client.get("/pages/desk?deadline=overdue").get_data(as_text=True))
    assert set(overdue) == set(desk.ids[:10]) - {desk.ids[1]}


@pytest.mark.parametrize("query", ["page=-3", "status=opened", "phase=x", "deadline=soon", "category=all"])
def test_a_bad_page_or_filter_is_a_422_at_its_field(desk, query):
    answer = desk.client.get("/pages/desk?" + query)
    assert answer.status_code == 422
    assert f'id="{query.split("=")[0]}-error"' in answer.get_data(as_text=True)


def test_the_xlsx_has_the_rows_of_the_filtered_list_and_escapes_formulas(desk):
    page = listed(desk.client.get("/pages/desk?phase=selection").get_data(as_text=True))
    rows = sheet(desk.client.get("/pages/desk?phase=selection&download=xlsx"))
    assert rows[0][:2] == ["Melding", "Status"]
    assert [r[0] for r in rows[1:]] == page
    assert "'" + FORMULA_ORG in [r[4] for r in rows[1:]]
    assert not any(str(c).startswith(("=", "+", "-", "@")) for r in rows for c in r if c is not None)


def test_the_xlsx_holds_every_case_of_the_region_and_none_of_another(desk):
    rows = sheet(desk.client.get("/pages/desk?download=xlsx&page=2"))
    assert len(rows) == 56 and "org-elsewhere" not in [r[4] for r in rows]
    client = desk.wiring.app().test_client()
    client.set_cookie("sp_session", desk.accounts.start_session(OTHER_DESK).session_id)
    assert [r[4] for r in sheet(client.get("/pages/desk?download=xlsx"))[1:]] == ["org-elsewhere"]
