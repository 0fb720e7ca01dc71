"""Figures per matching variant (issue 15.5): of the students of each variant, the share placed at their first
choice, at any candidate offered to them (variant 2), at one of their top 3, or at none of these, per variant
and per school and pool (sector).

A student counts once in every group they belong to: a first choice is also a top-3 place, and a variant-2
student's chosen candidate is also a candidate. "None" is a student placed at nothing they named or were
offered, or not placed at all. The matcher's round page and reporting's period report call the same
function, so they agree. Pure Python: imports the standard library only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable

TOP3 = ("top1", "top2", "top3")
KINDS = ("first_choice", "any_candidate", "top3", "none")


@dataclass(frozen=True)
class VariantStudent:
    """One student's outcome as the figures need it: codes and a yes/no only, never a name."""

    variant: int
    school_id: str
    pool: str  # the sector of the student's pool
    placed: bool
    wish_match: str = "none"  # the outcome's rank of the place among the student's named places
    #: Placed at one of the candidate places offered to the student (variant 2); None where the offers are not
    #: known to the caller (then the group's `any_candidate` is None too).
    candidate: bool | None = None


@dataclass(frozen=True)
class VariantFigures:
    """One group's counts: every student of a variant, or those of one school and pool (`school_id`, `pool`)."""

    variant: int
    school_id: str | None
    pool: str | None
    students: int
    first_choice: int
    any_candidate: int | None  # None: no student of the group has known offers
    top3: int
    none: int

    def share(self, kind: str) -> float | None:
        """The share of the group's students of one kind (None for an empty group or an unknown count)."""
        count = getattr(self, kind)
        return count / self.students if self.students and count is not None else None


def kinds_of(student: VariantStudent) -> set[str]:
    """Which figures a student counts in."""
    found = set()
    if student.placed and student.wish_match == "top1":
        found.add("first_choice")
    if student.placed and student.wish_match in TOP3:
        found.add("top3")
    if student.placed and student.candidate:
        found.add("any_candidate")
    return found or {"none"}


def variant_figures(students: Iterable[VariantStudent]) -> list[VariantFigures]:
    """Per variant (school and pool None), then per variant, school and pool; sorted."""
    counts: dict[tuple[int, str | None, str | None], dict[str, int]] = defaultdict(lambda: dict.fromkeys(
        ("students", "offers_known", *KINDS), 0))
    for student in students:
        found = kinds_of(student)
        for key in ((student.variant, None, None), (student.variant, student.school_id, student.pool)):
            group = counts[key]
            group["students"] += 1
            group["offers_known"] += student.candidate is not None
            for kind in found:
                group[kind] += 1
    ordered = sorted(counts, key=lambda k: (k[0], k[1] is not None, k[1] or "", k[2] or ""))
    return [_figures(key, counts[key]) for key in ordered]


def _figures(key: tuple[int, str | None, str | None], group: dict[str, int]) -> VariantFigures:
    counts = dict(group)
    known, candidate = counts.pop("offers_known"), counts.pop("any_candidate")
    return VariantFigures(*key, any_candidate=candidate if known else None, **counts)
