"""Fixtures for the notifier's unit tests: a notifier bootstrapped on doubles and a clock the test moves, and
the pages' site (identity store, a released round) with its helpers `as_student` and `csrf`."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from notifier import handlers
from notifier.adapters.directory import InMemoryDirectory
from notifier.bootstrap import Wiring, bootstrap
from notifier.config import Settings
from notifier.domain.model import Contact
from stagepool_shared.auth import Principal
from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.events import places, rounds
from stagepool_shared.events.base import Location
from stagepool_shared.web.accounts import Accounts
from tests.fakes import Clock, FakeKeyValue, FakePublisher, FakeTokens
from tests.fakes.notifier import RELEASE, RESPOND_BY, FakeChannel, FakeStore, placed, unplaced

#: The password of the pages site's organisation user org1, and the base of the messages' links.
PASSWORD = "correct horse battery"
PUBLIC = "https://notifier.example"

ENV = {"KAFKA_BOOTSTRAP_SERVERS": "fake:9092", "REDIS_URL": "redis://fake:6379/0", "INTAKE_URL": "http://intake",
       "NOTIFIER_SERVICE_TOKEN": "unit-test-service-token", "NOTIFIER_WEBHOOK_SECRET": "unit-test-webhook-secret",
       "NOTIFIER_MAX_ATTEMPTS": "3",
       "NOTIFIER_BACKOFF_BASE_S": "10", "NOTIFIER_REMINDER_LEAD_S": "86400"}


class World:
    """A notifier on doubles plus helpers to feed it events (`env` overrides settings, `store` the fake store,
    `accounts` gives it the identity store and so its pages, `public_url` the base of the messages' links)."""

    def __init__(self, store: FakeStore | None = None, accounts: Accounts | None = None, public_url: str = "",
                 **env: str) -> None:
        self.clock = Clock(RELEASE - timedelta(hours=1))
        self.store = store or FakeStore()
        self.publisher = FakePublisher()
        self.directory = InMemoryDirectory(schools={
            "sch-a": Contact(name="ROC Alfa", email="stage@alfa.example", webhook_url="https://alfa.example/hook"),
            "sch-b": Contact(name="Beta College", email="stage@beta.example", lang="en")})
        self.email, self.webhook = FakeChannel("email"), FakeChannel("webhook")
        settings = Settings.from_env({**ENV, **env})
        if public_url:  # where the messages' links point, apart from the pages' links (NOTIFIER_PUBLIC_URL: both)
            settings = replace(settings, public_url=public_url)
        self.wiring: Wiring = bootstrap(
            settings, store=self.store, directory=self.directory, publisher=self.publisher,
            channels={"email": self.email, "webhook": self.webhook}, clock=self.clock, tokens=FakeTokens(),
            accounts=accounts)

    def student(self, ref: str, name: str, email: str, lang: str = "nl") -> None:
        self.directory.students[ref] = Contact(name=name, email=email, phone="06 1234 5678", lang=lang)

    def post_place(self, place_id: str, org: str, name: str, reserved_for: str | None = None) -> None:
        place = places.Place(
            place_id=place_id, organisation_id=org, organisation_name=name, region_id="reg-1", period_id="2027-p1",
            sector="zorg", org_type="ziekenhuis", location=Location("9713", 53.2, 6.5), address=f"{name}straat 1",
            crebos=["25491"], levels=[3], slots=2, supervision_capacity=2,
            reserved=[places.Reservation(reserved_for, 1)] if reserved_for else [],
            start_date="2027-02-01")
        self.handle(new_envelope("place.posted", place, producer="intake", partition_key="reg-1"))
        # the place's contact person stays in intake, which answers for it after release (issue 19.4)
        self.directory.places[place_id] = Contact(name="Praktijkopleider", email=f"stage@{org}.example",
                                                  phone="050 123")

    def release(self, outcomes: list[rounds.Outcome], parts: int = 1, round_id: str = "rnd-1",
                released_at: datetime = RELEASE, handle: bool = True, period_id: str = "2027-p1") -> list:
        chunks = [outcomes[i::parts] for i in range(parts)]
        envelopes = [new_envelope("round.released", rounds.RoundReleased(
            round_id=round_id, region_id="reg-1", period_id=period_id, released_at=released_at.isoformat(),
            respond_by=RESPOND_BY.isoformat(), part=i + 1, parts=parts, outcomes=chunk),
            producer="matcher", partition_key="reg-1") for i, chunk in enumerate(chunks)]
        for env in envelopes if handle else ():
            self.handle(env)
        return envelopes

    def handle(self, envelope: Envelope) -> None:
        handlers.handle(envelope, self.wiring.deps)

    def drain(self) -> int:
        total = 0
        while (n := self.wiring.dispatcher.run_once()):
            total += n
        return total

    def send_released(self) -> int:
        """The clock at the release moment and every message due sent (what most tests of a release start from)."""
        self.clock.now = RELEASE
        return self.drain()


def world_with_places(store: FakeStore | None = None, accounts: Accounts | None = None, public_url: str = "",
                      **env: str) -> World:
    """A World with two places posted (one reserved for sch-a)."""
    w = World(store, accounts, public_url, **env)
    w.post_place("plc-1", "org-1", "Zorggroep Noord", reserved_for="sch-a")
    w.post_place("plc-2", "org-2", "Ziekenhuis Zuid")
    return w


@pytest.fixture
def world() -> World:
    return world_with_places()


@pytest.fixture
def make_world():
    """Build a World with other settings, another fake store or the identity store:
    make_world(store, NOTIFIER_MARK_BATCH="3")."""
    return world_with_places


@pytest.fixture
def pages_site(make_world) -> World:
    """A notifier with the identity store (so its pages and personal links), a released round (s1 placed, s2
    not), an organisation user org1 of org-1, and its app; the clock is still before the release moment."""
    accounts = Accounts(FakeKeyValue())
    world = make_world(accounts=accounts, public_url=PUBLIC)
    world.student("s1", "Sanne", "sanne@mail.example")
    world.student("s2", "Daan", "daan@mail.example")
    world.release([placed("s1"), unplaced("s2")])
    accounts.create_user("org1", PASSWORD, Principal("u-o1", "organisation_staff", "org-1", "reg-1"))
    world.app = world.wiring.app()
    world.accounts = accounts
    return world


def as_student(site: World, ref: str):
    """A test client signed in as student `ref` through a personal link (which redirects to the student page)."""
    client = site.app.test_client()
    token = site.accounts.create_link(Principal(ref, "student", ref, "reg-1"))
    response = client.get(f"/s/{token}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/pages/student")
    return client


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
