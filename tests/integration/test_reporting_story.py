"""One student's story and the coordinator's student list on real Redis (issue 14.9, 14.10): a released round
folded into reporting's projections is read back per student (`RedisViews.student_rounds`), shown on the
coordinator's page, downloaded as XLSX, and hidden from another region's coordinator."""

from __future__ import annotations

import io
import uuid

import pytest
from openpyxl import load_workbook

from reporting.bootstrap import bootstrap
from reporting.commands.story import student_story
from reporting.handlers import handle
from stagepool_shared.auth import Principal
from tests.fakes.reporting import settings_for

from test_reporting_metrics import PERIOD, outcomes, round_events, students

pytestmark = pytest.mark.integration


@pytest.fixture
def fed(kafka_bootstrap, redis_url, redis_client):
    """Reporting on real Redis holding a released round of 16 students (11 placed, 5 not)."""
    region = "reg-" + uuid.uuid4().hex[:8]
    service = bootstrap(settings_for(kafka_bootstrap, redis_url), registry=None)
    wish_list = students(region)
    for event in round_events(region, wish_list):
        handle(event, service.deps)
    yield service, region, wish_list
    service.close()


def page_client(service, principal: Principal):
    client = service.app().test_client()
    client.set_cookie("sp_session", service.accounts.start_session(principal).session_id)
    return client


def test_the_story_reads_the_students_round_from_redis_and_the_page_shows_it(fed):
    service, region, wish_list = fed
    coordinator = Principal("usr-coord", "regional_coordinator", region, region)
    unplaced = next(o for o in outcomes(wish_list) if o.status == "unplaced")
    story = student_story(service.deps, coordinator, unplaced.student_ref)
    [period] = story.periods
    assert period.period_id == PERIOD and period.wish is not None
    [(round_fact, outcome)] = period.rounds
    assert outcome["status"] == "unplaced" and outcome["reason_code"] == "NO_ELIGIBLE_PLACE"
    assert round_fact.kind == "initial" and period.placement.status == "unplaced"
    body = page_client(service, coordinator).get(f"/pages/coordinator/students/{unplaced.student_ref}")
    assert body.status_code == 200 and "geen plaats voldoet aan alle harde criteria" in body.get_data(as_text=True)
    other = Principal("usr-c2", "regional_coordinator", "reg-else", "reg-else")
    assert page_client(service, other).get(f"/pages/coordinator/students/{unplaced.student_ref}").status_code == 404


def test_the_student_list_filters_and_downloads_from_redis(fed):
    service, region, wish_list = fed
    client = page_client(service, Principal("usr-coord", "regional_coordinator", region, region))
    answer = client.get("/pages/coordinator/students?status=unplaced&download=xlsx")
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(answer.get_data())).active.iter_rows()]
    expected = sorted(o.student_ref for o in outcomes(wish_list) if o.status == "unplaced")
    assert [r[0] for r in rows[1:]] == expected and {r[3] for r in rows[1:]} == {"niet geplaatst"}
