"""Notification events: the notifier reports each delivery, and each delivery that kept failing.

Recipients are named by pseudonym, school id or organisation id; no address travels.
Imports marshmallow and events.base only.
"""

from __future__ import annotations

from dataclasses import dataclass

from marshmallow import fields, validate

from .. import topics
from .base import PayloadSchema, id_field, spec

RECIPIENT_KINDS = ("student", "school", "organisation")
CHANNELS = ("email", "webhook", "inbox")
MESSAGE_KINDS = ("outcome", "reminder", "school_overview", "organisation_overview", "place_withdrawn", "answer_overdue")


@dataclass(frozen=True)
class NotificationSent:
    """A message reached its channel (SMTP accepted it, the webhook answered 2xx, or the inbox holds it)."""

    round_id: str
    region_id: str
    recipient_kind: str
    recipient_ref: str
    channel: str
    message_kind: str
    attempts: int = 1


class NotificationSentSchema(PayloadSchema):
    payload_class = NotificationSent
    round_id = id_field()
    region_id = id_field()
    recipient_kind = fields.String(required=True, validate=validate.OneOf(RECIPIENT_KINDS))
    recipient_ref = id_field()
    channel = fields.String(required=True, validate=validate.OneOf(CHANNELS))
    message_kind = fields.String(required=True, validate=validate.OneOf(MESSAGE_KINDS))
    attempts = fields.Integer(load_default=1, strict=True, validate=validate.Range(1, None))


@dataclass(frozen=True)
class NotificationFailed(NotificationSent):
    """A message could not be delivered after its retries: a person must act on it."""

    reason: str = "unknown"


class NotificationFailedSchema(NotificationSentSchema):
    payload_class = NotificationFailed
    reason = fields.String(required=True, validate=validate.Length(1, 200))


SPECS = (
    spec("notification.sent", topics.NOTIFICATIONS, NotificationSentSchema),
    spec("notification.failed", topics.NOTIFICATIONS, NotificationFailedSchema),
)
