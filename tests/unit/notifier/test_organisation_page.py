"""The organisation's page (issue 14.11): its released students by name with their contact details, once per
student (the student's current outcome), not once per released round; names from intake, after release."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import timedelta

import pytest

from stagepool_shared.auth import Principal
from stagepool_shared.web.accounts import Accounts
from tests.fakes import FakeKeyValue
from tests.fakes.notifier import RELEASE, placed, unplaced

PASSWORD = "correct horse battery"


@pytest.fixture
def site(make_world):
    accounts = Accounts(FakeKeyValue())
    world = make_world(accounts=accounts)
    world.student("s1", "Sanne", "sanne@mail.example")
    world.student("s2", "Daan", "daan@mail.example")
    world.student("s3", "Jip", "jip@mail.example")
    accounts.create_user("org1", PASSWORD, Principal("u-o1", "organisation_staff", "org-1", "reg-1"))
    world.app = world.wiring.app()
    return world


def organisation_page(site) -> str:
    client = site.app.test_client()
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"username": "org1", "password": PASSWORD, "csrf_token": token})
    return client.get("/pages/organisation").get_data(as_text=True)


def release(site, outcomes, round_id: str, at) -> None:
    site.release(outcomes, round_id=round_id, released_at=at)
    site.clock.now = at
    site.drain()


def test_a_student_kept_over_two_released_rounds_is_listed_once_with_the_current_outcome(site):
    release(site, [placed("s1"), placed("s2"), unplaced("s3")], "rnd-1", RELEASE)
    later = RELEASE + timedelta(days=2)
    kept, moved = replace(placed("s1"), status="kept"), placed("s2", place="plc-2", org="org-2")
    release(site, [kept, moved, placed("s3")], "rnd-2", later)
    body = organisation_page(site)
    assert body.count("sanne@mail.example\">") == 1 and body.count(">Sanne<") == 1
    assert "Jip" in body and "jip@mail.example" in body  # placed with us in the later round
    assert "Daan" not in body  # the later round placed Daan elsewhere: no longer ours


def test_the_page_lists_nobody_before_the_release_and_says_when_intake_cannot_be_reached(site):
    site.release([placed("s1")], round_id="rnd-1", released_at=RELEASE)
    assert "Sanne" not in organisation_page(site)
    site.clock.now = RELEASE
    site.drain()
    site.directory.down = True
    body = organisation_page(site)
    assert "niet op te halen" in body and "Sanne" not in body
