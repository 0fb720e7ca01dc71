"""The use cases the HTTP API triggers: request a round, approve it, schedule its release, and who may see
what. Each command checks the rule, publishes its event (acks=all) and then applies it locally with the
same event id, so the consumer's later delivery of that event is a no-op and a read right after the
command already sees it. Imports handlers, approval and the shared auth/envelope modules.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from stagepool_shared.auth import Principal
from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.events.rounds import Outcome, RoundApproved, RoundReleaseScheduled, RoundRequested

from .. import handlers
from ..adapters.store import RoundRecord
from ..approval import ApprovalState, approval_state, may_approve
from ..rounds import RoundConflict, RoundNotFound

STAFF = ("school_staff", "support_staff")


def _publish(svc: handlers.Services, event_type: str, payload: object, region_id: str) -> Envelope:
    env = new_envelope(event_type, payload, producer=handlers.PRODUCER, partition_key=region_id)
    svc.publisher.publish_all([env])
    return env


def request_round(svc: handlers.Services, principal: Principal, region_id: str, period_id: str, kind: str,
                  sector: str | None = None, seed: int | None = None, previous_round_id: str | None = None) -> str:
    """Publish round.requested for the coordinator's own region; the consumer computes the proposal."""
    if principal.scope != region_id:
        raise RoundNotFound(region_id)
    round_id = f"rnd-{period_id[:40]}-{uuid.uuid4().hex[:12]}"
    request = RoundRequested(round_id, region_id, period_id, secrets.randbelow(2**31) if seed is None else seed,
                             principal.user_id, kind, sector, previous_round_id)
    env = _publish(svc, "round.requested", request, region_id)
    svc.store.note_requested(request, env.occurred_at)
    return round_id


def approval_of(record: RoundRecord) -> ApprovalState:
    return approval_state(record.approvals, record.support_schools)


def visible_record(svc: handlers.Services, principal: Principal, round_id: str) -> RoundRecord:
    """The round if the caller may see it at all; RoundNotFound (404) otherwise, with no existence oracle."""
    record = svc.store.get_round(round_id)
    if record is None or not _may_see(principal, record):
        raise RoundNotFound(round_id)
    return record


def _may_see(principal: Principal, record: RoundRecord) -> bool:
    region = record.request.region_id
    if principal.role == "regional_coordinator":
        return principal.scope == region
    if principal.role in STAFF:
        return principal.region_id in ("", region) and (record.status == "requested"
                                                         or principal.scope in record.schools)
    if principal.role in ("organisation_staff", "student"):
        return record.status == "released" and principal.region_id in ("", region)
    return False


def visible_outcomes(principal: Principal, outcomes: list[Outcome]) -> list[Outcome]:
    """Coordinators see all; staff their school's students; organisations and students their own, after release."""
    if principal.role == "regional_coordinator":
        return outcomes
    if principal.role in STAFF:
        return [o for o in outcomes if o.school_id == principal.scope]
    if principal.role == "organisation_staff":
        return [o for o in outcomes if o.organisation_id == principal.scope]
    if principal.role == "student":
        return [o for o in outcomes if o.student_ref == principal.scope]
    return []


def approve_round(svc: handlers.Services, principal: Principal, round_id: str) -> ApprovalState:
    """Record one approval (the same user twice counts once) and return where the round stands."""
    record = visible_record(svc, principal, round_id)
    if not may_approve(principal.role, principal.scope, principal.region_id, record.request.region_id,
                       record.schools):
        raise RoundNotFound(round_id)
    if record.status != "proposed":
        raise RoundConflict("Only a proposed round can be approved.")
    school = principal.scope if principal.role in STAFF else None
    payload = RoundApproved(round_id, record.request.region_id, principal.user_id, principal.role, school)
    env = _publish(svc, "round.approved", payload, record.request.region_id)
    handlers.record_approval(env, svc)
    return approval_of(svc.store.get_round(round_id) or record)


def schedule_release(svc: handlers.Services, principal: Principal, round_id: str, release_at: datetime,
                     respond_by: datetime) -> RoundReleaseScheduled:
    """Set the release moment of a fully approved round (409 with what is missing otherwise)."""
    record = visible_record(svc, principal, round_id)
    if record.status != "proposed":
        raise RoundConflict("Only a proposed round that is not yet released can be scheduled.")
    state = approval_of(record)
    if not state.complete:
        raise RoundConflict("Approval is not complete: two distinct staff users and, for every school with "
                            "support needs, its support staff must approve first.",
                            {"users_missing": [state.users_missing],
                             "schools_missing_support": list(state.schools_missing_support)})
    if respond_by <= release_at:
        raise RoundConflict("The answer deadline must come after the release moment.")
    payload = RoundReleaseScheduled(round_id, record.request.region_id, handlers.iso(release_at),
                                    handlers.iso(respond_by), principal.user_id)
    env = _publish(svc, "round.release_scheduled", payload, record.request.region_id)
    handlers.record_release_schedule(env, svc)
    return payload
