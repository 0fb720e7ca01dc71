"""The coordinator's supply-and-demand board (issue 16.3): demand (forecast and actual), supply, gap, trend,
warnings, participation and opted-out students, from planning events through reporting's handlers."""

from __future__ import annotations

from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.planning import DemandForecast, Participation, SupplyForecast

from reporting.commands.board import board_of_year, school_years, set_threshold
from reporting.domain.board import previous_period_id
from reporting.domain.figures import PlaceFact, WishFact
from reporting.handlers import handle
from reporting.report.board import board_tables
from tests.fakes.reporting import FakePlanningBoard, FakeViews, bootstrap_with_doubles

REGION, YEAR, PERIOD, LAST = "r-noord", "2027-2028", "2027-najaar", "2026-najaar"


def envelope(event_type: str, payload, n: int):
    return new_envelope(event_type, payload, producer="t", partition_key=REGION,
                        event_id=f"00000000-0000-4000-8000-{n:012d}")


def world(threshold: int = 10):
    views = FakeViews()
    wiring = bootstrap_with_doubles(views=views, planning=FakePlanningBoard())
    deps = wiring.deps
    deps.planning.put_threshold(REGION, threshold)
    return deps, views


def post(deps, events) -> None:
    for n, (event_type, payload) in enumerate(events, start=1):
        handle(envelope(event_type, payload, n), deps)


def demand(school: str, crebo: str, students: int, level: int = 3):
    return ("demand.forecast_posted", DemandForecast(school, REGION, YEAR, PERIOD, "zorg", crebo, level, 2, students))


def supply(org: str, crebos: list[str], slots: int, sector: str = "zorg"):
    return ("supply.forecast_posted", SupplyForecast(org, REGION, YEAR, PERIOD, sector, crebos, slots))


def test_demand_takes_the_larger_of_forecast_and_actual_wishes_per_school():
    deps, views = world()
    post(deps, [demand("sch-a", "25480", 20), demand("sch-b", "25480", 3)])
    for n in range(6):  # sch-b's wishes overtake its forecast of 3; sch-a's 2 stay under its forecast of 20
        school = "sch-b" if n < 4 else "sch-a"
        views.wishes[(REGION, PERIOD, f"s{n}")] = WishFact(f"s{n}", school, "zorg", 3, crebo="25480")
    board = board_of_year(deps, REGION, YEAR)
    [row] = board.programmes
    assert (row.key, row.forecast, row.actual, row.demand) == ((PERIOD, "zorg", "25480"), 23, 6, 24)


def test_supply_gap_and_a_warning_at_the_regions_threshold():
    deps, views = world(threshold=10)
    post(deps, [demand("sch-a", "25480", 30), demand("sch-a", "25491", 8),
                supply("org-1", ["25480", "25491"], 12), supply("org-2", ["25480"], 5)])
    views.places[(REGION, PERIOD, "pl-1")] = PlaceFact("pl-1", "org-2", "zorg", (3,), 9, crebos=("25480",))
    board = board_of_year(deps, REGION, YEAR)
    rows = {row.key[2]: row for row in board.programmes}
    assert (rows["25480"].supply, rows["25480"].gap, rows["25480"].warning) == (21, 9, False)
    assert (rows["25491"].supply, rows["25491"].gap) == (12, -4)
    [sector] = board.sectors  # a place open to two programmes counts once in the sector
    assert (sector.demand, sector.supply, sector.gap, sector.warning) == (38, 21, 17, True)
    assert board.warnings == [sector]
    assert board.participation == {"taking_part": 2, "opted_out": 0, "not_open": 0}  # they offer places
    set_threshold(deps, REGION, "5")
    assert [r.key for r in board_of_year(deps, REGION, YEAR).warnings] == [(PERIOD, "zorg"), (PERIOD, "zorg", "25480")]


def test_an_organisation_that_opts_out_is_counted_and_its_forecast_supply_no_longer_counts():
    deps, _ = world()
    post(deps, [demand("sch-a", "25480", 10), supply("org-1", ["25480"], 8), supply("org-2", ["25480"], 4),
                ("organisation.participation_set", Participation("org-1", REGION, YEAR, "opted_out", "no_supervisor")),
                ("organisation.participation_set", Participation("org-2", REGION, YEAR, "taking_part")),
                ("organisation.participation_set", Participation("org-3", REGION, YEAR, "not_open"))])
    board = board_of_year(deps, REGION, YEAR)
    assert board.participation == {"taking_part": 1, "opted_out": 1, "not_open": 1}
    assert board.opt_out_reasons == {"no_supervisor": 1}
    assert board.programmes[0].supply == 4
    participation = board_tables(board, "nl")[-1]
    assert [row.labels for row in participation.rows][-1] == ("Reden van afmelden: Geen begeleider",)
    assert "No supervisor" in str(board_tables(board, "en")[-1].rows)


def test_trend_against_last_year_and_students_who_found_their_own_place():
    deps, views = world()
    post(deps, [demand("sch-a", "25480", 12)])
    for n in range(7):
        views.wishes[(REGION, LAST, f"old{n}")] = WishFact(f"old{n}", "sch-a", "zorg", 3, crebo="25480")
    views.wishes[(REGION, PERIOD, "x1")] = WishFact("x1", "sch-a", "zorg", 3, status="opted_out", crebo="25480")
    board = board_of_year(deps, REGION, YEAR)
    assert (board.programmes[0].last_year, board.programmes[0].trend) == (7, 5)
    [school] = board.schools
    assert (school.key, school.forecast, school.opted_out) == ((PERIOD, "sch-a"), 12, 1)
    assert school_years(deps, REGION) == [YEAR]


def test_a_redelivered_line_changes_nothing_and_a_later_one_replaces_it():
    deps, _ = world()
    first = envelope(*demand("sch-a", "25480", 10), 1)
    handle(first, deps)
    handle(envelope(*demand("sch-a", "25480", 10), 1), deps)
    handle(envelope(*demand("sch-a", "25480", 4), 2), deps)
    assert board_of_year(deps, REGION, YEAR).programmes[0].forecast == 4


def test_last_years_period_is_the_id_with_its_year_one_lower():
    assert previous_period_id("2027-najaar") == "2026-najaar"
    assert previous_period_id("p2027a") == "p2026a"
    assert previous_period_id("najaar") is None


def test_the_coordinator_reads_the_board_with_its_warnings_and_downloads_it_with_small_cells_hidden():
    import io

    from openpyxl import load_workbook

    from tests.fakes import FakeAccounts
    from tests.fakes.reporting import COORDINATOR

    accounts, views = FakeAccounts(), FakeViews()
    wiring = bootstrap_with_doubles(views=views, planning=FakePlanningBoard(), accounts=accounts)
    region = COORDINATOR.region_id
    events = [("demand.forecast_posted", DemandForecast("sch-a", region, YEAR, PERIOD, "zorg", "25480", 3, 2, 30)),
              ("demand.forecast_posted", DemandForecast("sch-b", region, YEAR, PERIOD, "zorg", "25491", 3, 2, 3)),
              ("supply.forecast_posted", SupplyForecast("org-1", region, YEAR, PERIOD, "zorg", ["25480"], 8))]
    for n, (event_type, payload) in enumerate(events, start=1):
        handle(new_envelope(event_type, payload, producer="t", partition_key=region,
                            event_id=f"00000000-0000-4000-8000-{n:012d}"), wiring.deps)
    client = wiring.app().test_client()
    session = accounts.start_session(COORDINATOR)
    client.set_cookie("sp_session", session.session_id)
    page = client.get("/pages/coordinator/board").get_data(as_text=True)
    assert 'class="warning"' in page and f"{PERIOD} / zorg: tekort van 25" in page
    assert "<td>25491</td><td>&lt;5</td>" in page  # sch-b's forecast of 3 is a small cell
    bad = client.post("/pages/coordinator/board/threshold", data={"threshold": "nul", "csrf_token": session.csrf_token})
    assert bad.status_code == 422 and 'id="threshold-error"' in bad.get_data(as_text=True)
    done = client.post("/pages/coordinator/board/threshold", data={"threshold": "40", "year": YEAR,
                                                                   "csrf_token": session.csrf_token})
    assert done.status_code == 302 and 'class="warning"' not in client.get("/pages/coordinator/board").get_data(
        as_text=True)
    csv_text = client.get(f"/pages/coordinator/board/{YEAR}.csv").get_data(as_text=True)
    assert f"{region},{YEAR},board_programmes,{PERIOD},zorg,25491,forecast,<5" in csv_text
    book = load_workbook(io.BytesIO(client.get(f"/pages/coordinator/board/{YEAR}.xlsx").data))
    assert book.sheetnames == ["board_sectors", "board_programmes", "board_schools", "board_participation"]
    assert [c.value for c in book["board_sectors"][2]][:6] == [PERIOD, "zorg", "33", "<5", "33", "8"]
    html = client.get(f"/pages/coordinator/board/{YEAR}.html").get_data(as_text=True)
    assert '<rect class="bar"' in html and "Bord vraag en aanbod" in html
    assert client.get("/pages/coordinator/board/1999-2000.csv").status_code == 404


def test_the_board_is_exported_as_low_cardinality_metrics_with_small_cells_left_out():
    from prometheus_client import CollectorRegistry, generate_latest

    from reporting.commands.board import all_boards
    from reporting.metrics import ReportingCollector

    deps, views = world(threshold=10)
    post(deps, [demand("sch-a", "25480", 30), demand("sch-b", "25491", 2), supply("org-1", ["25480"], 8),
                ("organisation.participation_set", Participation("org-2", REGION, YEAR, "opted_out", "other"))])
    views.wishes[(REGION, PERIOD, "x1")] = WishFact("x1", "sch-a", "zorg", 3, status="opted_out", crebo="25480")
    registry = CollectorRegistry()
    registry.register(ReportingCollector(list, list, dict, lambda r: 0, lambda r: 0, list,
                                         boards=lambda: all_boards(deps)))
    value = registry.get_sample_value
    labels = {"region": REGION, "period": PERIOD, "sector": "zorg"}
    assert value("stagepool_board_demand", {**labels, "kind": "forecast"}) == 32
    assert value("stagepool_board_supply", labels) == 8
    assert value("stagepool_board_gap", labels) == 24
    assert value("stagepool_board_warnings", {"region": REGION, "period": PERIOD}) == 2
    assert value("stagepool_board_organisations", {"region": REGION, "school_year": YEAR, "status": "opted_out"}) == 1
    assert value("stagepool_board_students_own_place", {"region": REGION, "period": PERIOD}) is None  # 1 < 5
    exported = generate_latest(registry).decode()
    assert "sch-" not in exported and "org-" not in exported and "25480" not in exported


def test_the_period_report_carries_the_periods_board_in_html_csv_and_xlsx():
    import io

    from openpyxl import load_workbook

    from reporting.domain.figures import PeriodSnapshot
    from tests.fakes import FakeAccounts
    from tests.fakes.reporting import COORDINATOR

    accounts, views = FakeAccounts(), FakeViews()
    region = COORDINATOR.region_id
    views.snapshots[(region, PERIOD)] = PeriodSnapshot(region, PERIOD, wishes=[
        WishFact(f"s{n}", "sch-a", "zorg", 3, crebo="25480") for n in range(6)])
    wiring = bootstrap_with_doubles(views=views, planning=FakePlanningBoard(), accounts=accounts)
    handle(new_envelope("demand.forecast_posted", DemandForecast("sch-a", region, YEAR, PERIOD, "zorg", "25480", 3, 2,
                                                                 20), producer="t", partition_key=region,
                        event_id="00000000-0000-4000-8000-000000000001"), wiring.deps)
    client = wiring.app().test_client()
    client.set_cookie("sp_session", accounts.start_session(COORDINATOR).session_id)
    base = f"/pages/coordinator/report/{PERIOD}"
    assert f"{region},{PERIOD},board_programmes,{PERIOD},zorg,25480,forecast,20" in client.get(f"{base}.csv").get_data(
        as_text=True)
    html = client.get(f"{base}.html").get_data(as_text=True)
    assert 'id="board_sectors"' in html and "Vraag en aanbod per sector" in html
    book = load_workbook(io.BytesIO(client.get(f"{base}.xlsx").data))
    assert "board_programmes" in book.sheetnames and "headline" in book.sheetnames
    assert [c.value for c in book["board_programmes"][2]][:6] == [PERIOD, "zorg", "25480", "20", "6", "20"]
