"""Use cases of the matcher: one function per incoming event, plus the commands of the HTTP API.

Event handlers translate payloads into store writes (each applied once per event id). `run_round` freezes
the pool once, computes the round from the frozen input, stores the proposal with its processed marker, and
then publishes it in parts with deterministic event ids from the store (an outbox): a crash at any point
gives the same round on redelivery, never a second one, and a round is released only once its proposal is out. The registry `EVENT_HANDLERS` is at the bottom.
Imports the matcher's rounds/approval modules, the store port and the shared envelope/events.
"""

from __future__ import annotations

import gc
import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Callable, Iterator, Protocol, Sequence

from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.errors import InvalidEvent
from stagepool_shared.events import placements, rounds as round_events
from stagepool_shared.events.rounds import OUTCOMES_PER_PART, Outcome, RoundProposed, RoundReleased

from .adapters.store import AbstractRoundStore, RoundRecord
from .approval import ApprovalVote
from .errors import MatcherError
from .rounds import Exclusion, FixedPlacement, RoundSolver, compute_round, derived_event_id, split_parts

logger = logging.getLogger(__name__)
PRODUCER = "matcher"


class Publisher(Protocol):
    def publish_all(self, envelopes: Sequence[Envelope], topic: str | None = None) -> None: ...


class RoundMetrics(Protocol):
    def solved(self, region_id: str, period_id: str, seconds: float, placed: int) -> None: ...

    def released(self, region_id: str, period_id: str) -> None: ...


class NullMetrics:
    """Metrics that go nowhere (unit tests, replay)."""

    def solved(self, region_id: str, period_id: str, seconds: float, placed: int) -> None:
        return None

    def released(self, region_id: str, period_id: str) -> None:
        return None


def utc_now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


@dataclass
class Services:
    """What the handlers work with; built by bootstrap (real adapters) or by tests (fakes)."""

    store: AbstractRoundStore
    publisher: Publisher
    solver: RoundSolver
    code_version: str = "unknown"
    clock: Callable[[], datetime] = utc_now
    metrics: RoundMetrics = field(default_factory=NullMetrics)
    per_part: int = OUTCOMES_PER_PART


# --- projections ---------------------------------------------------------------------------------
def record_wish(env: Envelope, svc: Services) -> None:
    svc.store.put_wish(env.event_id, env.payload)


def remove_wish(env: Envelope, svc: Services) -> None:
    p = env.payload
    svc.store.remove_wish(env.event_id, p.region_id, p.period_id, p.student_ref)


def record_place(env: Envelope, svc: Services) -> None:
    svc.store.put_place(env.event_id, env.payload)


def withdraw_place(env: Envelope, svc: Services) -> None:
    p = env.payload
    svc.store.remove_place(env.event_id, p.region_id, p.period_id, p.place_id)


def erase_student(env: Envelope, svc: Services) -> None:
    p = env.payload
    svc.store.erase_student(env.event_id, p.region_id, p.student_ref)


def _period_of(svc: Services, ref: placements.PlacementRef) -> str:
    record = svc.store.get_round(ref.round_id)
    period = record.request.period_id if record else svc.store.period_of_place(ref.region_id, ref.place_id)
    if period is None:
        raise InvalidEvent(f"placement event for unknown round {ref.round_id} and place {ref.place_id}")
    return period


def keep_accepted_placement(env: Envelope, svc: Services) -> None:
    p: placements.PlacementAccepted = env.payload
    fixed = FixedPlacement(p.student_ref, p.school_id, p.place_id, p.organisation_id, p.round_id)
    svc.store.fix_placement(env.event_id, p.region_id, _period_of(svc, p), fixed)


def exclude_refused_place(env: Envelope, svc: Services) -> None:
    p: placements.PlacementRefused = env.payload
    svc.store.exclude(env.event_id, p.region_id, _period_of(svc, p), p.student_ref,
                      Exclusion((p.place_id,)), unfix=True)


def exclude_failed_placement(env: Envelope, svc: Services) -> None:
    p: placements.PlacementFailed = env.payload
    svc.store.exclude(env.event_id, p.region_id, _period_of(svc, p), p.student_ref,
                      Exclusion((p.place_id,), (p.organisation_id,)), unfix=True)


def queue_replacement(env: Envelope, svc: Services) -> None:
    """Nothing runs now; the student joins the next re-match, never again at the excluded places."""
    p: placements.ReplacementRequested = env.payload
    svc.store.exclude(env.event_id, p.region_id, p.period_id, p.student_ref,
                      Exclusion(tuple(p.exclude_place_ids), tuple(p.exclude_organisation_ids)), unfix=True)


# --- rounds --------------------------------------------------------------------------------------
@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off for the duration of a round.

    A 10,000-student round allocates a few million short-lived objects (no reference cycles) next to a
    large live heap, so the collector would walk that heap again and again: about 1.5 s of a 10k round's
    time for nothing. It is switched back on afterwards, whatever happens.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_round(env: Envelope, svc: Services) -> None:
    """Compute a requested round once, store the proposal, then publish it (a transactional outbox).

    The proposal and the request's processed marker are stored in one transaction, so a redelivered or
    repeated request never computes a second proposal; a stored proposal not yet marked published (the
    service died in between) is published from the store on redelivery, in the same parts with the same ids.
    """
    svc.store.note_requested(env.payload, env.occurred_at)
    record = svc.store.get_round(env.payload.round_id)
    if record is not None and record.status == "requested":
        record = propose_round(env, record, svc)
    if record is None or record.manifest is None or record.proposal_published:
        logger.info("round %s already %s; nothing to do", env.payload.round_id, record and record.status)
        return
    publish_proposal(env, record, svc)


def propose_round(env: Envelope, record: RoundRecord, svc: Services) -> RoundRecord | None:
    """Freeze the pool, compute the round and store the proposal; None when the round cannot be computed."""
    request = record.request
    with gc_paused():
        pool, frozen_at = svc.store.freeze_pool(request.round_id, iso(svc.clock()))
        started = time.perf_counter()
        try:
            result = compute_round(pool, request.seed, svc.solver, svc.code_version)
        except MatcherError as err:  # inconsistent input, or a solution the validator refused
            logger.warning("round %s cannot be computed: %s", request.round_id, err)
            svc.store.fail_round(env.event_id, request.round_id, str(err))
            return None
        seconds = time.perf_counter() - started
        svc.store.save_proposal(env.event_id, request.round_id, result, frozen_at)
    svc.metrics.solved(request.region_id, request.period_id, seconds, result.summary.placed)
    logger.info("round %s proposed: %d of %d placed in %.2fs", request.round_id, result.summary.placed,
                result.summary.students, seconds)
    return svc.store.get_round(request.round_id)


def publish_proposal(cause: Envelope, record: RoundRecord, svc: Services) -> None:
    """Publish the stored proposal in parts, then mark it published."""
    svc.publisher.publish_all(proposal_events(cause, record, svc.store.outcomes(record.round_id), svc.per_part))
    svc.store.mark_proposal_published(record.round_id)


def proposal_events(cause: Envelope, record: RoundRecord, outcomes: Sequence[Outcome],
                    per_part: int) -> list[Envelope]:
    """The round.proposed parts of a stored proposal, byte-identical whenever they are built again."""
    request, chunks = record.request, split_parts(outcomes, per_part)
    assert record.manifest is not None and record.summary is not None and record.proposed_at is not None
    return [new_envelope(
        "round.proposed",
        RoundProposed(request.round_id, request.region_id, request.period_id, request.kind, record.manifest,
                      record.summary, i, len(chunks), chunk),
        producer=PRODUCER, partition_key=request.region_id, correlation_id=cause.correlation_id,
        causation_id=cause.event_id, event_id=derived_event_id(request.round_id, "proposed", i),
        occurred_at=record.proposed_at,
    ) for i, chunk in enumerate(chunks, start=1)]


def record_approval(env: Envelope, svc: Services) -> None:
    p: round_events.RoundApproved = env.payload
    if svc.store.get_round(p.round_id) is None:
        raise InvalidEvent(f"approval for unknown round {p.round_id}")
    svc.store.add_approval(env.event_id, p.round_id, ApprovalVote(p.user_id, p.role, p.school_id))


def record_release_schedule(env: Envelope, svc: Services) -> None:
    p: round_events.RoundReleaseScheduled = env.payload
    if svc.store.get_round(p.round_id) is None:
        raise InvalidEvent(f"release schedule for unknown round {p.round_id}")
    svc.store.schedule_release(env.event_id, p, parse_moment(p.release_at).timestamp())


def parse_moment(text: str) -> datetime:
    """An ISO-8601 moment with a time zone (a trailing Z allowed); ValueError otherwise."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("a moment needs a time zone, e.g. 2027-01-15T09:00:00Z")
    return moment


def release_due_rounds(svc: Services) -> list[str]:
    """Publish every round whose release moment has come, all parts at once; then mark it released."""
    released = []
    for round_id in svc.store.due_releases(svc.clock().timestamp()):
        record = svc.store.get_round(round_id)
        if record is None or record.release is None or record.status == "released":
            continue
        if not record.proposal_published:  # its proposal goes out first (on the request's redelivery)
            continue
        svc.publisher.publish_all(release_events(record, svc.store.outcomes(round_id), svc.per_part))
        svc.store.mark_released(round_id, record.release.release_at)
        svc.metrics.released(record.request.region_id, record.request.period_id)
        logger.info("round %s released", round_id)
        released.append(round_id)
    return released


def release_events(record: RoundRecord, outcomes: list, per_part: int) -> list[Envelope]:
    """The round.released parts: the same moment for everyone, deterministic ids."""
    assert record.release is not None
    req, rel = record.request, record.release
    chunks = split_parts(outcomes, per_part)
    return [new_envelope(
        "round.released",
        RoundReleased(req.round_id, req.region_id, req.period_id, rel.release_at, rel.respond_by, i, len(chunks),
                      chunk),
        producer=PRODUCER, partition_key=req.region_id, correlation_id=req.round_id,
        event_id=derived_event_id(req.round_id, "released", i), occurred_at=rel.release_at,
    ) for i, chunk in enumerate(chunks, start=1)]


def ignore(env: Envelope, svc: Services) -> None:
    """Events the matcher reads but does not act on (its own proposals and releases)."""


EVENT_HANDLERS: dict[str, Callable[[Envelope, Services], None]] = {
    "wish.submitted": record_wish,
    "wish.updated": record_wish,
    "wish.withdrawn": remove_wish,
    "wish.opted_out": remove_wish,
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
    "round.release_scheduled": record_release_schedule,
    "round.proposed": ignore,
    "round.released": ignore,
}


def handle(env: Envelope, svc: Services) -> None:
    """Dispatch one event to its handler; event types the matcher does not know are ignored."""
    handler = EVENT_HANDLERS.get(env.event_type)
    if handler is None:
        logger.debug("ignoring %s", env.event_type)
        return
    handler(env, svc)
