"""What one round is computed from: the pool of a region, a period and optionally a sector.

The pool holds the shared event payloads (`Wish`, `Place`) as the matcher's projections store them, plus,
per student, the accepted placement a re-match keeps (`KeptPlacement`) and the places and organisations
never offered again (`StudentExclusions`). Imports the standard library and the shared events only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from stagepool_shared.events.places import Place
from stagepool_shared.events.wishes import Wish


@dataclass(frozen=True)
class KeptPlacement:
    """An accepted placement a re-match keeps: the student stays, the slot stays taken."""

    student_ref: str
    school_id: str
    place_id: str
    organisation_id: str
    round_id: str


@dataclass(frozen=True)
class StudentExclusions:
    """Places and organisations never again offered to one student (refusal, failure, desk report)."""

    place_ids: tuple[str, ...] = ()
    organisation_ids: tuple[str, ...] = ()

    def merged(self, place_ids: Iterable[str], organisation_ids: Iterable[str]) -> "StudentExclusions":
        return StudentExclusions(tuple(sorted({*self.place_ids, *place_ids})),
                                 tuple(sorted({*self.organisation_ids, *organisation_ids})))


@dataclass(frozen=True)
class Pool:
    """Everything one round is computed from: a region, a period and optionally a sector."""

    region_id: str
    period_id: str
    sector: str | None
    wishes: tuple[Wish, ...]
    places: tuple[Place, ...]
    fixed: dict[str, KeptPlacement] = field(default_factory=dict)
    exclusions: dict[str, StudentExclusions] = field(default_factory=dict)

    def narrowed(self) -> "Pool":
        """The pool restricted to its sector, records sorted by id (input order never matters)."""
        wishes = sorted((w for w in self.wishes if self.sector in (None, w.sector)), key=lambda w: w.student_ref)
        places = sorted((p for p in self.places if self.sector in (None, p.sector)), key=lambda p: p.place_id)
        refs = {w.student_ref for w in wishes}
        return Pool(self.region_id, self.period_id, self.sector, tuple(wishes), tuple(places),
                    {k: v for k, v in sorted(self.fixed.items()) if k in refs},
                    {k: v for k, v in sorted(self.exclusions.items()) if k in refs})
