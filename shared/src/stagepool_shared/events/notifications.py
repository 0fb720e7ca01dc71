"""Notification events: the notifier reports each delivery, and each delivery that kept failing.

Recipients are named by pseudonym, school id or organisation id; no address travels.
Imports events.base and events.rules only.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import topics
from .base import payload_schema, spec
from .rules import choice, ident, string, whole

RECIPIENT_KINDS = ("student", "school", "organisation")
CHANNELS = ("email", "webhook", "inbox")
MESSAGE_KINDS = ("outcome", "reminder", "school_overview", "organisation_overview", "place_withdrawn", "answer_overdue")


@dataclass(frozen=True)
class NotificationSent:
    """A message reached its channel (SMTP accepted it, the webhook answered 2xx, or the inbox holds it)."""

    round_id: str = ident()
    region_id: str = ident()
    recipient_kind: str = choice(RECIPIENT_KINDS)
    recipient_ref: str = ident()
    channel: str = choice(CHANNELS)
    message_kind: str = choice(MESSAGE_KINDS)
    attempts: int = whole(1, None, default=1)


NotificationSentSchema = payload_schema(NotificationSent)


@dataclass(frozen=True)
class NotificationFailed(NotificationSent):
    """A message could not be delivered after its retries: a person must act on it."""

    reason: str = string(size=(1, 200), default="unknown")


NotificationFailedSchema = payload_schema(NotificationFailed, required=("reason",))


SPECS = (
    spec("notification.sent", topics.NOTIFICATIONS, NotificationSentSchema),
    spec("notification.failed", topics.NOTIFICATIONS, NotificationFailedSchema),
)
