"""Matching-variant events (issue 15.3): which of the step plan's three ways of making a match a school uses
for one programme (crebo) in one period.

1. the school makes one match (the default, also when nothing was set);
2. the matcher offers each student `candidates` (k, 2 to 5) places that can each be granted, the student
   chooses one (or ranks them) before the period's choice deadline, and the final round treats the choices
   as the student's top wishes (the matcher keeps its own pick for a student who does not choose);
3. students make their own top 3 from the catalogue, and the school makes the final match through its
   review and objections.

Codes and ids only. A later `variant.set` for the same school, crebo and period replaces the earlier one, so
a consumer keeps the latest. It travels on the wishes topic, keyed by region, so it stays ordered with the
wishes it applies to. `candidates.offered` is the matcher's offer to one variant-2 student (the pseudonym and
place ids, best first, the matcher's own pick first) on the rounds topic; intake keeps the latest per student
and period for the student's choice. Imports events.base, events.rules and events.contract.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import topics
from .base import payload_schema, spec
from .contract import CREBO
from .rules import code, ident, listing, whole

__all__ = ["CandidatesOffered", "CandidatesOfferedSchema", "DEFAULT_CANDIDATES", "DEFAULT_VARIANT", "SPECS",
           "VARIANTS", "VariantSet", "VariantSetSchema"]

#: The step plan's three variants: 1 the school matches, 2 candidates to choose from, 3 the student's top 3.
VARIANTS = (1, 2, 3)
DEFAULT_VARIANT = 1
DEFAULT_CANDIDATES = 3


@dataclass(frozen=True)
class VariantSet:
    """A school sets the matching variant for one programme in one period (k candidates for variant 2)."""

    region_id: str = ident()
    school_id: str = ident()
    crebo: str = code(CREBO)
    period_id: str = ident()
    variant: int = whole(1, 3, doc="1 the school matches, 2 the student chooses one of k, 3 the student's top 3")
    candidates: int = whole(2, 5, default=DEFAULT_CANDIDATES, doc="k: candidate places offered (variant 2)")


VariantSetSchema = payload_schema(VariantSet)


@dataclass(frozen=True)
class CandidatesOffered:
    """The matcher offers a variant-2 student k candidate places of a round, each of which can be granted."""

    round_id: str = ident()
    region_id: str = ident()
    period_id: str = ident()
    school_id: str = ident()
    student_ref: str = ident()
    place_ids: list[str] = listing(ident(), size=(1, 5), doc="the candidates, the matcher's pick first")


CandidatesOfferedSchema = payload_schema(CandidatesOffered)

SPECS = (spec("variant.set", topics.WISHES, VariantSetSchema),
         spec("candidates.offered", topics.ROUNDS, CandidatesOfferedSchema))
