"""The release worker's use case: publish every approved round whose release moment has come.

Pattern B, *store with an outbox, then relay*: the release schedule was stored by the `round.release_scheduled`
handler (with its processed marker); this relay publishes every part of a due round with deterministic ids
(acks=all) and only then marks it released. A crash in between publishes the same events again, which
consumers drop as duplicates. With N instances the worker runs on one of them at a time (a Redis lease,
stagepool_shared.lease), and marking a round released is a transition made once, so the released-rounds
metric counts each round once even when an instance that overran its lease releases the same round.
`Wiring.workers()` runs `release_due_rounds` every MATCHER_RELEASE_POLL_S seconds as a
`stagepool_shared.runtime.Worker`, which retries after Kafka or Redis errors.
The same worker, under the same lease, relays the re-placement fast track's queue (issue 20.3,
`request_queued_fast_tracks`): students the handlers queued get their fast-track round requested.
The scenario worker (issue 16.4) runs `run_queued_scenario`: one queued what-if scenario at a time, all its
policies, progress stored after each; it writes only the scenario store and publishes nothing.
Imports the ports and the service layer (matcher.rounds, matcher.scenarios).
"""

from __future__ import annotations

import logging

from . import handlers
from .ports import Deps
from .replacement import request_queued
from .rounds.parts import release_events
from .scenarios.commands import run_next

logger = logging.getLogger(__name__)

#: Rounds the release worker publishes per step: a national release day (28 regions due at once) is several
#: steps, each well within the release lease (stagepool_shared.lease.DEFAULT_TTL_S), renewed between steps.
RELEASES_PER_STEP = 4
#: A queued fast-track student waits this long, so that students queued together (a withdrawn place with
#: several students) share one fast-track round; then the request goes out (issue 20.3).
FAST_TRACK_GATHER_S = 30.0


def release_due_rounds(deps: Deps, limit: int | None = None) -> list[str]:
    """Publish every round whose release moment has come, all parts at once; then mark it released.

    `limit` stops after that many rounds were published, so that one step of the leased worker stays well
    within its lease (the worker renews the lease and comes back at once after a step that did work)."""
    released, published = [], 0
    for round_id in deps.store.due_releases(deps.clock().timestamp()):
        if limit is not None and published >= limit:
            break
        record = deps.store.get_round(round_id)
        if record is None or record.release is None or record.status == "released":
            continue
        if not record.proposal_published:  # its proposal goes out first (on the request's redelivery)
            continue
        if handlers.hold_if_stale(deps, record):  # a withdrawal the handlers have not held yet
            continue
        deps.publisher.publish_all(release_events(record, deps.store.outcomes(round_id), deps.per_part))
        published += 1
        if deps.store.mark_released(round_id, record.release.release_at):  # False: another instance did
            deps.metrics.released(record.request.region_id, record.request.period_id)
            logger.info("round %s released", round_id)
            released.append(round_id)
    return released


def run_queued_scenario(deps: Deps) -> int:
    """Run the next queued scenario, if any; returns how many ran (0 or 1)."""
    if deps.scenarios is None:
        return 0
    return 1 if run_next(deps) else 0


def request_queued_fast_tracks(deps: Deps, gather_s: float = FAST_TRACK_GATHER_S) -> int:
    """Request a fast-track round for the students queued at least `gather_s` ago, one per period (issue 20.3);
    run by the release worker under its lease. Returns how many rounds were requested."""
    requested = 0
    for region_id, period_id, refs in deps.store.queued_fast_tracks(deps.clock().timestamp() - gather_s):
        if request_queued(deps, region_id, period_id, refs) is not None:
            requested += 1
    return requested
