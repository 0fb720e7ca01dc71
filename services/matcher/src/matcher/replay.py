"""`matcher replay ROUND_ID`: rebuild a round from the event log and check that it is the same round.

The log of the matcher's topics is read from offset 0, merged in time order, and folded through the same
handlers into an in-memory store up to the round's `round.requested` event; the round is then computed
from that projection with the same seed and solver, and its output hash is compared with the one the
matcher published (round.proposed). Other rounds are only noted, never solved, and nothing is published;
their `round.released` parts are folded like any event (released placements bind a later re-match), and the
round is computed at its request moment (`occurred_at` of its `round.requested`), as the live matcher does.
Variant 2 (issue 15.3): a final round's candidates round is computed on the way, through the live handler, so
its frozen input and offers are there when the final round freezes them with the choices the log's wishes
hold at its request; a candidates round publishes no proposal, so its replayed offers are compared with the
`candidates.offered` events it published.
Imports handlers, bootstrap (the replay's in-memory dependencies) and, in `replay_main` only, the shared
Kafka reader.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Iterable, Sequence

from stagepool_shared import registry, topics
from stagepool_shared.envelope import Envelope
from stagepool_shared.errors import InvalidEvent
from stagepool_shared.events.rounds import CANDIDATES, Manifest

from . import handlers
from .bootstrap import replay_deps
from .config import Settings
from .ports import Deps, RoundSolver
from .rounds.fast_track import compute_for

logger = logging.getLogger(__name__)
REPLAY_TOPICS = (topics.WISHES, topics.PLACES, topics.STUDENTS, topics.ROUNDS, topics.PLACEMENTS)
SKIPPED = ("round.proposed", "round.approved", "round.release_scheduled", "candidates.offered")


class _NoPublisher:
    """A replay publishes nothing: its round is compared, never announced."""

    def publish(self, envelope: Envelope, topic: str | None = None) -> None:
        return None

    def publish_all(self, envelopes: Sequence[Envelope], topic: str | None = None) -> None:
        return None

    def close(self) -> None:
        return None


@dataclass(frozen=True)
class ReplayResult:
    """The manifest the matcher published (None if it never did) and the one the replay computed."""

    round_id: str
    published: Manifest | None
    replayed: Manifest
    #: A candidates round's offers as published (`candidates.offered`) and as replayed; None for other rounds.
    published_offers: dict[str, tuple[str, ...]] | None = None
    replayed_offers: dict[str, tuple[str, ...]] | None = None

    @property
    def same_output(self) -> bool:
        if self.replayed_offers is not None:
            return self.published_offers == self.replayed_offers
        return self.published is not None and self.published.output_hash == self.replayed.output_hash

    @property
    def same_input(self) -> bool:
        return self.published is not None and self.published.input_hash == self.replayed.input_hash


def replay_round(events: Iterable[Envelope], round_id: str, solver: RoundSolver | None = None,
                 code_version: str | None = None) -> ReplayResult:
    """Fold `events` (in log order) up to the round's request, compute the round, compare its manifest.

    Without a solver or code version, the production solver and this code's version are used.
    """
    events = list(events)
    deps = replay_deps(_NoPublisher(), solver, code_version)
    published = next((e.payload.manifest for e in events
                      if e.event_type == "round.proposed" and e.payload.round_id == round_id), None)
    on_the_way = {e.payload.previous_round_id for e in events
                  if e.event_type == "round.requested" and e.payload.round_id == round_id}
    for env in events:
        if env.event_type == "round.requested":
            if env.payload.round_id == round_id:
                deps.store.note_requested(env.payload, env.occurred_at)
                pool, _ = handlers.freeze(deps, env.payload)
                result = compute_for(env.payload, pool, deps.solver, deps.code_version, env.occurred_at)
                if env.payload.kind != CANDIDATES:
                    return ReplayResult(round_id, published, result.manifest)
                return ReplayResult(round_id, published, result.manifest, _offered(events, round_id),
                                    {o.student_ref: o.place_ids for o in result.offers})
            if env.payload.round_id in on_the_way:
                handlers.run_round(env, deps)  # a final round's candidates round: computed, stored, not published
            deps.store.note_requested(env.payload, env.occurred_at)
        elif env.event_type not in SKIPPED:
            _fold(env, deps)
    raise LookupError(f"round {round_id} was never requested in this log")


def _offered(events: list[Envelope], round_id: str) -> dict[str, tuple[str, ...]]:
    """The offers a candidates round published, by student."""
    return {e.payload.student_ref: tuple(e.payload.place_ids) for e in events
            if e.event_type == "candidates.offered" and e.payload.round_id == round_id}


def _fold(env: Envelope, deps: Deps) -> None:
    """Apply one logged event as the live consumer did: one it dead-lettered as invalid (e.g. a placement
    event naming a round and place the matcher never knew) changed nothing then, and changes nothing now."""
    try:
        handlers.handle(env, deps)
    except InvalidEvent:
        pass


def ordered_events(messages: Iterable) -> list[Envelope]:
    """Decode logged messages, skipping invalid ones (they went to the DLQ), merged by time then position."""
    out = []
    order = {name: i for i, name in enumerate(REPLAY_TOPICS)}
    for m in sorted(messages, key=lambda m: (m.timestamp_ms, order.get(m.topic, 99), m.partition, m.offset)):
        try:
            out.append(registry.decode(m.value))
        except InvalidEvent:
            continue
    return out


def replay_main(settings: Settings, round_id: str) -> int:
    """Read the log from Kafka, replay the round, print the comparison; 0 if the output hash is equal."""
    from stagepool_shared.kafka import read_log

    events = ordered_events(read_log(settings.common.kafka_bootstrap_servers, REPLAY_TOPICS))
    try:
        result = replay_round(events, round_id)
    except LookupError as err:
        print(err)
        return 2
    print(f"round {round_id}")
    print(f"  input hash   published {result.published.input_hash if result.published else '-'}")
    print(f"               replayed  {result.replayed.input_hash}")
    print(f"  output hash  published {result.published.output_hash if result.published else '-'}")
    print(f"               replayed  {result.replayed.output_hash}")
    print("  SAME ROUND" if result.same_output else "  DIFFERENT ROUND")
    return 0 if result.same_output else 1
