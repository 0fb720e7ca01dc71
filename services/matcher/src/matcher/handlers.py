"""The matcher's event handlers: `verb_noun(envelope, deps)`, one per event type; the registry `HANDLERS`
and `handle` are at the bottom.

Projection handlers (wishes, places, placements, erasure, approvals, objections, release schedules, the
matcher's own releases, whose placements bind until answered or expired) write the store,
each write together with the event's processed marker in one transaction, so a redelivery changes nothing.
`run_round` follows pattern B, *store with an outbox, then relay*: it freezes the pool once, computes the
round, stores the proposal with the request's processed marker (the outbox), and then publishes the stored
proposal in parts with deterministic ids and marks it published. A crash at any point gives the same round
on redelivery, never a second one. Variant 2's candidates round relays its stored offers as `candidates.offered`
instead of a proposal, and a final round freezes its candidates round's input with the students' choices
(`freeze`). Any MatcherError while computing (an inconsistent pool, a result the
round or the validator refuses) marks the round failed instead of dead-lettering its request.
Imports the shared envelope/events, the ports and the service layer (matcher.rounds).
"""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import replace
from typing import Callable

from stagepool_shared.envelope import Envelope
from stagepool_shared.errors import InvalidEvent
from stagepool_shared.events import placements, rounds as round_events
from stagepool_shared.events.rounds import FINAL

from .errors import MatcherError
from .ports import Deps
from .rounds.approval import ApprovalVote
from .rounds.fast_track import compute_for
from .rounds.objection import objection_of
from .rounds.moments import iso, parse_moment
from .rounds.parts import offer_events, proposal_events
from .rounds.pool import KeptPlacement, Pool, StudentExclusions
from .rounds.record import RoundRecord
from .rounds.stale import Stale, stale_placements
from .rounds.variant2 import OFFERED, choices_of
from .solver.heap import gc_paused

logger = logging.getLogger(__name__)


# --- projections ---------------------------------------------------------------------------------
def record_wish(env: Envelope, deps: Deps) -> None:
    deps.store.put_wish(env.event_id, env.payload)


def remove_wish(env: Envelope, deps: Deps) -> None:
    p = env.payload
    deps.store.remove_wish(env.event_id, p.region_id, p.period_id, p.student_ref)
    hold_stale_releases(deps, p.region_id, p.period_id, student_ref=p.student_ref)


def record_place(env: Envelope, deps: Deps) -> None:
    deps.store.put_place(env.event_id, env.payload)


def record_variant(env: Envelope, deps: Deps) -> None:
    """A school's matching variant of a programme in a period (issue 15.3): the latest per school and crebo."""
    deps.store.put_variant(env.event_id, env.payload)


def withdraw_place(env: Envelope, deps: Deps) -> None:
    """The place leaves the pool; placements that bound to it at this moment are marked withdrawn."""
    p = env.payload
    deps.store.remove_place(env.event_id, p.region_id, p.period_id, p.place_id, withdrawn_at=env.occurred_at)
    lost = [ref for ref, f in deps.store.load_pool(p.region_id, p.period_id, None).fixed.items()
            if f.withdrawn and f.place_id == p.place_id]
    queue_fast_track(env, deps, p.region_id, p.period_id, lost)
    hold_stale_releases(deps, p.region_id, p.period_id, place_id=p.place_id)


def hold_stale_releases(deps: Deps, region_id: str, period_id: str, place_id: str | None = None,
                        student_ref: str | None = None) -> None:
    """Hold every scheduled release of the period that places a student at the withdrawn place, or places the
    student whose wish left (`hold_if_stale`), so that the coordinator sees it at once, not at the release
    moment. Only a round that the change touches pays for the full check (the period's pool)."""
    for round_id in deps.store.scheduled_releases():
        record = deps.store.get_round(round_id)
        if record is None or (record.request.region_id, record.request.period_id) != (region_id, period_id):
            continue
        if any(o.status == "placed" and o.place_id and (o.place_id == place_id or o.student_ref == student_ref)
               for o in deps.store.outcomes(round_id)):
            hold_if_stale(deps, record)


def hold_if_stale(deps: Deps, record: RoundRecord) -> bool:
    """Hold the round's scheduled release when the pool lost a place or a placed student since the round was
    computed (`rounds.stale`): released, it would place a student at a place that no longer exists. The same
    check refuses scheduling such a round (commands.schedule_release); this one catches a withdrawal after it.
    The round is taken off the schedule; its page names what changed, and a new round is the way on."""
    stale = stale_of(deps, record)
    if stale and deps.store.hold_release(record.round_id, stale):
        logger.warning("round %s: release held, %d places withdrawn and %d placed students left since it was "
                       "computed", record.round_id, len(stale.places), len(stale.students))
        return True
    return False


def stale_of(deps: Deps, record: RoundRecord) -> Stale:
    """What the round places that the period's pool no longer holds (`rounds.stale`)."""
    pool = deps.store.load_pool(record.request.region_id, record.request.period_id, None)
    return stale_placements(deps.store.outcomes(record.round_id), pool)


def erase_student(env: Envelope, deps: Deps) -> None:
    p = env.payload
    deps.store.erase_student(env.event_id, p.region_id, p.student_ref)


def _period_of(deps: Deps, ref: placements.PlacementRef) -> str:
    record = deps.store.get_round(ref.round_id)
    period = record.request.period_id if record else deps.store.period_of_place(ref.region_id, ref.place_id)
    if period is None:
        raise InvalidEvent(f"placement event for unknown round {ref.round_id} and place {ref.place_id}")
    return period


def keep_accepted_placement(env: Envelope, deps: Deps) -> None:
    p: placements.PlacementAccepted = env.payload
    kept = KeptPlacement(p.student_ref, p.school_id, p.place_id, p.organisation_id, p.round_id)
    deps.store.fix_placement(env.event_id, p.region_id, _period_of(deps, p), kept)


def bind_released_placements(env: Envelope, deps: Deps) -> None:
    """A released placement binds until the student answers or `respond_by` passes (the matcher reads its
    own `round.released` parts back); a re-match keeps it fixed meanwhile. One whose place was withdrawn
    after the release worker's check (`hold_if_stale`) binds as withdrawn, and its student goes into the fast
    track, as when the place is withdrawn after the bind (`withdraw_place`)."""
    p: round_events.RoundReleased = env.payload
    released = [KeptPlacement(o.student_ref, o.school_id, o.place_id, o.organisation_id, p.round_id, p.respond_by)
                for o in p.outcomes if o.status in ("placed", "kept") and o.place_id and o.organisation_id]
    present = deps.store.places_present(p.region_id, p.period_id, [r.place_id for r in released])
    released = [r if r.place_id in present else replace(r, withdrawn=True) for r in released]
    # A kept placement at a withdrawn place was queued when the place was withdrawn (it bound then); a new one
    # was withdrawn after the release worker's check, and is queued here.
    gone = [o.student_ref for o in p.outcomes if o.status == "placed" and o.place_id and o.place_id not in present]
    deps.store.bind_released(env.event_id, p.region_id, p.period_id, released, p.released_at)
    queue_fast_track(env, deps, p.region_id, p.period_id, gone)


def exclude_refused_place(env: Envelope, deps: Deps) -> None:
    p: placements.PlacementRefused = env.payload
    period = _period_of(deps, p)
    deps.store.exclude(env.event_id, p.region_id, period, p.student_ref, StudentExclusions((p.place_id,)), unfix=True)
    if p.reason_code != "own_place_found":  # a student who found a place of their own needs no other
        queue_fast_track(env, deps, p.region_id, period, [p.student_ref])


def exclude_failed_placement(env: Envelope, deps: Deps) -> None:
    p: placements.PlacementFailed = env.payload
    period = _period_of(deps, p)
    deps.store.exclude(env.event_id, p.region_id, period, p.student_ref,
                       StudentExclusions((p.place_id,), (p.organisation_id,)), unfix=True)
    queue_fast_track(env, deps, p.region_id, period, [p.student_ref])  # e.g. rejected after the kennismaking


def queue_replacement(env: Envelope, deps: Deps) -> None:
    """The desk asks for another place: the student is queued for the fast track (and takes part in the next
    re-match anyway), never again at the excluded places."""
    p: placements.ReplacementRequested = env.payload
    deps.store.exclude(env.event_id, p.region_id, p.period_id, p.student_ref,
                       StudentExclusions(tuple(p.exclude_place_ids), tuple(p.exclude_organisation_ids)), unfix=True)
    queue_fast_track(env, deps, p.region_id, p.period_id, [p.student_ref])


def queue_fast_track(env: Envelope, deps: Deps, region_id: str, period_id: str, student_refs: list[str]) -> None:
    """Queue students who lost or refused their place for the re-placement fast track (issue 20.3); the
    release worker requests their fast-track round (`jobs.request_queued_fast_tracks`). A write of its own,
    with a processed marker derived from the event's id, so a redelivery queues nobody twice."""
    if student_refs:
        marker = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{env.event_id}:fast_track"))
        deps.store.queue_fast_track(marker, region_id, period_id, student_refs,
                                    parse_moment(env.occurred_at).timestamp())


# --- rounds --------------------------------------------------------------------------------------
def run_round(env: Envelope, deps: Deps) -> None:
    """Compute a requested round once, store the proposal, then publish it (pattern B: a transactional outbox).

    The proposal and the request's processed marker are stored in one transaction, so a redelivered or
    repeated request never computes a second proposal; a stored proposal not yet marked published (the
    service died in between) is published from the store on redelivery, in the same parts with the same ids.
    """
    deps.store.note_requested(env.payload, env.occurred_at)
    record = deps.store.get_round(env.payload.round_id)
    if record is not None and record.status == "requested":
        record = propose_round(env, record, deps)
    if record is None or record.manifest is None or record.proposal_published:
        logger.info("round %s already %s; nothing to do", env.payload.round_id, record and record.status)
        return
    publish_proposal(env, record, deps)


def propose_round(env: Envelope, record: RoundRecord, deps: Deps) -> RoundRecord | None:
    """Freeze the pool, compute the round and store the proposal; None when the round cannot be computed."""
    request = record.request
    with gc_paused():
        pool, frozen_at = freeze(deps, request)
        logger.info("round %s: pool frozen at %s, computing", request.round_id, frozen_at)  # which instance does it
        started = time.perf_counter()
        try:
            result = compute_for(request, pool, deps.solver, deps.code_version, record.requested_at or None)
        except MatcherError as err:  # inconsistent input, a result the round or the validator refused, or one
            # that moves a binding placement (BindingPlacementMoved)
            logger.warning("round %s cannot be computed: %s", request.round_id, err)
            deps.store.fail_round(env.event_id, request.round_id, str(err))
            return None
        seconds = time.perf_counter() - started
        deps.store.save_proposal(env.event_id, request.round_id, result, frozen_at)
    deps.metrics.solved(request.region_id, request.period_id, seconds, result.summary.placed)
    logger.info("round %s proposed: %d of %d placed in %.2fs", request.round_id, result.summary.placed,
                result.summary.students, seconds)
    return deps.store.get_round(request.round_id)


def freeze(deps: Deps, request: round_events.RoundRequested) -> tuple[Pool, str]:
    """The round's frozen input; a final round's is its candidates round's, with the offers and the students'
    choices as the period's current wishes say them (variant 2: `rounds.variant2`)."""
    if request.kind != FINAL or request.previous_round_id is None:
        return deps.store.freeze_pool(request.round_id, iso(deps.clock()))
    offers = deps.store.offers(request.previous_round_id)
    wishes = deps.store.load_pool(request.region_id, request.period_id, None).wishes
    return deps.store.freeze_pool(request.round_id, iso(deps.clock()), request.previous_round_id,
                                  choices_of(offers, wishes))


def publish_proposal(cause: Envelope, record: RoundRecord, deps: Deps) -> None:
    """Relay the stored proposal: publish it in parts (acks=all), then mark it published. A candidates round
    (status "offered") publishes its offers instead: it is never proposed."""
    outcomes = deps.store.outcomes(record.round_id)
    if record.status == OFFERED:
        deps.publisher.publish_all(offer_events(cause, record, outcomes, deps.store.offers(record.round_id)))
    else:
        deps.publisher.publish_all(proposal_events(cause, record, outcomes, deps.per_part))
    deps.store.mark_proposal_published(record.round_id)


def record_approval(env: Envelope, deps: Deps) -> None:
    p: round_events.RoundApproved = env.payload
    if deps.store.get_round(p.round_id) is None:
        raise InvalidEvent(f"approval for unknown round {p.round_id}")
    deps.store.add_approval(env.event_id, p.round_id, ApprovalVote(p.user_id, p.role, p.school_id), env.occurred_at)


def record_objection(env: Envelope, deps: Deps) -> None:
    """Exclude the objected (student, place) pair from the period's pool, keep the objection on the round and
    withdraw the objecting school's approvals of it, in one transaction."""
    p: round_events.RoundObjected = env.payload
    if deps.store.get_round(p.round_id) is None:
        raise InvalidEvent(f"objection for unknown round {p.round_id}")
    deps.store.add_objection(env.event_id, p.round_id, p.period_id, objection_of(p, env.occurred_at))


def record_release_schedule(env: Envelope, deps: Deps) -> None:
    p: round_events.RoundReleaseScheduled = env.payload
    if deps.store.get_round(p.round_id) is None:
        raise InvalidEvent(f"release schedule for unknown round {p.round_id}")
    deps.store.schedule_release(env.event_id, p, parse_moment(p.release_at).timestamp())


def ignore(env: Envelope, deps: Deps) -> None:
    """Events the matcher reads but does not act on (its own proposals and offers)."""


HANDLERS: dict[str, Callable[[Envelope, Deps], None]] = {
    "wish.submitted": record_wish,
    "wish.updated": record_wish,
    "wish.withdrawn": remove_wish,
    "wish.opted_out": remove_wish,
    "variant.set": record_variant,
    "place.posted": record_place,
    "place.updated": record_place,
    "place.withdrawn": withdraw_place,
    "student.erased": erase_student,
    "placement.accepted": keep_accepted_placement,
    "placement.refused": exclude_refused_place,
    "placement.failed": exclude_failed_placement,
    "placement.replacement_requested": queue_replacement,
    "round.requested": run_round,
    "round.approved": record_approval,
    "round.objected": record_objection,
    "round.release_scheduled": record_release_schedule,
    "round.proposed": ignore,
    "round.released": bind_released_placements,
    "candidates.offered": ignore,
}


def handle(env: Envelope, deps: Deps) -> None:
    """Dispatch one event to its handler; event types the matcher does not know are ignored."""
    handler = HANDLERS.get(env.event_type)
    if handler is None:
        logger.debug("ignoring %s", env.event_type)
        return
    handler(env, deps)
