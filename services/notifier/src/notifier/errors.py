"""The notifier's own errors, all derived from `NotifierError`; entrypoints translate them (HTTP status,
retry, dead letter).

Imports nothing from the project but the shared errors.
"""

from __future__ import annotations

from stagepool_shared.errors import StagepoolError, TransientError


class NotifierError(StagepoolError):
    """Base of every error the notifier defines."""


class DeliveryError(NotifierError):
    """A channel could not deliver a message. `permanent` failures are not retried (a refused address)."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class DirectoryUnavailable(NotifierError, TransientError):
    """Intake's contact directory did not answer; the deliveries wait and are tried again."""


class MailUnavailable(NotifierError, TransientError):
    """An e-mail could not be handed over to SMTP for now (mail_once.MailOnce); the consumer retries the event,
    a worker step tries again later."""


class PlacementNotFound(NotifierError):
    """No released placement of this student in this round (or not yet released): answered 404."""


class AlreadyAnswered(NotifierError):
    """The student already gave the other answer to this placement: answered 409."""

    def __init__(self, answer: str):
        super().__init__(f"already {answer}")
        self.answer = answer


class DeadlinePassed(NotifierError):
    """The answer deadline of the placement has passed: answered 409."""


class Skip(NotifierError):
    """Nothing to send on this channel (a school without a webhook, a reminder after an answer): the
    dispatcher records the delivery as skipped."""


class NotCurrentOutcome(NotifierError):
    """The placement belongs to a round that a later released round of the same period superseded: only the
    student's current outcome can be answered (409)."""


class PlacementExcluded(NotifierError):
    """The place or its organisation was excluded for the student (a desk report, a refusal, a failed
    placement): the placement cannot be answered (409)."""


class PlaceWithdrawn(NotifierError):
    """The organisation withdrew the place after the release: the placement cannot be answered (409)."""
