"""Fixtures for the notifier's unit tests: a notifier wired with fakes and a clock the test moves."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from notifier.adapters.directory import InMemoryDirectory
from notifier.bootstrap import Notifier, bootstrap
from notifier.config import Settings
from notifier.domain.model import Contact
from stagepool_shared.auth import Principal
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events import places, rounds
from stagepool_shared.events.base import Location
from stagepool_shared.testing import FakePublisher

from notifier_fakes import RELEASE, RESPOND_BY, FakeChannel, FakeStore, placed, unplaced  # noqa: F401

ENV = {"KAFKA_BOOTSTRAP_SERVERS": "fake:9092", "REDIS_URL": "redis://fake:6379/0", "INTAKE_URL": "http://intake",
       "NOTIFIER_SERVICE_TOKEN": "t", "NOTIFIER_WEBHOOK_SECRET": "s", "NOTIFIER_MAX_ATTEMPTS": "3",
       "NOTIFIER_BACKOFF_BASE_S": "10", "NOTIFIER_REMINDER_LEAD_S": "86400"}


class Clock:
    """A clock the test sets."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class FakeTokens:
    """Tokens are 'role:scope'."""

    def lookup(self, token: str | None) -> Principal | None:
        if not token or ":" not in token:
            return None
        role, scope = token.split(":", 1)
        return Principal(user_id=f"u-{scope}", role=role, scope=scope)


class World:
    """A notifier on fakes plus helpers to feed it events (`env` overrides settings, `store` the fake store)."""

    def __init__(self, store: FakeStore | None = None, **env: str) -> None:
        self.clock = Clock(RELEASE - timedelta(hours=1))
        self.store = store or FakeStore()
        self.publisher = FakePublisher()
        self.directory = InMemoryDirectory(schools={
            "sch-a": Contact(name="ROC Alfa", email="stage@alfa.example", webhook_url="https://alfa.example/hook"),
            "sch-b": Contact(name="Beta College", email="stage@beta.example", lang="en")})
        self.email, self.webhook = FakeChannel("email"), FakeChannel("webhook")
        self.notifier: Notifier = bootstrap(
            Settings.from_env({**ENV, **env}), store=self.store, directory=self.directory, publisher=self.publisher,
            channels={"email": self.email, "webhook": self.webhook}, clock=self.clock, tokens=FakeTokens())

    def student(self, ref: str, name: str, email: str, lang: str = "nl") -> None:
        self.directory.students[ref] = Contact(name=name, email=email, phone="06 1234 5678", lang=lang)

    def post_place(self, place_id: str, org: str, name: str, reserved_for: str | None = None) -> None:
        place = places.Place(
            place_id=place_id, organisation_id=org, organisation_name=name, region_id="reg-1", period_id="2027-p1",
            sector="zorg", org_type="ziekenhuis", location=Location("9713", 53.2, 6.5), address=f"{name}straat 1",
            crebos=["25491"], levels=[3], slots=2, supervision_capacity=2,
            reserved=[places.Reservation(reserved_for, 1)] if reserved_for else [],
            contact=places.Contact("Praktijkopleider", f"stage@{org}.example", "050 123"), start_date="2027-02-01")
        self.handle(new_envelope("place.posted", place, producer="intake", partition_key="reg-1"))

    def release(self, outcomes: list[rounds.Outcome], parts: int = 1, round_id: str = "rnd-1",
                released_at: datetime = RELEASE, handle: bool = True) -> list:
        chunks = [outcomes[i::parts] for i in range(parts)]
        envelopes = [new_envelope("round.released", rounds.RoundReleased(
            round_id=round_id, region_id="reg-1", period_id="2027-p1", released_at=released_at.isoformat(),
            respond_by=RESPOND_BY.isoformat(), part=i + 1, parts=parts, outcomes=chunk),
            producer="matcher", partition_key="reg-1") for i, chunk in enumerate(chunks)]
        for env in envelopes if handle else ():
            self.handle(env)
        return envelopes

    def handle(self, envelope) -> None:
        from notifier import handlers
        handlers.handle_event(envelope, self.notifier.deps)

    def drain(self) -> int:
        total = 0
        while (n := self.notifier.dispatcher.run_once()):
            total += n
        return total


def world_with_places(store: FakeStore | None = None, **env: str) -> World:
    """A World with two places posted (one reserved for sch-a)."""
    w = World(store, **env)
    w.post_place("plc-1", "org-1", "Zorggroep Noord", reserved_for="sch-a")
    w.post_place("plc-2", "org-2", "Ziekenhuis Zuid")
    return w


@pytest.fixture
def world() -> World:
    return world_with_places()


@pytest.fixture
def make_world():
    """Build a World with other settings or another fake store: make_world(store, NOTIFIER_MARK_BATCH="3")."""
    return world_with_places
