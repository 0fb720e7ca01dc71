"""The approval rule of a proposed round (four-eyes review per school, domain.md R77-R79, issue 14 point 5).

A proposal is approved when, for every school with students in it, (1) at least two distinct staff users of
*that* school (school_staff or support_staff whose scope is the school) approved it, and (2) when the school
has students with support needs, one of them is a support_staff user of that school. A regional coordinator
may approve too; the vote is recorded and shown but counts for no school (the coordinator consents by
scheduling the release). The same user approving twice counts once. A round without students has no school
to wait for. Pure: imports the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

STAFF_ROLES = ("school_staff", "support_staff", "regional_coordinator")
SCHOOL_ROLES = ("school_staff", "support_staff")
REQUIRED_DISTINCT_USERS = 2


@dataclass(frozen=True)
class ApprovalVote:
    """One approval: who, in which role, for which school (None for a regional coordinator)."""

    user_id: str
    role: str
    school_id: str | None = None


@dataclass(frozen=True)
class SchoolApproval:
    """Where one school stands: its own staff who approved and what it still has to do."""

    school_id: str
    staff: tuple[str, ...]
    staff_missing: int
    needs_support: bool
    support_missing: bool

    @property
    def complete(self) -> bool:
        """Two distinct staff of the school, and its support staff where it has students with support needs."""
        return self.staff_missing == 0 and not self.support_missing

    def as_dict(self) -> dict[str, object]:
        """The structured form the API answers with."""
        return {"school_id": self.school_id, "staff_approvals": len(self.staff),
                "staff_missing": self.staff_missing, "support_needed": self.needs_support,
                "support_missing": self.support_missing, "complete": self.complete}


@dataclass(frozen=True)
class ApprovalState:
    """Where a round stands: complete or not, every school's state, and the totals still missing."""

    complete: bool
    approvers: tuple[str, ...]
    users_missing: int
    schools_missing_support: tuple[str, ...] = field(default_factory=tuple)
    schools: tuple[SchoolApproval, ...] = field(default_factory=tuple)

    @property
    def schools_missing(self) -> tuple[SchoolApproval, ...]:
        """The schools that still have something to do."""
        return tuple(s for s in self.schools if not s.complete)


def _school_state(school_id: str, votes: list[ApprovalVote], needs_support: bool) -> SchoolApproval:
    own = [v for v in votes if v.role in SCHOOL_ROLES and v.school_id == school_id]
    staff = tuple(sorted({v.user_id for v in own}))
    supported = any(v.role == "support_staff" for v in own)
    return SchoolApproval(school_id, staff, max(0, REQUIRED_DISTINCT_USERS - len(staff)), needs_support,
                          needs_support and not supported)


def approval_state(votes: Iterable[ApprovalVote], support_schools: Iterable[str],
                   schools: Iterable[str]) -> ApprovalState:
    """Evaluate the rule over the votes so far, the schools with students in the round and those of them
    whose students have support needs (a support school missing from `schools` is added)."""
    staff = [v for v in votes if v.role in STAFF_ROLES]
    support = set(support_schools)
    states = tuple(_school_state(s, staff, s in support) for s in sorted(set(schools) | support))
    return ApprovalState(
        complete=all(s.complete for s in states),
        approvers=tuple(sorted({v.user_id for v in staff})),
        users_missing=sum(s.staff_missing for s in states),
        schools_missing_support=tuple(s.school_id for s in states if s.support_missing),
        schools=states,
    )


def may_approve(role: str, scope: str, region_id: str, round_region: str, round_schools: Iterable[str]) -> bool:
    """Whether a principal may approve a round: a coordinator of its region, or staff of one of its schools."""
    if role == "regional_coordinator":
        return scope == round_region
    if role in SCHOOL_ROLES:
        return scope in set(round_schools) and region_id in ("", round_region)
    return False
