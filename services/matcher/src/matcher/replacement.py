"""The re-placement fast track's use cases (issue 20.3, R114; the round itself: `rounds/fast_track.py`).

`request_fast_track` asks for an individual re-placement proposal for one or a few students who lost or
refused their place (a refusal, a rejection after the kennismaking, a withdrawn place, a desk request): the
regional coordinator of the region, or staff of the students' own school, publishes `round.requested` with
`kind: fast_track` and the students (pattern A, publish then store). The consumer computes it within
seconds from free capacity only, never moving a binding placement, and proposes it as any round.
`release_when_approved`: once the students' school approved the proposal (the per-school rule of every
round), the release is scheduled at once with an answer window of FAST_TRACK_RESPOND_DAYS, so the release
worker publishes `round.released` and the notifier tells the student, as after any round.
A full re-match stays available for many students at once.
Imports the shared auth/envelope/events, the handlers, the errors, the ports and the service layer.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from stagepool_shared.auth import Principal
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.rounds import FAST_TRACK, RoundReleaseScheduled, RoundRequested

from . import handlers
from .errors import FastTrackInvalid, RoundConflict, RoundNotFound
from .ports import Deps
from .rounds.approval import ApprovalState
from .rounds.fast_track import FAST_TRACK_MAX
from .rounds.moments import iso
from .rounds.parts import PRODUCER
from .rounds.record import RoundRecord

SCHOOL_ROLES = ("school_staff", "support_staff")
#: The answer window of a fast-track proposal once released.
FAST_TRACK_RESPOND_DAYS = 5
OPEN = ("requested", "proposed")
#: Who requested a fast track the matcher started itself (after a refusal, rejection, withdrawal or desk request).
AUTOMATIC = "svc-matcher-fast-track"


def request_fast_track(deps: Deps, principal: Principal, region_id: str, period_id: str,
                       student_refs: list[str], seed: int | None = None) -> str:
    """Publish a fast-track round for students who still seek a place in the period; returns its id.

    Another region: 404. A student with no wish in the period (or, for school staff, not of their own school;
    the same answer, so it reveals nothing): FastTrackInvalid at `student_refs`. A student already in an open
    fast-track round: 409.
    """
    if not _may_request(principal, region_id):
        raise RoundNotFound(region_id)
    refs = sorted(set(student_refs))
    seeking = {w.student_ref: w for w in deps.store.load_pool(region_id, period_id, None).wishes}
    unknown = [ref for ref in refs if ref not in seeking
               or (principal.role in SCHOOL_ROLES and seeking[ref].school_id != principal.scope)]
    if unknown:
        raise FastTrackInvalid({"student_refs": [f"Not seeking a place in this period: {', '.join(unknown)}."]})
    busy = sorted(set(refs) & _in_open_fast_tracks(deps, region_id, period_id))
    if busy:
        raise RoundConflict(f"Already in an open fast-track round: {', '.join(busy)}.")
    round_id = f"ftr-{period_id[:40]}-{uuid.uuid4().hex[:12]}"
    request = RoundRequested(round_id, region_id, period_id, secrets.randbelow(2**31) if seed is None else seed,
                             principal.user_id, FAST_TRACK, None, None, refs)
    env = new_envelope("round.requested", request, producer=PRODUCER, partition_key=region_id)
    deps.publisher.publish_all([env])
    deps.store.note_requested(request, env.occurred_at)
    return round_id


def request_queued(deps: Deps, region_id: str, period_id: str, student_refs: list[str]) -> str | None:
    """The fast-track worker's relay for students the handlers queued (a refusal, a failed placement such as a
    rejection after the kennismaking, a desk request, a withdrawn place): publish one fast-track request for
    those who still seek, hold no binding placement and are in no open fast track, then take every one of them
    off the queue (pattern B; after a crash in between, the open round is found and nothing is asked twice).
    Returns the round id, or None when nobody was left to re-place."""
    pool = deps.store.load_pool(region_id, period_id, None)
    now = iso(deps.clock())
    held = {ref for ref, f in pool.fixed.items() if f.binds_at(now)}
    busy = _in_open_fast_tracks(deps, region_id, period_id)
    seeking = {w.student_ref for w in pool.wishes}
    chosen = [ref for ref in sorted(student_refs) if ref in seeking and ref not in held | busy][:FAST_TRACK_MAX]
    round_id = None
    if chosen:
        round_id = f"ftr-{period_id[:40]}-{uuid.uuid4().hex[:12]}"
        request = RoundRequested(round_id, region_id, period_id, secrets.randbelow(2**31), AUTOMATIC, FAST_TRACK,
                                 None, None, chosen)
        env = new_envelope("round.requested", request, producer=PRODUCER, partition_key=region_id)
        deps.publisher.publish_all([env])
        deps.store.note_requested(request, env.occurred_at)
    left = [ref for ref in student_refs if ref not in chosen and (ref not in seeking or ref in held | busy)]
    deps.store.unqueue_fast_track(region_id, period_id, chosen + left)
    return round_id


def _may_request(principal: Principal, region_id: str) -> bool:
    if principal.role == "regional_coordinator":
        return principal.scope == region_id
    return principal.role in SCHOOL_ROLES and principal.region_id in ("", region_id)


def _in_open_fast_tracks(deps: Deps, region_id: str, period_id: str) -> set[str]:
    return {ref for r in deps.store.list_rounds(region_id)
            if r.request.kind == FAST_TRACK and r.request.period_id == period_id and r.status in OPEN
            and r.release is None for ref in r.request.student_refs}


def release_when_approved(deps: Deps, principal: Principal, record: RoundRecord,
                          state: ApprovalState) -> RoundReleaseScheduled | None:
    """Schedule a fast-track round's release now, once its school approved it; None for any other round."""
    if record.request.kind != FAST_TRACK or not state.complete or record.release is not None:
        return None
    now = deps.clock()
    payload = RoundReleaseScheduled(record.round_id, record.request.region_id, iso(now),
                                    iso(now + timedelta(days=FAST_TRACK_RESPOND_DAYS)), principal.user_id)
    env = new_envelope("round.release_scheduled", payload, producer=PRODUCER,
                       partition_key=record.request.region_id)
    deps.publisher.publish_all([env])
    handlers.record_release_schedule(env, deps)
    return payload
