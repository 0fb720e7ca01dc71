"""The approval rule of a proposed round (four-eyes review, domain.md R77-R79).

A proposal is approved when (1) at least two distinct staff users approved it, and (2) for every school
that has students with support needs in the proposal, a support_staff user of that school approved it.
The same user approving twice counts once. Pure: imports the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

STAFF_ROLES = ("school_staff", "support_staff", "regional_coordinator")
REQUIRED_DISTINCT_USERS = 2


@dataclass(frozen=True)
class ApprovalVote:
    """One approval: who, in which role, for which school (None for a regional coordinator)."""

    user_id: str
    role: str
    school_id: str | None = None


@dataclass(frozen=True)
class ApprovalState:
    """Where a round stands: complete or not, and what is still missing."""

    complete: bool
    approvers: tuple[str, ...]
    users_missing: int
    schools_missing_support: tuple[str, ...] = field(default_factory=tuple)


def approval_state(votes: Iterable[ApprovalVote], support_schools: Iterable[str]) -> ApprovalState:
    """Evaluate the rule over the votes so far and the schools whose students have support needs."""
    staff = [v for v in votes if v.role in STAFF_ROLES]
    approvers = tuple(sorted({v.user_id for v in staff}))
    supported = {v.school_id for v in staff if v.role == "support_staff" and v.school_id}
    missing_schools = tuple(sorted(set(support_schools) - supported))
    users_missing = max(0, REQUIRED_DISTINCT_USERS - len(approvers))
    return ApprovalState(
        complete=users_missing == 0 and not missing_schools,
        approvers=approvers,
        users_missing=users_missing,
        schools_missing_support=missing_schools,
    )


def may_approve(role: str, scope: str, region_id: str, round_region: str, round_schools: Iterable[str]) -> bool:
    """Whether a principal may approve a round: a coordinator of its region, or staff of one of its schools."""
    if role == "regional_coordinator":
        return scope == round_region
    if role in ("school_staff", "support_staff"):
        return scope in set(round_schools) and region_id in ("", round_region)
    return False
