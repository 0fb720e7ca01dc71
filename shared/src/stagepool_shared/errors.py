"""Errors shared by every service: what the plumbing raises and what entrypoints translate.

Imports nothing from the project.
"""


class StagepoolError(Exception):
    """Base of every Stagepool error."""


class ConfigError(StagepoolError):
    """Required configuration is missing or malformed (raised once, naming every problem)."""


class InvalidEvent(StagepoolError):
    """An event cannot be decoded or does not match its schema: it belongs in the dead-letter topic."""

    def __init__(self, reason: str, *, event_type: str | None = None):
        super().__init__(reason)
        self.reason = reason
        self.event_type = event_type


class TransientError(StagepoolError):
    """A failure that may pass by itself (a server restarting): retried with backoff."""


class PublishFailed(TransientError):
    """Kafka did not acknowledge an event in time; nothing may be reported as accepted."""
