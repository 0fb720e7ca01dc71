"""The dead-letter event: a message a consumer could not decode or process, with the reason.

It is published on `<topic>.dlq` (topics.dlq). The raw bytes are kept (base64) so a person can repair
and replay the message. Imports marshmallow and events.base only.
"""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import fields

from .base import PayloadSchema, spec


@dataclass(frozen=True)
class DeadLetter:
    """Where a failed message came from, why it failed, and its original bytes."""

    original_topic: str
    partition: int
    offset: int
    consumer_group: str
    reason: str
    error_type: str
    raw_base64: str
    key: str | None = None


class DeadLetterSchema(PayloadSchema):
    payload_class = DeadLetter
    original_topic = fields.String(required=True)
    partition = fields.Integer(required=True, strict=True)
    offset = fields.Integer(required=True, strict=True)
    consumer_group = fields.String(required=True)
    reason = fields.String(required=True)
    error_type = fields.String(required=True)
    raw_base64 = fields.String(required=True)
    key = fields.String(load_default=None, allow_none=True)


#: The topic of a dead letter is the failed message's dlq topic, chosen at publish time.
SPECS = (spec("dead_letter", "<topic>.dlq", DeadLetterSchema),)
