"""The dead-letter event: a message a consumer could not decode or process, with the reason.

It is published on `<topic>.dlq` (topics.dlq). The raw bytes are kept (base64) so a person can repair
and replay the message. Imports events.base and events.rules only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import payload_schema, spec
from .rules import string, whole


@dataclass(frozen=True)
class DeadLetter:
    """Where a failed message came from, why it failed, and its original bytes."""

    original_topic: str = string()
    partition: int = whole(None, None)
    offset: int = whole(None, None)
    consumer_group: str = string()
    reason: str = string()
    error_type: str = string()
    raw_base64: str = string()
    key: str | None = string(default=None)


DeadLetterSchema = payload_schema(DeadLetter)


#: The topic of a dead letter is the failed message's dlq topic, chosen at publish time.
SPECS = (spec("dead_letter", "<topic>.dlq", DeadLetterSchema),)
