"""What the store remembers of one round: its request, status, figures, approvals, objections, audit trail
and release. Imports the shared round events, the approval rule's vote and the objection records."""

from __future__ import annotations

from dataclasses import dataclass

from stagepool_shared.events.rounds import Manifest, RoundReleaseScheduled, RoundRequested, Summary

from .approval import ApprovalVote
from .objection import AuditEntry, Objection
from .stale import Stale


@dataclass(frozen=True)
class RoundRecord:
    """What the store knows about one round."""

    request: RoundRequested
    status: str = "requested"
    requested_at: str = ""
    frozen_at: str | None = None
    manifest: Manifest | None = None
    summary: Summary | None = None
    schools: tuple[str, ...] = ()
    support_schools: tuple[str, ...] = ()
    proposed_at: str | None = None
    release: RoundReleaseScheduled | None = None
    released_at: str | None = None
    approvals: tuple[ApprovalVote, ...] = ()
    failure: str | None = None
    proposal_published: bool = False
    objections: tuple[Objection, ...] = ()
    audit: tuple[AuditEntry, ...] = ()
    #: Set when the scheduled release was held back: what the pool lost since the round was computed.
    held: Stale | None = None

    @property
    def round_id(self) -> str:
        return self.request.round_id
