"""Rough edges of the student's page (issue 14, points 12, 13 and 17): a bad or expired personal link says what
to do, moments are shown in Europe/Amsterdam with the zone named (never UTC), and refusing a place asks for
confirmation first, without JavaScript. The shared stylesheet shows a link-styled button on a white page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import stagepool_shared.web.pages
from stagepool_shared.i18n import local_time
from tests.fakes.notifier import RELEASE
from tests.unit.notifier.conftest import as_student, csrf

CSS = Path(stagepool_shared.web.pages.__file__).parent / "static" / "stagepool.css"


@pytest.fixture
def site(pages_site):
    """The pages' site (a released round: s1 placed, s2 not) at the release moment, its messages sent."""
    pages_site.clock.now = RELEASE
    pages_site.drain()
    return pages_site


def test_a_bad_or_expired_link_says_to_ask_the_school_for_a_new_link_in_dutch_and_english(site):
    client = site.app.test_client()
    response = client.get("/s/not-a-real-token")
    body = response.get_data(as_text=True)
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Deze link werkt niet (meer)" in body and "Vraag je school" in body and "nieuwe link" in body
    english = client.get("/s/not-a-real-token?lang=en").get_data(as_text=True)
    assert "Ask your school" in english and "new link" in english


def test_local_time_names_the_dutch_zone_in_winter_and_summer():
    assert local_time("2027-01-17T09:00:00+00:00") == "17-01-2027 10:00 CET"
    assert local_time("2027-06-17T09:00:00Z") == "17-06-2027 11:00 CEST"
    assert local_time("2027-06-17T23:30:00+00:00", date_only=True) == "18-06-2027"


def test_the_student_page_shows_the_deadline_in_dutch_time_with_the_zone_and_no_utc(site):
    body = as_student(site, "s1").get("/pages/student").get_data(as_text=True)
    assert "17-01-2027 10:00 CET" in body
    assert "UTC" not in body


def test_the_outcome_emails_name_the_dutch_zone_and_never_utc(site):
    [placed_mail] = site.email.to("sanne@mail.example")
    [unplaced_mail] = site.email.to("daan@mail.example")
    assert "17-01-2027 10:00 CET" in placed_mail.body and "10-01-2027 10:00 CET" in placed_mail.body
    for message in (placed_mail, unplaced_mail):
        assert "UTC" not in message.body and "UTC" not in message.subject


def test_refusing_a_place_asks_for_confirmation_first_and_publishes_nothing_until_confirmed(site):
    client = as_student(site, "s1")
    token = csrf(client.get("/pages/student").get_data(as_text=True))
    form = {"csrf_token": token, "answer": "refuse", "reason_code": "travel"}
    first = client.post("/pages/student/rnd-1/answer", data=form)
    body = first.get_data(as_text=True)
    assert first.status_code == 200 and 'id="confirm"' in body and "weigeren" in body
    assert 'name="confirmed" value="1"' in body and 'name="reason_code" value="travel"' in body
    assert "<script" not in body
    assert site.publisher.events("placement.refused") == []
    done = client.post("/pages/student/rnd-1/answer", data={**form, "confirmed": "1"})
    assert done.status_code == 302
    [event] = site.publisher.events("placement.refused")
    assert event.payload.reason_code == "travel"


def test_accepting_needs_no_confirmation(site):
    client = as_student(site, "s1")
    token = csrf(client.get("/pages/student").get_data(as_text=True))
    response = client.post("/pages/student/rnd-1/answer", data={"csrf_token": token, "answer": "accept"})
    assert response.status_code == 302 and len(site.publisher.events("placement.accepted")) == 1


def _rule(selector: str) -> str:
    found = re.search(r"(?m)^" + re.escape(selector) + r"\s*\{([^}]*)\}", CSS.read_text())
    assert found, selector
    return found.group(1)


def test_a_button_styled_as_a_link_is_not_white_on_a_white_page():
    """The withdraw button was white on white: `button` sets white text and `button.link` removed the fill."""
    rule = _rule("button.link")
    assert "background: none" in rule
    colour = re.search(r"(?<![-\w])color:\s*([^;]+)", rule)
    assert colour and colour.group(1).strip() not in ("#fff", "#ffffff", "white", "inherit")


def test_a_student_whose_session_ended_is_told_on_the_sign_in_page_to_ask_the_school_for_a_new_link(site):
    client = site.app.test_client()
    to_login = client.get("/pages/student")
    assert to_login.status_code == 302 and "/login" in to_login.headers["Location"]
    hint = client.get("/login").get_data(as_text=True).split('id="student-hint">')[1].split("</p>")[0]
    assert "vraag dan je school om een nieuwe link" in hint
    assert "ask your school for a new link" in client.get("/login?lang=en").get_data(as_text=True)
