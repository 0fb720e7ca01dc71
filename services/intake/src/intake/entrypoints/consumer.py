"""The round.released consumer: records which students were released, so the notifier may ask for their
contact data. Idempotent per event id (the store writes the marker and the state in one MULTI/EXEC)."""

from __future__ import annotations

import logging
from typing import Callable

from stagepool_shared.envelope import Envelope

from ..handlers import HANDLERS, Intake

logger = logging.getLogger(__name__)


def make_handler(intake: Intake) -> Callable[[Envelope], None]:
    """The ConsumerLoop handler: dispatch by event type; other round events are acknowledged and ignored."""

    def handle(envelope: Envelope) -> None:
        name = HANDLERS.get(envelope.event_type)
        if name is None:
            logger.debug("ignoring %s", envelope.event_type)
            return
        applied = getattr(intake, name)(envelope)
        logger.info("%s %s", envelope.event_type, "recorded" if applied else "already recorded")

    return handle
