"""The events a stored round publishes: its round.proposed and round.released parts, and a candidates round's
`candidates.offered` (one per offered student).

Each part has a deterministic id (`derived_event_id`) and every field comes from the store, so parts built
again after a crash are byte-identical to the first ones and consumers drop them as duplicates. Imports the
shared envelope and round events, and this layer's record.
"""

from __future__ import annotations

import uuid
from typing import Sequence

from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.events.rounds import Outcome, RoundProposed, RoundReleased
from stagepool_shared.events.variants import CandidatesOffered

from .record import RoundRecord

#: The producer name on every event the matcher publishes.
PRODUCER = "matcher"
NAMESPACE = uuid.UUID("6f1d3c1e-8a51-4f0e-9a7e-2b3c4d5e6f70")


def derived_event_id(round_id: str, kind: str, part: int) -> str:
    """The deterministic id of the `part`-th event of `kind` (proposed, released) of a round."""
    return str(uuid.uuid5(NAMESPACE, f"{round_id}:{kind}:{part}"))


def split_parts(outcomes: Sequence[Outcome], per_part: int) -> list[list[Outcome]]:
    """Outcomes in parts of at most `per_part` (one empty part for an empty round)."""
    if not outcomes:
        return [[]]
    return [list(outcomes[i:i + per_part]) for i in range(0, len(outcomes), per_part)]


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


def release_events(record: RoundRecord, outcomes: Sequence[Outcome], per_part: int) -> list[Envelope]:
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


def offer_events(cause: Envelope, record: RoundRecord, outcomes: Sequence[Outcome],
                 offers: dict[str, tuple[str, ...]]) -> list[Envelope]:
    """A candidates round's `candidates.offered`, one per offered student (variant 2), deterministic ids."""
    request, school_of = record.request, {o.student_ref: o.school_id for o in outcomes}
    return [new_envelope(
        "candidates.offered",
        CandidatesOffered(request.round_id, request.region_id, request.period_id, school_of[ref], ref, list(ids)),
        producer=PRODUCER, partition_key=request.region_id, correlation_id=cause.correlation_id,
        causation_id=cause.event_id, event_id=str(uuid.uuid5(NAMESPACE, f"{request.round_id}:offered:{ref}")),
        occurred_at=record.proposed_at,
    ) for ref, ids in sorted(offers.items()) if ref in school_of]
