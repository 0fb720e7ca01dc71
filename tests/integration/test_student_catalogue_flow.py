"""The student's catalogue on the real broker and Redis (issue 15.2): intake's Redis store lists the places of
the period, the student signs in with the personal link, sees only the places they are eligible for, and their
ranked top 3 arrives on the wishes topic as wish.updated; a refused choice publishes nothing."""

from __future__ import annotations

import json
import re
import uuid
from datetime import date, timedelta
from typing import Iterator

import pytest
import requests

from stagepool_shared import kafka, topics
from stagepool_shared.auth import Principal
from tests.fakes.intake import PLACE
from tests.integration.test_intake_http_flow import WISH, Intake, canary_submission, topics_ready  # noqa: F401

pytestmark = pytest.mark.integration

PERIOD = {"period_id": "p2027a", "name": "Voorjaar 2027", "starts_on": "2027-02-01", "ends_on": "2027-06-30",
          "sectors": ["zorg"], "wishes_until": (date.today() + timedelta(days=30)).isoformat()}


@pytest.fixture
def intake(topics_ready: str, redis_url: str) -> Iterator[Intake]:  # noqa: F811
    service = Intake(topics_ready, redis_url, "it-cat-" + uuid.uuid4().hex[:8])
    assert service.call("PUT", "/api/v1/periods/p2027a", "coordinator", json=PERIOD).status_code == 200
    yield service
    service.close()


def _place(intake: Intake, name: str, **changes) -> str:
    body = {**PLACE, "organisation_name": name, "location": {"postcode": "9712"}, "offers_allowance": True, **changes}
    response = intake.call("POST", "/api/v1/places", "org", json=body)
    assert response.status_code == 202, response.text
    return response.json()["place_id"]


def test_a_student_browses_the_catalogue_and_the_top_3_arrives_on_the_wishes_topic(intake, topics_ready):  # noqa: F811
    body, _, _ = canary_submission()
    body["wish"] = {**WISH, "needs_allowance": True, "activities": ["adl_support"]}
    answer = intake.call("POST", "/api/v1/wishes", "school_a", json=body)
    assert answer.status_code == 202, answer.text
    ref = answer.json()["student_ref"]
    fits, bbl = _place(intake, "Zorg Dichtbij", town="Groningen"), _place(intake, "Alleen BBL", pathways=["bbl"])
    browser = requests.Session()
    token = intake.wiring.accounts.renew_link(Principal(ref, "student", ref, "r-noord"))
    signed_in = browser.get(f"{intake.server.url}/s/{token}", allow_redirects=False, timeout=30)
    assert signed_in.status_code == 302
    browser.headers["Cookie"] = f"sp_session={signed_in.cookies['sp_session']}"  # a Secure cookie, sent over http
    page = browser.get(f"{intake.server.url}/pages/student/catalogue", timeout=30)
    names = re.findall(r'<h3 id="place-[^"]+-name">([^<]+)</h3>', page.text)
    assert page.status_code == 200 and names == ["Zorg Dichtbij"]
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    url = f"{intake.server.url}/pages/student/catalogue/p2027a/top3"
    refused = browser.post(url, data={"choice_1": bbl, "csrf_token": csrf}, allow_redirects=False, timeout=30)
    assert refused.status_code == 422 and "Alleen BBL" in refused.text
    saved = browser.post(url, data={"choice_1": fits, "csrf_token": csrf}, allow_redirects=False, timeout=30)
    assert saved.status_code == 302
    updates = [json.loads(m.value) for m in kafka.read_log(topics_ready, (topics.WISHES,))
               if m.value and ref.encode() in m.value and b'"wish.updated"' in m.value]
    assert [u["payload"]["top_places"] for u in updates] == [[fits]]
