"""Fakes of our own ports, for unit tests of handlers (never of a server's path)."""

from __future__ import annotations

from typing import Sequence

from .. import registry
from ..envelope import Envelope
from ..errors import PublishFailed


class FakePublisher:
    """Records what would be published; encodes each event, so an invalid one fails like the real thing."""

    def __init__(self) -> None:
        self.published: list[tuple[str, Envelope]] = []
        self.fail_with: Exception | None = None

    def publish(self, envelope: Envelope, topic: str | None = None) -> None:
        self.publish_all([envelope], topic)

    def publish_all(self, envelopes: Sequence[Envelope], topic: str | None = None) -> None:
        if self.fail_with is not None:
            raise self.fail_with
        for env in envelopes:
            registry.encode(env)
        self.published.extend((topic or registry.topic_for(e.event_type), e) for e in envelopes)

    def publish_raw(self, topic: str, value: bytes, key: bytes | None = None) -> None:
        if self.fail_with is not None:
            raise self.fail_with

    def events(self, event_type: str | None = None) -> list[Envelope]:
        return [e for _, e in self.published if event_type in (None, e.event_type)]

    def go_down(self) -> None:
        """Make every publish fail as if Kafka were unreachable."""
        self.fail_with = PublishFailed("fake: Kafka is down")

    def close(self) -> None:
        return None
