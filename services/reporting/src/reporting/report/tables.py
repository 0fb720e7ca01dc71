"""The period report's content as rows of text: every count goes through the small-cell rule here.

HTML and CSV are both built from `report_tables`, so they always show the same numbers. Imports the domain and
the shared i18n (moments in Dutch time) only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from stagepool_shared.i18n import local_time

from ..domain.evaluations import EVALUATORS, ORGANISATION_PHASES, PHASES, GroupFigures, phase_field
from ..domain.figures import PeriodFigures
from ..domain.suppression import shown_count, shown_rate, suppress


@dataclass(frozen=True)
class Row:
    """One row: its label cells, shown values (text), and the bar value for charts (None when suppressed)."""

    labels: tuple[str, ...]
    values: tuple[str, ...]
    bar: float | None = None


@dataclass(frozen=True)
class Table:
    """A section of the report."""

    key: str
    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    chart: bool = True


def _rate_value(numerator: int, denominator: int) -> float | None:
    return None if suppress(denominator) is None else numerator / denominator


def demand_capacity(f: PeriodFigures) -> Table:
    """Students seeking and slots open, per sector and level."""
    keys = sorted(set(f.by_sector_level) | set(f.slots_by_sector_level))
    rows = []
    for sector, level in keys:
        cell = f.by_sector_level.get((sector, level))
        students = cell.students if cell else 0
        slots = f.slots_by_sector_level.get((sector, level), 0)
        rows.append(Row((sector, str(level)), (shown_count(students), shown_count(slots)),
                        float(suppress(students)) if suppress(students) is not None else None))
    return Table("demand_capacity", ("sector", "level", "students_seeking", "slots_open"), tuple(rows))


def placement_per_school(f: PeriodFigures, names: Mapping[str, str] | None = None) -> Table:
    """Each school's students, placed and rate; the school by name where intake gave one (issue 14.16)."""
    rows = tuple(Row(((names or {}).get(school) or school,), (shown_count(cell.students), shown_count(cell.placed),
                                 shown_rate(cell.placed, cell.students)),
                     _rate_value(cell.placed, cell.students))
                 for school, cell in f.by_school.items())
    return Table("placement_per_school", ("school", "students", "placed", "rate"), rows)


def unplaced_by_reason(f: PeriodFigures) -> Table:
    rows = tuple(Row((reason,), (shown_count(n),), float(n) if suppress(n) is not None else None)
                 for reason, n in f.unplaced_by_reason.items())
    return Table("unplaced_by_reason", ("reason", "students"), rows)


def rounds_fairness(f: PeriodFigures) -> Table:
    """Each released round's fairness figures from its Summary, and its manifest hashes."""
    rows = []
    for item in f.rounds:
        s, m = item.summary, item.manifest
        shown = suppress(s.get("students", 0)) is not None
        pct = (lambda key: f"{s.get(key, 0) * 100:.1f}%" if shown else "<5")
        rows.append(Row((item.round_id, item.kind, local_time(item.released_at)),
                        (shown_count(s.get("students", 0)), shown_count(s.get("placed", 0)),
                         pct("worst_school_rate"), pct("best_school_rate"), pct("top1_share"), pct("top3_share"),
                         str(m.get("seed", "")), str(m.get("output_hash", ""))[:12]),
                        s.get("worst_school_rate") if shown else None))
    return Table("rounds", ("round", "kind", "released_at", "students", "placed", "worst_school_rate",
                            "best_school_rate", "top1_share", "top3_share", "seed", "output_hash"), tuple(rows))


def desk_by_status(f: PeriodFigures) -> Table:
    rows = tuple(Row((status,), (shown_count(n),), float(n) if suppress(n) is not None else None)
                 for status, n in f.desk_by_status.items())
    return Table("desk_by_status", ("status", "reports"), rows)


def follow_up(f: PeriodFigures) -> Table:
    """Contact-moment compliance and the period's refusals, failures and re-placements."""
    c = f.counters
    rows = (
        Row(("contact_compliance",), (shown_rate(f.contacts_compliant, f.contacts_total),),
            _rate_value(f.contacts_compliant, f.contacts_total)),
        Row(("placements_followed",), (shown_count(f.contacts_total),)),
        Row(("refusals",), (shown_count(c.get("refusals", 0)),)),
        Row(("failed",), (shown_count(c.get("failed", 0)),)),
        Row(("rejected_after_introduction",), (shown_count(c.get("rejected_after_introduction", 0)),)),
        Row(("replacements",), (shown_count(c.get("replacements", 0)),)),
    )
    return Table("follow_up", ("figure", "value"), rows, chart=False)


def headline(f: PeriodFigures) -> Table:
    """The period at a glance."""
    rows = (
        Row(("students_seeking",), (shown_count(f.seeking),)),
        Row(("students_placed",), (shown_count(f.placed),)),
        Row(("slots_offered",), (shown_count(f.slots_offered),)),
        Row(("fill_rate",), (shown_rate(f.placed, f.slots_offered),)),
        Row(("worst_school_rate",), (_pct(f.worst_school_rate),)),
        Row(("best_school_rate",), (_pct(f.best_school_rate),)),
        Row(("top1_share",), (shown_rate(f.top1_placed, f.named_places),)),
        Row(("top3_share",), (shown_rate(f.top3_placed, f.named_places),)),
        Row(("median_wish_to_placement_days",), (_days(f),)),
    )
    return Table("headline", ("figure", "value"), rows, chart=False)


def by_variant(f: PeriodFigures, names: Mapping[str, str] | None = None) -> Table:
    """Per matching variant, then per variant, school and pool (issue 15.5): the share placed at their first
    choice, at any candidate offered (variant 2; "–" where the offers are not known), at one of their top 3,
    or at none of these. Shares of groups under five are not shown."""
    rows = []
    for v in f.by_variant:
        school = "all" if v.school_id is None else (names or {}).get(v.school_id) or v.school_id
        shares = tuple("–" if getattr(v, kind) is None else shown_rate(getattr(v, kind), v.students)
                       for kind in ("first_choice", "any_candidate", "top3", "none"))
        rows.append(Row((str(v.variant), school, v.pool or ""), (shown_count(v.students), *shares),
                        _rate_value(v.first_choice, v.students)))
    return Table("by_variant", ("variant", "school", "pool", "students", "first_choice", "any_candidate", "top3",
                                "none"), tuple(rows), chart=False)


def evaluation_response(f: PeriodFigures) -> Table:
    """Per evaluator (issue 20.5): the placements that started, how many that party evaluated, the share, and,
    for the region as a whole only, the share that would do it again and the mean score (R135: no score per
    organisation or school anywhere)."""
    e = f.evaluations
    rows = []
    for by in EVALUATORS:
        answered = e.responses.get(by, 0)
        scores = e.satisfaction.get(by, [])
        mean = f"{sum(scores) / len(scores):.1f}" if suppress(len(scores)) is not None else "<5"
        rows.append(Row((by,), (shown_count(e.started), shown_count(answered), shown_rate(answered, e.started),
                                shown_rate(e.would_again.get(by, 0), answered), mean)))
    return Table("evaluation_response", ("evaluator", "placements_started", "evaluated", "response_share",
                                         "would_again_share", "satisfaction_mean"), tuple(rows), chart=False)


def evaluation_discrimination(f: PeriodFigures) -> Table:
    """Per phase: the students who answered whether they experienced discrimination, and who said yes (R136)."""
    e = f.evaluations
    rows = tuple(Row((phase,), (shown_count(e.answered.get(phase, 0)), shown_count(e.discrimination.get(phase, 0)),
                                shown_rate(e.discrimination.get(phase, 0), e.answered.get(phase, 0))))
                 for phase in PHASES)
    return Table("evaluation_discrimination", ("phase", "answered", "experienced", "experienced_share"), rows,
                 chart=False)


def _group_rows(groups: list[GroupFigures], phases: tuple[str, ...],
                names: Mapping[str, str] | None = None) -> tuple[Row, ...]:
    """A group's placements started, responses per evaluator and discrimination per phase, as counts only."""
    return tuple(Row(((names or {}).get(g.key) or g.key,),
                     (shown_count(g.started), *(shown_count(g.responses.get(by, 0)) for by in EVALUATORS),
                      *(shown_count(g.discrimination.get(phase, 0)) for phase in phases)))
                 for g in groups)


def _group_columns(first: str, phases: tuple[str, ...]) -> tuple[str, ...]:
    return (first, "placements_started", *(f"responses_{by}" for by in EVALUATORS),
            *(phase_field(phase) for phase in phases))


def evaluation_by_organisation(f: PeriodFigures) -> Table:
    """Per organisation (by id, never ranked): responses and the students who experienced discrimination at the
    kennismaking or during the placement there."""
    return Table("evaluation_by_organisation", _group_columns("organisation", ORGANISATION_PHASES),
                 _group_rows(f.evaluations.by_organisation, ORGANISATION_PHASES), chart=False)


def evaluation_by_school(f: PeriodFigures, names: Mapping[str, str] | None = None) -> Table:
    """Per school: responses and the students who experienced discrimination, in each of the three phases."""
    return Table("evaluation_by_school", _group_columns("school", PHASES),
                 _group_rows(f.evaluations.by_school, PHASES, names), chart=False)


def _pct(rate: float | None) -> str:
    return "<5" if rate is None else f"{rate * 100:.1f}%"


def _days(f: PeriodFigures) -> str:
    if suppress(len(f.wish_to_placement_s)) is None:
        return "<5"
    return f"{f.median_wish_to_placement_s / 86400:.1f}"


def report_tables(f: PeriodFigures, names: Mapping[str, str] | None = None) -> list[Table]:
    """Every section of the period report, in order; `names` gives schools' display names (the CSV keeps ids)."""
    return [headline(f), demand_capacity(f), placement_per_school(f, names), unplaced_by_reason(f), rounds_fairness(f),
            desk_by_status(f), follow_up(f), by_variant(f, names), evaluation_response(f), evaluation_discrimination(f),
            evaluation_by_organisation(f), evaluation_by_school(f, names)]
