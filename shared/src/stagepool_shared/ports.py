"""Ports every service shares: the one `Publisher` protocol that handlers, commands and workers publish
through. Each service's own ports live in its `ports.py` and import this one; the adapters are
`stagepool_shared.kafka.EventPublisher` (acks=all) and, in tests, `tests.fakes.FakePublisher`.
Imports only the envelope.
"""

from __future__ import annotations

from typing import Protocol, Sequence

from .envelope import Envelope


class Publisher(Protocol):
    """Publishes envelopes and returns only once Kafka acknowledged them (raises PublishFailed if not)."""

    def publish(self, envelope: Envelope, topic: str | None = None) -> None:
        """Publish one envelope to `topic` (default: the topic of its event type)."""

    def publish_all(self, envelopes: Sequence[Envelope], topic: str | None = None) -> None:
        """Publish several envelopes; returns when every one is acknowledged."""

    def close(self) -> None:
        """Flush and release the connection."""
