"""What one round is computed from: the pool of a region, a period and optionally a sector.

The pool holds the shared event payloads (`Wish`, `Place`) as the matcher's projections store them, plus,
per student, the released or accepted placement a re-match keeps (`KeptPlacement`) and the places and
organisations never offered again (`StudentExclusions`).

A released placement is binding until the student answers or the answer deadline passes (issue 14): it is
kept while it is accepted, or while the round's request moment is before its `respond_by`; a refused,
failed or replaced one is dropped from the projection, an expired one is left out by `Pool.binding(at)`, and
one whose place was withdrawn while it bound is marked `withdrawn` (never kept; its student is unplaced with
PLACE_WITHDRAWN unless placed again). Imports the standard library, the shared events and `moments`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterable

from stagepool_shared.events.places import Place
from stagepool_shared.events.wishes import Wish

from .moments import parse_moment


@dataclass(frozen=True)
class KeptPlacement:
    """A binding placement a re-match keeps: the student stays, the slot stays taken.

    `respond_by` is None for an accepted placement (binding for good), else the answer deadline of the
    released placement (binding before it). `withdrawn`: the place was withdrawn while the placement bound.
    """

    student_ref: str
    school_id: str
    place_id: str
    organisation_id: str
    round_id: str
    respond_by: str | None = None
    withdrawn: bool = False

    @property
    def accepted(self) -> bool:
        return self.respond_by is None

    def binds_at(self, moment: str | None) -> bool:
        """Accepted, or released and `moment` (a round's request moment) is before the answer deadline.

        Without a moment (an offline pool) every placement that is not withdrawn binds.
        """
        if self.withdrawn:
            return False
        if self.respond_by is None or moment is None:
            return True
        return parse_moment(moment) < parse_moment(self.respond_by)


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
    #: Variant 2 (issue 15.3): the period's settings (school_id, crebo, variant, k), sorted; and, in a final
    #: round's frozen input only, the candidates round's offers and the students' choices (ref -> place ids).
    variants: tuple[tuple[str, str, int, int], ...] = ()
    offers: dict[str, tuple[str, ...]] = field(default_factory=dict)
    choices: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def narrowed(self) -> "Pool":
        """The pool restricted to its sector, records sorted by id (input order never matters)."""
        wishes = sorted((w for w in self.wishes if self.sector in (None, w.sector)), key=lambda w: w.student_ref)
        places = sorted((p for p in self.places if self.sector in (None, p.sector)), key=lambda p: p.place_id)
        refs = {w.student_ref for w in wishes}
        return Pool(self.region_id, self.period_id, self.sector, tuple(wishes), tuple(places),
                    {k: v for k, v in sorted(self.fixed.items()) if k in refs},
                    {k: v for k, v in sorted(self.exclusions.items()) if k in refs}, self.variants,
                    {k: v for k, v in sorted(self.offers.items()) if k in refs},
                    {k: v for k, v in sorted(self.choices.items()) if k in refs})

    def binding(self, at: str | None) -> "Pool":
        """The pool with only the placements that bind at `at` (the round's request moment) kept fixed."""
        return replace(self, fixed={k: v for k, v in self.fixed.items() if v.binds_at(at)})

    def withdrawn_refs(self) -> frozenset[str]:
        """Students whose binding placement lost its place (withdrawn after release)."""
        return frozenset(k for k, v in self.fixed.items() if v.withdrawn)

    def keepable(self) -> list[tuple[str, str]]:
        """Fixed placements that can still be kept, as (student, place): the place is still offered, not
        excluded since, and within its slots (by student order when a place shrank). The others' students
        are matched afresh. The solver keeps exactly these, and the round refuses a result that moves one."""
        places = {p.place_id: p for p in self.places}
        used: dict[str, int] = {}
        kept = []
        for ref, f in sorted(self.fixed.items()):
            place, ex = places.get(f.place_id), self.exclusions.get(ref)
            if f.withdrawn or place is None or (ex and (f.place_id in ex.place_ids
                                                        or place.organisation_id in ex.organisation_ids)):
                continue
            if used.get(f.place_id, 0) >= max(0, min(place.slots, place.supervision_capacity)):
                continue
            used[f.place_id] = used.get(f.place_id, 0) + 1
            kept.append((ref, f.place_id))
        return kept


def variant_lines(settings: dict[tuple[str, str], tuple[int, int]]) -> tuple[tuple[str, str, int, int], ...]:
    """A store's variant settings ((school, crebo) -> (variant, k)) as the pool's sorted lines."""
    return tuple(sorted((school, crebo, variant, k) for (school, crebo), (variant, k) in settings.items()))


def released_to_bind(released: list[KeptPlacement], existing: dict[str, KeptPlacement],
                     released_at: str) -> list[KeptPlacement]:
    """The released placements to record as binding: all, except where the student's placement at this very
    place still binds at the release moment: an accepted one stays accepted (also when `placement.accepted`
    is read before its round's release), and one kept unanswered by a re-match keeps its own answer deadline
    (a re-match never extends it)."""
    return [r for r in released
            if not ((old := existing.get(r.student_ref)) and old.place_id == r.place_id and old.binds_at(released_at))]


def withdrawn_marks(fixed: dict[str, KeptPlacement], place_id: str, at: str) -> list[KeptPlacement]:
    """The placements at a withdrawn place that bound at `at` (the withdrawal), marked withdrawn."""
    return [replace(f, withdrawn=True) for _, f in sorted(fixed.items())
            if f.place_id == place_id and f.binds_at(at)]
