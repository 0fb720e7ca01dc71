"""Capacity planning's event path on the real broker and Redis (issue 16): a school's forecast, an
organisation's supply and opt-out are posted to intake, published on stagepool.planning.v1 without personal
data, consumed by reporting, and its board counts them."""

from __future__ import annotations

import pytest

from reporting.commands.board import board_of_year
from stagepool_shared import kafka, topics
from stagepool_shared.testing.waiting import wait_until

pytestmark = pytest.mark.integration

PERIOD = {"period_id": "p2027a", "name": "Voorjaar 2027", "starts_on": "2027-02-01", "ends_on": "2027-06-30",
          "sectors": ["zorg"]}
YEAR = "2026-2027"


def test_forecast_supply_and_an_opt_out_reach_the_board_through_kafka(kafka_bootstrap, intake_to_reporting):
    both = intake_to_reporting
    tag, region, intake, reporting = both.tag, both.region, both.intake, both.reporting
    client = intake.app().test_client()
    token = {who: {"Authorization": "Bearer " + intake.tokens.issue(f"u-{who}", role, scope, region_id=region)}
             for who, role, scope in (("c", "regional_coordinator", region), ("s", "school_staff", "sch-1"),
                                      ("o", "organisation_staff", "org-1"), ("p", "organisation_staff", "org-2"))}
    thread = both.consumer("it-board", topics.PLANNING)
    assert client.put("/api/v1/periods/p2027a", json=PERIOD, headers=token["c"]).status_code == 200
    lines = [{"period_id": "p2027a", "crebo": "25480", "level": 3, "study_year": 1, "students": 30}]
    assert client.post("/api/v1/forecasts", json={"lines": lines}, headers=token["s"]).status_code == 202
    supply = [{"period_id": "p2027a", "sector": "zorg", "crebos": ["25480"], "slots": 12}]
    assert client.post("/api/v1/supply", json={"lines": supply}, headers=token["o"]).status_code == 202
    opt_out = {"school_year": YEAR, "status": "opted_out", "reason_code": "no_capacity",
               "reason_text": "CANARY-" + tag}
    assert client.put("/api/v1/participation", json=opt_out, headers=token["p"]).status_code == 202
    thread.start()
    board = wait_until(lambda: (b := board_of_year(reporting.deps, region, YEAR)).participation.get(
        "opted_out") == 1 and b.sectors and b, timeout=60, message="the board did not count the events")
    [sector] = board.sectors
    assert (sector.key, sector.forecast, sector.supply, sector.gap, sector.warning) == (
        ("p2027a", "zorg"), 30, 12, 18, True)
    logged = [m.value for m in kafka.read_log(kafka_bootstrap, (topics.PLANNING,))
              if m.value and tag.encode() in m.value]
    assert logged and not any(b"CANARY-" in value for value in logged)
