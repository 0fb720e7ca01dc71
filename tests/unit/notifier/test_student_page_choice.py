"""A variant-2 student's page after the final round's release (issue 15.3): the why of the placement also says
in words what became of the choice among the candidates (the outcome's `choice` code), in Dutch and English;
an outcome without a choice shows no such line."""

from __future__ import annotations

from dataclasses import replace

from stagepool_shared.web.accounts import Accounts
from tests.fakes import FakeKeyValue
from tests.fakes.notifier import RELEASE, placed
from tests.unit.notifier.conftest import PUBLIC, as_student


def test_the_student_page_says_what_became_of_the_choice(make_world):
    accounts = Accounts(FakeKeyValue())
    world = make_world(accounts=accounts, public_url=PUBLIC)
    world.accounts = accounts
    for ref in ("s1", "s2", "s3"):
        world.student(ref, f"Student {ref}", f"{ref}@mail.example")
    world.release([replace(placed("s1"), choice="CHOICE_OTHER_CANDIDATE"),
                   replace(placed("s2", place="plc-2", org="org-2"), choice="NO_CHOICE_KEPT_PICK"), placed("s3")])
    world.app = world.wiring.app()
    world.clock.now = RELEASE
    world.drain()
    dutch = as_student(world, "s1").get("/pages/student").get_data(as_text=True)
    assert 'id="choice-why"' in dutch and "Je krijgt een andere plaats uit je kandidaten." in dutch
    english = as_student(world, "s2").get("/pages/student?lang=en").get_data(as_text=True)
    assert "you keep the place the matcher picked for you" in english
    assert 'id="choice-why"' not in as_student(world, "s3").get("/pages/student").get_data(as_text=True)
