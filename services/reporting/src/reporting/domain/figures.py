"""The figures of one region and period, computed from reporting's projections (a PeriodSnapshot).

Metrics, the period report and its CSV are all built from `period_figures`, so they always agree. Raw
counts live here; the small-cell rule is applied where figures leave the service. Imports the standard
library and sibling domain modules only.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from statistics import median

from stagepool_shared.variant_figures import VariantFigures, VariantStudent, variant_figures

from .desk import parse_iso
from .evaluations import EvaluationFigures
from .followup import ContactStatus
from .suppression import suppress

PLACED = ("placed", "kept", "accepted")
UNKNOWN = "unknown"


@dataclass(frozen=True)
class WishFact:
    """A student's wish as far as reporting needs it (pseudonym and objective codes only)."""

    student_ref: str
    school_id: str
    sector: str
    level: int
    status: str = "seeking"
    submitted_at: str | None = None
    crebo: str = ""  # the programme, for the supply-and-demand board (issue 16.3); empty before it was kept


@dataclass(frozen=True)
class PlaceFact:
    """An organisation's places for the period."""

    place_id: str
    organisation_id: str
    sector: str
    levels: tuple[int, ...]
    slots: int
    withdrawn: bool = False
    organisation_name: str = ""  # shown to a student filing a report (issue 14.15); empty before it was kept
    crebos: tuple[str, ...] = ()  # the programmes, for the board (issue 16.3); empty before they were kept


@dataclass(frozen=True)
class PlacementFact:
    """A student's latest placement state after released rounds and placement events."""

    student_ref: str
    school_id: str
    status: str
    wish_match: str = "none"
    reason_code: str | None = None
    round_id: str | None = None
    released_at: str | None = None
    organisation_id: str | None = None
    place_id: str | None = None
    named_places: bool = False  # the student named places (a top-3 list) in the wish


@dataclass(frozen=True)
class RoundFact:
    """A round of the period with its fairness figures (Summary) and manifest, as plain dicts."""

    round_id: str
    kind: str
    released_at: str | None
    summary: dict
    manifest: dict


@dataclass(frozen=True)
class PeriodSnapshot:
    """Everything reporting knows about one region and period."""

    region_id: str
    period_id: str
    wishes: list[WishFact] = field(default_factory=list)
    places: list[PlaceFact] = field(default_factory=list)
    placements: list[PlacementFact] = field(default_factory=list)
    rounds: list[RoundFact] = field(default_factory=list)
    contacts: list[ContactStatus] = field(default_factory=list)
    desk_by_status: dict[str, int] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    #: The matching variant per "school|crebo" of the period (issue 15.3); a programme not in it uses variant 1.
    variants: dict[str, int] = field(default_factory=dict)
    #: The candidates the matcher offered each variant-2 student of the period (issue 15.3), by student_ref.
    offers: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Cell:
    """One group's students and placed students (a school, or a sector and level)."""

    students: int
    placed: int

    @property
    def rate(self) -> float | None:
        """placed / students, None when the group is a small cell."""
        return None if suppress(self.students) is None else self.placed / self.students


@dataclass(frozen=True)
class PeriodFigures:
    """The figures of a period, raw (unsuppressed) counts."""

    region_id: str
    period_id: str
    seeking: int
    placed: int
    slots_offered: int
    by_school: dict[str, Cell]
    by_sector_level: dict[tuple[str, int], Cell]
    slots_by_sector_level: dict[tuple[str, int], int]
    slots_by_sector: dict[str, int]
    unplaced_by_reason: dict[str, int]
    top1_placed: int
    top3_placed: int
    named_places: int  # students with an outcome who named places: the denominator of the top-1/top-3 shares
    wish_to_placement_s: list[float]
    rounds: list[RoundFact]
    desk_by_status: dict[str, int]
    contacts_total: int
    contacts_compliant: int
    counters: dict[str, int]
    #: Per matching variant, then per variant, school and pool (issue 15.5): first choice, any candidate, top 3.
    by_variant: list[VariantFigures] = field(default_factory=list)
    #: The end evaluations of the period's placements that started (issue 20.5).
    evaluations: EvaluationFigures = field(default_factory=EvaluationFigures)

    @property
    def fill_rate(self) -> float | None:
        """Placed students per offered slot (None without slots)."""
        return self.placed / self.slots_offered if self.slots_offered else None

    def school_rates(self) -> dict[str, float]:
        """Placement rate of every school that is not a small cell."""
        return {school: cell.rate for school, cell in self.by_school.items() if cell.rate is not None}

    @property
    def worst_school_rate(self) -> float | None:
        rates = self.school_rates()
        return min(rates.values()) if rates else None

    @property
    def best_school_rate(self) -> float | None:
        rates = self.school_rates()
        return max(rates.values()) if rates else None

    @property
    def median_wish_to_placement_s(self) -> float | None:
        return median(self.wish_to_placement_s) if self.wish_to_placement_s else None


def period_figures(snapshot: PeriodSnapshot) -> PeriodFigures:
    """Compute every figure of a period from its snapshot."""
    wishes = {w.student_ref: w for w in snapshot.wishes}
    placements = {p.student_ref: p for p in snapshot.placements}
    students = _students(wishes, placements)
    placed = [ref for ref in students if _is_placed(placements.get(ref))]
    open_places = [p for p in snapshot.places if not p.withdrawn]
    return PeriodFigures(
        region_id=snapshot.region_id, period_id=snapshot.period_id,
        seeking=len(students), placed=len(placed),
        slots_offered=sum(p.slots for p in open_places),
        by_school=_cells(students, wishes, placements, lambda ref: _school_of(ref, wishes, placements)),
        by_sector_level=_cells(students, wishes, placements, lambda ref: _sector_level(wishes.get(ref))),
        slots_by_sector_level=_slots_by_sector_level(open_places),
        slots_by_sector=_slots_by_sector(open_places),
        unplaced_by_reason=_unplaced_by_reason(students, placements),
        top1_placed=sum(1 for ref in placed if placements[ref].wish_match == "top1"),
        top3_placed=sum(1 for ref in placed if placements[ref].wish_match in ("top1", "top2", "top3")),
        named_places=sum(1 for ref in students if ref in placements and placements[ref].named_places),
        wish_to_placement_s=_wish_to_placement(placed, wishes, placements),
        rounds=sorted(snapshot.rounds, key=lambda r: r.released_at or ""),
        desk_by_status=dict(snapshot.desk_by_status),
        contacts_total=len(snapshot.contacts),
        contacts_compliant=sum(1 for c in snapshot.contacts if c.compliant),
        counters=dict(snapshot.counters),
        by_variant=_by_variant(students, wishes, placements, snapshot.variants, snapshot.offers),
    )


def _by_variant(students: list[str], wishes: dict[str, WishFact], placements: dict[str, PlacementFact],
                variants: dict[str, int], offers: dict[str, list[str]]) -> list[VariantFigures]:
    """The figures per variant of the students with an outcome; "any candidate" counts only students with an
    offer (`candidates.offered`), and stays unknown for a group without one."""
    rows = []
    for ref in students:
        placement, wish = placements.get(ref), wishes.get(ref)
        if placement is None:
            continue
        school = _school_of(ref, wishes, placements)
        variant = variants.get(f"{school}|{wish.crebo}", 1) if wish else 1
        offered = offers.get(ref)
        candidate = None if offered is None else (_is_placed(placement) and placement.place_id in offered)
        rows.append(VariantStudent(variant, school, wish.sector if wish else UNKNOWN, _is_placed(placement),
                                   placement.wish_match, candidate))
    return variant_figures(rows)


def _students(wishes: dict[str, WishFact], placements: dict[str, PlacementFact]) -> list[str]:
    """Students in the period's pool: an active wish or an outcome, minus withdrawn and opted-out wishes."""
    gone = {ref for ref, wish in wishes.items() if wish.status != "seeking"}
    return sorted((set(wishes) | set(placements)) - gone)


def _is_placed(placement: PlacementFact | None) -> bool:
    return placement is not None and placement.status in PLACED


def _school_of(ref: str, wishes: dict[str, WishFact], placements: dict[str, PlacementFact]) -> str:
    wish = wishes.get(ref)
    return wish.school_id if wish else placements[ref].school_id


def _sector_level(wish: WishFact | None) -> tuple[str, int]:
    return (wish.sector, wish.level) if wish else (UNKNOWN, 0)


def _cells(students: list[str], wishes: dict[str, WishFact], placements: dict[str, PlacementFact],
           group_of) -> dict:
    totals: Counter = Counter()
    placed: Counter = Counter()
    for ref in students:
        group = group_of(ref)
        totals[group] += 1
        placed[group] += _is_placed(placements.get(ref))
    return {group: Cell(totals[group], placed[group]) for group in sorted(totals)}


def _slots_by_sector_level(places: list[PlaceFact]) -> dict[tuple[str, int], int]:
    """Slots open to each sector and level (a place open to two levels counts for both)."""
    slots: dict[tuple[str, int], int] = defaultdict(int)
    for place in places:
        for level in place.levels:
            slots[(place.sector, level)] += place.slots
    return dict(sorted(slots.items()))


def _slots_by_sector(places: list[PlaceFact]) -> dict[str, int]:
    slots: dict[str, int] = defaultdict(int)
    for place in places:
        slots[place.sector] += place.slots
    return dict(sorted(slots.items()))


def _unplaced_by_reason(students: list[str], placements: dict[str, PlacementFact]) -> dict[str, int]:
    """Why students have no place: the round's reason code, refused, failed, or not yet in a round."""
    reasons: Counter = Counter()
    for ref in students:
        placement = placements.get(ref)
        if placement is None:
            reasons["not_yet_matched"] += 1
        elif placement.status == "unplaced":
            reasons[placement.reason_code or UNKNOWN] += 1
        elif placement.status in ("refused", "failed"):
            reasons[placement.status] += 1
    return dict(sorted(reasons.items()))


def _wish_to_placement(placed: list[str], wishes: dict[str, WishFact],
                       placements: dict[str, PlacementFact]) -> list[float]:
    """Seconds from a placed student's wish to the release of the round that placed them."""
    out = []
    for ref in placed:
        wish, placement = wishes.get(ref), placements[ref]
        if wish and wish.submitted_at and placement.released_at:
            seconds = (parse_iso(placement.released_at) - parse_iso(wish.submitted_at)).total_seconds()
            out.append(max(seconds, 0.0))
    return out
