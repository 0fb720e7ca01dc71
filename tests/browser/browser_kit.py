"""What the browser tests share besides fixtures: viewport sizes, the demo password, signing in, and putting
intake's events on the platform's Kafka for the matcher to project.

A module of its own (not conftest), so test modules can import it by a name no other folder uses.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from playwright.sync_api import Page

from stagepool_shared.envelope import new_envelope
from stagepool_shared.kafka import EventPublisher
from stagepool_shared.testing.samples import sample_payload

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
PASSWORD = "correct horse battery staple"


def login(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the shared /login form of the service at `base_url`; lands on the role's home."""
    page.goto(base_url + "/login")
    page.get_by_label(re.compile("Gebruikersnaam|Username")).fill(username)
    page.get_by_label(re.compile("Wachtwoord|Password")).fill(password)
    with page.expect_navigation():
        page.locator("form:has(input[name=password]) [type=submit]").click()


def place(place_id: str, slots: int, region: str, period: str) -> Any:
    """A place.posted payload of organisation org-<place_id> with `slots` slots, all open to every school."""
    return replace(sample_payload("place.posted"), place_id=place_id, organisation_id=f"org-{place_id}",
                   region_id=region, period_id=period, slots=slots, supervision_capacity=slots, reserved=[],
                   irregular_shifts=False)


def publish(platform: Any, region: str, events: list[tuple[str, object]]) -> None:
    """Publish (event type, payload) pairs as intake would, keyed by `region`, waiting for Kafka's ack."""
    publisher = EventPublisher(platform.kafka.bootstrap, "browser-test")
    try:
        publisher.publish_all([new_envelope(kind, payload, producer="intake", partition_key=region)
                               for kind, payload in events])
    finally:
        publisher.close()


def matcher_has(redis: Any, region: str, period: str, **counts: int) -> bool:
    """Whether the matcher's projection of the period holds these counts (`wishes=5, places=1`)."""
    return all(redis.hlen(f"matcher:region:{region}:period:{period}:{table}") == n for table, n in counts.items())
