"""The coordinator's what-if pages through Flask's test client (issue 16.4): copy the pool, edit it, run it with
the worker, read the comparison of the four policies in the table, the charts and the XLSX export; bad fields
are answered 422 with the message next to the field and change nothing; other regions see nothing."""

from __future__ import annotations

import io
import re
from dataclasses import replace

import pytest
from openpyxl import load_workbook
from stagepool_shared.auth import Principal

from matcher import handlers
from matcher.adapters.scenario_store import InMemoryScenarioStore
from matcher.jobs import run_queued_scenario
from tests.fakes.matcher import PERIOD, REGION, event, matcher_wiring, place, wish

COORD = Principal("usr-coord", "regional_coordinator", REGION, REGION)
OTHER = Principal("usr-other", "regional_coordinator", "reg-other", "reg-other")
STAFF = Principal("usr-a", "school_staff", "sch-a", REGION)


@pytest.fixture
def wiring(accounts):
    wiring = matcher_wiring(accounts=accounts, scenarios=InMemoryScenarioStore())
    envs = [event("wish.submitted", wish(f"stu-{i}", "sch-a" if i % 2 else "sch-b")) for i in range(6)]
    envs += [event("place.posted", replace(place(f"plc-{i}", 1, org="org-care"), irregular_shifts=False))
             for i in range(2)]
    for env in envs:
        handlers.handle(env, wiring.deps)
    return wiring


def client_of(wiring, accounts, who=COORD):
    client = wiring.app().test_client()
    session = accounts.start_session(who)
    client.set_cookie("sp_session", session.session_id)
    client.csrf = session.csrf_token
    return client


def post(client, path, **data):
    return client.post(path, data={"csrf_token": client.csrf, **data})


def created(client):
    answer = post(client, "/pages/coordinator/scenarios", period_id=PERIOD)
    assert answer.status_code == 302
    return answer.headers["Location"]


def test_a_coordinator_runs_a_scenario_and_sees_the_four_policies_side_by_side(wiring, accounts):
    client = client_of(wiring, accounts)
    page = created(client)
    answer = post(client, page + "/edits", kind="places", change="20", organisation_id="org-care")
    assert answer.status_code == 302
    assert post(client, page + "/run").status_code == 302
    assert "in de wachtrij" in client.get(page).get_data(as_text=True)
    assert run_queued_scenario(wiring.deps) == 1
    body = client.get(page).get_data(as_text=True)
    assert "Plekken +20 bij org-care" in body and 'id="comparison"' in body
    for name in ("Stagepool-regel", "één loting", "loting per plaats", "Wie het eerst komt"):
        assert name in body
    placed = re.search(r"<th scope=\"row\">Geplaatst</th>((?:<td>\d+</td>){4})", body)
    assert placed and re.findall(r"<td>(\d+)</td>", placed.group(1)) == ["6"] * 4  # 22 slots for 6 students
    bars = re.findall(r'class="bar"[^>]*data-label="([^"]+)" data-value="([^"]+)"', body)
    assert ("(a) Stagepool-regel", "6") in bars


def test_the_comparison_downloads_as_xlsx_with_the_same_figures_and_formula_text_escaped(wiring, accounts):
    client = client_of(wiring, accounts)
    page = created(client)
    post(client, page + "/edits", kind="demand", school_id="sch-a", percent="-100")
    post(client, page + "/run")
    run_queued_scenario(wiring.deps)
    answer = client.get(page + "/export.xlsx?lang=en")
    assert answer.status_code == 200 and "spreadsheetml" in answer.content_type
    sheet = load_workbook(io.BytesIO(answer.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Figure" and rows[0][1] == "(a) Stagepool rule" and len(rows[0]) == 5
    assert ["Placed", 2, 2, 2, 2] in rows  # sch-a's three students gone: sch-b's three compete for 2 slots
    assert "Edit: Demand of sch-a -100 %" in [r[0] for r in rows]


def test_bad_edits_are_answered_422_next_to_the_field_and_change_nothing(wiring, accounts):
    client = client_of(wiring, accounts)
    page = created(client)
    for data, field in (({"kind": "places", "change": "-5", "organisation_id": "org-care"}, "change"),
                        ({"kind": "demand", "school_id": "sch-nowhere", "percent": "10"}, "school_id"),
                        ({"kind": "reserved", "place_id": "plc-0", "school_id": "sch-a", "slots": "-1"}, "slots"),
                        ({"kind": "demand", "percent": "10"}, "school_id"),
                        ({"kind": "travel", "minutes": "many"}, "minutes")):
        answer = post(client, page + "/edits", **data)
        body = answer.get_data(as_text=True)
        assert answer.status_code == 422, data
        assert f'id="{field}-error"' in body and f'aria-invalid="true"' in body
        assert "Traceback" not in body
    assert "Nog geen wijzigingen" in client.get(page).get_data(as_text=True)


def test_a_period_outside_the_year_is_a_field_error_and_no_scenario_is_made(wiring, accounts):
    client = client_of(wiring, accounts)
    answer = post(client, "/pages/coordinator/scenarios", period_id="2031-p9")
    assert answer.status_code == 422 and 'id="period_id-error"' in answer.get_data(as_text=True)
    assert wiring.deps.scenarios.list_for(REGION) == []


def test_another_regions_coordinator_gets_404_and_school_staff_cannot_open_the_pages(wiring, accounts):
    page = created(client_of(wiring, accounts))
    assert client_of(wiring, accounts, OTHER).get(page).status_code == 404
    assert post(client_of(wiring, accounts, OTHER), page + "/run").status_code == 404
    assert client_of(wiring, accounts, STAFF).get("/pages/coordinator/scenarios").status_code == 404


def test_the_pages_speak_english_on_request(wiring, accounts):
    client = client_of(wiring, accounts)
    page = created(client)
    body = client.get(page + "?lang=en").get_data(as_text=True)
    assert "The live pool does not change." in body and '<html lang="en">' in body


def test_a_running_scenario_shows_its_progress_and_cannot_be_run_twice(wiring, accounts):
    client = client_of(wiring, accounts)
    page = created(client)
    post(client, page + "/run")
    store = wiring.deps.scenarios
    record = store.list_for(REGION)[0]
    store.save(replace(record, status="running", progress=2, total=4))
    body = client.get(page).get_data(as_text=True)
    assert 'value="2"' in body and "loopt: 2 / 4" in body and 'id="run" disabled' in body
    again = post(client, page + "/run")
    assert again.status_code == 409 and "loopt nog" in again.get_data(as_text=True)
