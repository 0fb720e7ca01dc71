"""Translation between the shared event payloads and the notifier's domain objects, and the events it emits.

Event ids of answers are derived from (round, student, answer), so a retried answer is the same event and
consumers drop the duplicate. Imports the shared event payloads and the domain.
"""

from __future__ import annotations

import base64
import json
import uuid
from typing import Any

from stagepool_shared import registry, topics
from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.events.deadletter import DeadLetter
from stagepool_shared.events.notifications import NotificationFailed, NotificationSent
from stagepool_shared.events.placements import PlacementAccepted, PlacementRefused
from stagepool_shared.events.places import Place
from stagepool_shared.events.rounds import Outcome, RoundReleased

from .adapters.codec import parse_time
from .domain.model import Delivery, Hint, PlaceInfo, RoundInfo, StudentOutcome

PRODUCER = "notifier"
GROUP = topics.NOTIFIER.group_id
_ANSWER_NAMESPACE = uuid.UUID("5f0c1b7e-8f0a-4c55-9a51-6a1d7c9e0b42")


def place_info(place: Place) -> PlaceInfo:
    return PlaceInfo(
        place_id=place.place_id, organisation_id=place.organisation_id, organisation_name=place.organisation_name,
        address=place.address, start_date=place.start_date,
        reserved_for=tuple(sorted({r.school_id for r in place.reserved})))


def round_info(released: RoundReleased) -> RoundInfo:
    return RoundInfo(round_id=released.round_id, region_id=released.region_id, period_id=released.period_id,
                     released_at=parse_time(released.released_at), respond_by=parse_time(released.respond_by))


def student_outcome(outcome: Outcome) -> StudentOutcome:
    return StudentOutcome(
        student_ref=outcome.student_ref, school_id=outcome.school_id, status=outcome.status,
        place_id=outcome.place_id, organisation_id=outcome.organisation_id, wish_match=outcome.wish_match,
        travel_minutes=outcome.travel_minutes, criteria_met=tuple(outcome.criteria_met),
        reason_code=outcome.reason_code, binding_constraint=outcome.binding_constraint,
        hints=tuple(Hint(h.criterion, h.change, h.unit, h.opens_places, h.free_places) for h in outcome.hints),
        choice=outcome.choice)


def notification_sent(delivery: Delivery, region_id: str, recipient_ref: str | None = None) -> Envelope:
    """`recipient_ref` names the recipient when the delivery's ref does not (a school's note about a student)."""
    d = delivery.id
    payload = NotificationSent(round_id=d.round_id, region_id=region_id, recipient_kind=d.recipient_kind,
                               recipient_ref=recipient_ref or d.ref, channel=d.channel, message_kind=d.message_kind,
                               attempts=max(1, delivery.attempts))
    return new_envelope("notification.sent", payload, producer=PRODUCER, partition_key=region_id)


def notification_failed(delivery: Delivery, region_id: str, reason: str,
                        recipient_ref: str | None = None) -> Envelope:
    d = delivery.id
    payload = NotificationFailed(round_id=d.round_id, region_id=region_id, recipient_kind=d.recipient_kind,
                                 recipient_ref=recipient_ref or d.ref, channel=d.channel, message_kind=d.message_kind,
                                 attempts=max(1, delivery.attempts), reason=reason[:200] or "unknown")
    return new_envelope("notification.failed", payload, producer=PRODUCER, partition_key=region_id)


def failure_dead_letter(failed: Envelope, delivery: Delivery) -> tuple[str, Envelope]:
    """A dead letter on the notifications DLQ carrying the failed notification, for a person to act on."""
    raw = json.dumps(registry.to_dict(failed), sort_keys=True).encode()
    letter = DeadLetter(original_topic=topics.NOTIFICATIONS, partition=-1, offset=-1, consumer_group=GROUP,
                        reason=f"delivery failed: {failed.payload.reason}", error_type="DeliveryFailed",
                        raw_base64=base64.b64encode(raw).decode(), key=delivery.id.suffix[:200])
    envelope = failed.caused("dead_letter", letter, producer=PRODUCER)
    return topics.dlq(topics.NOTIFICATIONS), envelope


def answer_event(kind: str, outcome: StudentOutcome, round_info: RoundInfo, reason_code: str | None) -> Envelope:
    """placement.accepted or placement.refused with a stable event id per (round, student, answer)."""
    common: dict[str, Any] = dict(round_id=round_info.round_id, region_id=round_info.region_id,
                                  student_ref=outcome.student_ref, school_id=outcome.school_id,
                                  place_id=outcome.place_id, organisation_id=outcome.organisation_id)
    if kind == "accepted":
        payload: Any = PlacementAccepted(**common)
        event_type = "placement.accepted"
    else:
        payload = PlacementRefused(**common, reason_code=reason_code or "other")
        event_type = "placement.refused"
    event_id = str(uuid.uuid5(_ANSWER_NAMESPACE, f"{round_info.round_id}|{outcome.student_ref}|{kind}"))
    return new_envelope(event_type, payload, producer=PRODUCER, partition_key=round_info.region_id,
                        event_id=event_id)
