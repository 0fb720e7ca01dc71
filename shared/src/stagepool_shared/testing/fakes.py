"""Fakes of our own ports, for unit tests of handlers (never of a server's path)."""

from __future__ import annotations

from typing import Any, Sequence

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


class FakeKeyValue:
    """Just enough of a Redis client for the identity store (get/set/delete) and ready checks (ping), for unit
    tests of pages and views; code that needs transactions or other commands is tested on the real server."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get(self, key: str) -> bytes | None:
        return self.data.get(key)

    def set(self, key: str, value: str | bytes, **_: Any) -> bool:
        self.data[key] = value.encode() if isinstance(value, str) else value
        return True

    def delete(self, *keys: str) -> int:
        return sum(1 for k in keys if self.data.pop(k, None) is not None)

    def ping(self) -> bool:
        return True

    def close(self) -> None:
        return None
