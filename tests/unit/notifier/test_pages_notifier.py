"""The notifier's pages on fakes: the student's placement with its why and the answer form (from release
only), the organisation's placed students (after release only), and the personal link in the e-mail."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from notifier import commands
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events import places
from tests.fakes.notifier import RELEASE, placed
from tests.unit.notifier.conftest import PASSWORD, PUBLIC, as_student, csrf


@pytest.fixture
def site(pages_site):
    return pages_site


def released(site) -> None:
    site.clock.now = RELEASE
    site.drain()


def test_before_the_release_the_student_sees_no_outcome_yet(site):
    body = as_student(site, "s1").get("/pages/student").get_data(as_text=True)
    assert "Nog geen uitslag" in body and "Zorggroep Noord" not in body
    assert "/pages/report" in body and "Meldpunt stagediscriminatie" in body


def test_from_the_release_the_student_sees_the_placement_its_why_and_the_deadline(site):
    released(site)
    body = as_student(site, "s1").get("/pages/student").get_data(as_text=True)
    assert "Zorggroep Noord" in body and "je eerste keuze" in body and "ongeveer 25 minuten" in body
    assert "erkend voor jouw opleiding" in body and "17-01-2027 10:00 CET" in body
    assert 'name="answer" value="accept"' in body


def test_an_unplaced_student_sees_why_not(site):
    released(site)
    body = as_student(site, "s2").get("/pages/student").get_data(as_text=True)
    assert "nog geen stageplek voor je gevonden" in body and "geen plek die aan al jouw" in body
    assert "Wat de doorslag gaf: de reistijd (de plekken" in body
    assert "Met 15 minuten meer reistijd zouden er 4 passende plekken bij komen." in body


def test_refusing_without_a_reason_is_a_message_next_to_the_reason_and_publishes_nothing(site):
    released(site)
    client = as_student(site, "s1")
    token = csrf(client.get("/pages/student").get_data(as_text=True))
    response = client.post("/pages/student/rnd-1/answer", data={"csrf_token": token, "answer": "refuse"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="f-reason_code-error">Kies een reden om te weigeren.' in body
    assert re.search(r'id="f-answer-refuse"[^>]*checked', body)
    assert site.publisher.events("placement.refused") == []


def test_accepting_publishes_placement_accepted_and_the_page_shows_the_answer(site):
    released(site)
    client = as_student(site, "s1")
    token = csrf(client.get("/pages/student").get_data(as_text=True))
    response = client.post("/pages/student/rnd-1/answer", data={"csrf_token": token, "answer": "accept"})
    assert response.status_code == 302
    [event] = site.publisher.events("placement.accepted")
    assert event.payload.student_ref == "s1" and event.payload.round_id == "rnd-1"
    body = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Je hebt de plek geaccepteerd" in body and 'name="answer"' not in body
    assert 'id="aftercare-link"' in body and "/pages/aftercare/2027-p1/s1" in body  # issue 20: POK, kennismaking


def test_answering_before_the_release_is_not_found(site):
    client = as_student(site, "s1")
    token = site.accounts.session(client.get_cookie("sp_session").value).csrf_token
    assert client.post("/pages/student/rnd-1/answer", data={"csrf_token": token, "answer": "accept"}).status_code == 404
    assert site.publisher.events("placement.accepted") == []


def test_the_organisation_sees_its_students_only_after_the_release(site):
    client = site.app.test_client()
    login = csrf(client.get("/login").get_data(as_text=True))
    client.post("/login", data={"username": "org1", "password": PASSWORD, "csrf_token": login})
    before = client.get("/pages/organisation").get_data(as_text=True)
    assert "Nog niets te zien" in before and "Sanne" not in before
    released(site)
    after = client.get("/pages/organisation").get_data(as_text=True)
    assert "Sanne" in after and "sanne@mail.example" in after and "Nog geen antwoord" in after
    assert "Daan" not in after


def test_a_student_cannot_open_the_organisation_page(site):
    released(site)
    assert as_student(site, "s1").get("/pages/organisation").status_code == 404


def test_the_outcome_email_carries_a_personal_link_that_signs_the_student_in(site):
    released(site)
    [message] = site.email.to("sanne@mail.example")
    link = re.search(re.escape(PUBLIC) + r"(/s/[A-Za-z0-9_-]+)", message.body).group(1)
    assert "persoonlijke link" in message.body and "/api/v1/placements" not in message.body
    client = site.app.test_client()
    assert client.get(link).headers["Location"] == "http://127.0.0.1:8003/pages/student"
    assert "Zorggroep Noord" in client.get("/pages/student").get_data(as_text=True)
    [inbox] = commands.read_inbox(site.wiring.deps, "student", "s1")  # stored without text (issue 19.4)
    assert f"{PUBLIC}/pages/student" in inbox.body and "/s/" not in inbox.body


def test_the_page_shows_the_current_outcome_and_earlier_rounds_as_history_without_answer_buttons(site):
    later = RELEASE + timedelta(days=2)
    site.release([placed("s1", place="plc-2", org="org-2")], round_id="rnd-2", released_at=later)
    site.clock.now = later
    site.drain()
    client = as_student(site, "s1")
    body = client.get("/pages/student").get_data(as_text=True)
    current, history = body.split("Eerdere rondes", 1)
    assert "Ziekenhuis Zuid" in current and "je huidige uitslag" in current
    assert "/pages/student/rnd-2/answer" in current and "rnd-1/answer" not in body
    assert "Zorggroep Noord" in history and "Vervangen door een latere ronde" in history
    assert "Als je niet op tijd antwoordt, krijg je eerst een herinnering" in current
    token = csrf(body)
    old = client.post("/pages/student/rnd-1/answer", data={"csrf_token": token, "answer": "accept"})
    assert old.status_code == 409 and "een latere ronde heeft haar vervangen" in old.get_data(as_text=True)
    assert site.publisher.events("placement.accepted") == []
    english = client.get("/pages/student?lang=en").get_data(as_text=True)
    assert "If you do not answer in time, you first get a reminder" in english


def test_a_withdrawn_place_is_shown_as_withdrawn_without_answer_buttons(site):
    released(site)
    site.handle(new_envelope("place.withdrawn", places.PlaceWithdrawn("plc-1", "org-1", "reg-1", "2027-p1"),
                             producer="intake", partition_key="reg-1"))
    body = as_student(site, "s1").get("/pages/student").get_data(as_text=True)
    assert "Het leerbedrijf heeft deze plek ingetrokken" in body and 'name="answer"' not in body


def test_the_students_page_links_to_their_catalogue_on_intake(site):
    body = as_student(site, "s1").get("/pages/student").get_data(as_text=True)
    assert '/pages/student/catalogue">Bekijk de stageplaatsen die bij je passen en kies je top 3</a>' in body
