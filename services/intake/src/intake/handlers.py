"""Intake's event handlers: `verb_noun(envelope, deps)`, and the registry `HANDLERS` at the bottom.

Intake consumes one event: round.released, after which the notifier may ask for the released students'
contact data. The store writes the processed marker and the released students in one MULTI/EXEC
(pattern B without an outbox: this handler publishes nothing), so a redelivered event changes nothing.
Imports the ports and the shared event dataclasses.
"""

from __future__ import annotations

import logging
from typing import Callable

from stagepool_shared.envelope import Envelope
from stagepool_shared.events.rounds import RoundReleased

from .ports import Deps

logger = logging.getLogger(__name__)


def record_release(envelope: Envelope, deps: Deps) -> None:
    """round.released: remember which students may now be contacted (once per event)."""
    payload = envelope.payload
    applied = isinstance(payload, RoundReleased) and deps.store.mark_released(
        envelope.event_id, sorted({o.student_ref for o in payload.outcomes}))
    logger.info("%s %s", envelope.event_type, "recorded" if applied else "already recorded")


def ignore(envelope: Envelope, deps: Deps) -> None:
    """The other round events: acknowledged without effect."""
    logger.debug("ignoring %s", envelope.event_type)


HANDLERS: dict[str, Callable[[Envelope, Deps], None]] = {"round.released": record_release}


def handle(envelope: Envelope, deps: Deps) -> None:
    """Dispatch by event type; event types intake does not act on are acknowledged and ignored."""
    HANDLERS.get(envelope.event_type, ignore)(envelope, deps)
