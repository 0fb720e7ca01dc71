"""The coordinator's outcome list of a round (issue 14.9): pseudonyms (no names), places and organisations by
name, 50 a page, searched and filtered, and as XLSX with the same rows; another region's round is a 404."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from matcher import handlers
from stagepool_shared.auth import Principal
from tests.fakes import FakeAccounts
from tests.fakes.matcher import PERIOD, REGION, event, matcher_wiring, place, wish

COORD = Principal("usr-coord", "regional_coordinator", REGION, REGION)
OTHER = Principal("usr-coord-x", "regional_coordinator", "reg-x", "reg-x")
STAFF = Principal("usr-a", "school_staff", "sch-a", REGION)


@pytest.fixture
def world():
    """60 students (40 of sch-a, 20 of sch-b) and 30 slots in two places, one organisation named like a
    formula; a computed round."""
    accounts = FakeAccounts()
    wiring = matcher_wiring(accounts=accounts)
    deps = wiring.deps
    for n in range(60):
        handlers.handle(event("wish.submitted", wish(f"stu-{n:03}", "sch-a" if n < 40 else "sch-b")), deps)
    handlers.handle(event("place.posted", replace(place("plc-1", 20), organisation_name="Zorggroep Noord")), deps)
    handlers.handle(event("place.posted", replace(place("plc-2", 10), organisation_name="=SUM(A1:A9)")), deps)

    def client(principal):
        c = wiring.app().test_client()
        session = accounts.start_session(principal)
        c.set_cookie("sp_session", session.session_id)
        c.csrf = session.csrf_token
        return c

    coordinator = client(COORD)
    answer = coordinator.post("/pages/coordinator/rounds", data={"csrf_token": coordinator.csrf,
                                                                 "period_id": PERIOD, "seed": "7"})
    handlers.handle(deps.publisher.events("round.requested")[-1], deps)
    round_id = answer.headers["Location"].split("/rounds/")[1].split("?")[0]
    return client, round_id, deps


def listed(body: str) -> list[str]:
    table = body.split('<table id="outcomes">', 1)[1].split("</table>", 1)[0] if 'id="outcomes"' in body else ""
    return re.findall(r'<tr data-student="([^"]+)">', table)


def test_the_round_page_links_to_its_outcome_list(world):
    client, round_id, _ = world
    assert f"/pages/coordinator/rounds/{round_id}/outcomes" in client(COORD).get(
        f"/pages/coordinator/rounds/{round_id}").get_data(as_text=True)


def test_the_outcome_list_pages_fifty_and_shows_places_by_name_and_students_by_pseudonym(world):
    client, round_id, deps = world
    url = f"/pages/coordinator/rounds/{round_id}/outcomes"
    first = client(COORD).get(url).get_data(as_text=True)
    assert len(listed(first)) == 50 and "1–50 van 60" in first and "Zorggroep Noord" in first
    assert len(listed(client(COORD).get(url + "?page=2").get_data(as_text=True))) == 10
    assert all(ref.startswith("stu-") for ref in listed(first))


def test_the_outcome_list_is_searched_and_filtered(world):
    client, round_id, deps = world
    url = f"/pages/coordinator/rounds/{round_id}/outcomes"
    outcomes = deps.store.outcomes(round_id)
    placed = [o for o in outcomes if o.status == "placed"]
    coordinator = client(COORD)
    assert len(listed(coordinator.get(url + "?status=placed").get_data(as_text=True))) == min(50, len(placed))
    assert len(listed(coordinator.get(url + "?school=sch-b").get_data(as_text=True))) == 20
    assert listed(coordinator.get(url + "?q=stu-007").get_data(as_text=True)) == ["stu-007"]
    at_noord = [o for o in placed if o.place_id == "plc-1"]
    assert len(listed(coordinator.get(url + "?q=zorggroep").get_data(as_text=True))) == len(at_noord)
    assert coordinator.get(url + "?status=lost").status_code == 422


def test_the_outcome_xlsx_has_the_filtered_rows_with_formulas_escaped(world):
    client, round_id, deps = world
    url = f"/pages/coordinator/rounds/{round_id}/outcomes?school=sch-a"
    coordinator = client(COORD)
    page = listed(coordinator.get(url).get_data(as_text=True))
    answer = coordinator.get(url + "&download=xlsx")
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(answer.get_data())).active.iter_rows()]
    assert rows[0][:3] == ["Pseudoniem", "School", "Uitkomst"]
    assert [r[0] for r in rows[1:]] == page and {r[1] for r in rows[1:]} == {"sch-a"}
    organisations = {r[3] for r in rows[1:]}
    assert "'=SUM(A1:A9)" in organisations and "=SUM(A1:A9)" not in organisations


def test_another_regions_coordinator_and_school_staff_get_404(world):
    client, round_id, _ = world
    assert client(OTHER).get(f"/pages/coordinator/rounds/{round_id}/outcomes").status_code == 404
    assert client(STAFF).get(f"/pages/coordinator/rounds/{round_id}/outcomes").status_code == 404


def test_the_organisation_list_of_the_region_is_searched_filtered_and_downloaded(world):
    client, _, deps = world
    for n in range(3, 60):
        handlers.handle(event("place.posted", replace(place(f"plc-{n}", 1), organisation_name=f"Org {n:02}")), deps)
    coordinator = client(COORD)
    overview = coordinator.get("/pages/coordinator").get_data(as_text=True)
    assert "/pages/coordinator/organisations" in overview
    first = coordinator.get("/pages/coordinator/organisations").get_data(as_text=True)
    assert "1–50 van 59" in first and "Zorggroep Noord" not in first
    assert "Zorggroep Noord" in coordinator.get("/pages/coordinator/organisations?page=2").get_data(as_text=True)
    found = coordinator.get("/pages/coordinator/organisations?q=org+1").get_data(as_text=True)
    assert re.findall(r'<tr data-organisation="([^"]+)">', found) == [f"org-plc-{n}" for n in range(10, 20)]
    assert coordinator.get(f"/pages/coordinator/organisations?period={PERIOD}").status_code == 200
    assert coordinator.get("/pages/coordinator/organisations?period=p-none").status_code == 422
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(coordinator.get(
        "/pages/coordinator/organisations?download=xlsx").get_data())).active.iter_rows()]
    assert len(rows) == 60 and "'=SUM(A1:A9)" in [r[0] for r in rows]
    assert client(STAFF).get("/pages/coordinator/organisations").status_code == 404
    assert "Zorggroep" not in client(OTHER).get("/pages/coordinator/organisations").get_data(as_text=True)
