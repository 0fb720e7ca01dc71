"""The coordinators' figures as Prometheus metrics, computed at scrape time from reporting's projections.

A custom Collector reads the projections on every scrape, so the metrics always agree with the state and the
period report. Labels are region, period, school, sector, level, and the code-valued reason/status (and an
end evaluation's evaluator and phase) only; never a student or organisation id, nor an evaluation's score. Every count passes the small-cell rule (`suppress`): a series whose
count (or, for a rate, whose denominator) is under five is not exported at all. Two 0/1 flags (an overdue
desk case exists, an organisation is escalated) say "at least one" without counting, so alerts can fire.
Imports prometheus_client, redis, the domain and the standard library.
"""

from __future__ import annotations

import logging
from typing import Callable, Iterable, Iterator

import redis
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric, SummaryMetricFamily
from prometheus_client.registry import Collector

from stagepool_shared.variant_figures import KINDS as VARIANT_KINDS

from .domain.board import Board
from .domain.evaluations import EVALUATORS, PHASES
from .domain.figures import PeriodFigures
from .domain.suppression import suppress, suppressed_rate

logger = logging.getLogger(__name__)

PERIOD = ["region", "period"]


def _gauge(name: str, doc: str, labels: list[str]) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, doc, labels=labels)


def _add_count(family: Metric, labels: list[str], count: int) -> None:
    value = suppress(count)
    if value is not None:
        family.add_metric(labels, value)


def _add_value(family: Metric, labels: list[str], value: float | None) -> None:
    if value is not None:
        family.add_metric(labels, value)


class FigureFamilies:
    """The metric families of period figures, filled one period at a time."""

    def __init__(self) -> None:
        g = _gauge
        self.seeking = g("stagepool_students_seeking", "Students seeking a place in the period", PERIOD)
        self.placed = g("stagepool_students_placed", "Students with a place", PERIOD)
        self.unplaced = g("stagepool_students_unplaced", "Students without a place, by reason", PERIOD + ["reason"])
        self.slots = g("stagepool_slots_offered", "Slots offered (not withdrawn), by sector", PERIOD + ["sector"])
        self.sector_seeking = g("stagepool_sector_students_seeking", "Students seeking, by sector and level",
                                PERIOD + ["sector", "level"])
        self.sector_placed = g("stagepool_sector_students_placed", "Students placed, by sector and level",
                               PERIOD + ["sector", "level"])
        self.school_students = g("stagepool_school_students", "Students of a school in the pool", PERIOD + ["school"])
        self.school_rate = g("stagepool_school_placement_rate", "Share of a school's students placed",
                             PERIOD + ["school"])
        self.fill = g("stagepool_fill_rate", "Placed students per offered slot", PERIOD)
        self.worst = g("stagepool_school_placement_rate_worst", "Lowest school placement rate", PERIOD)
        self.best = g("stagepool_school_placement_rate_best", "Highest school placement rate", PERIOD)
        self.top1 = g("stagepool_placed_top1_share",
                      "Share of the students who named places placed at their first one", PERIOD)
        self.top3 = g("stagepool_placed_top3_share",
                      "Share of the students who named places placed at one of their (up to three)", PERIOD)
        self.compliance = g("stagepool_contact_moment_compliance",
                            "Share of placements with at least three contacts, one on site", PERIOD)
        self.wait = SummaryMetricFamily("stagepool_wish_to_placement_seconds",
                                        "Time from a student's wish to the release that placed them", labels=PERIOD)
        self.refusals = CounterMetricFamily("stagepool_placement_refusals", "Placements refused by students", labels=PERIOD)
        self.failed = CounterMetricFamily("stagepool_placements_failed", "Placements flagged not suitable", labels=PERIOD)
        self.after_intro = CounterMetricFamily("stagepool_rejections_after_introduction",
                                               "Rejections after the introduction talk", labels=PERIOD)
        self.variant_share = g("stagepool_variant_placed_share",
                               "Share of a matching variant's students placed at their first choice, any candidate, "
                               "a top-3 place or none (issue 15.5)", PERIOD + ["variant", "kind"])
        self.variant_school_share = g("stagepool_variant_school_placed_share",
                                      "The same share per school and pool (sector)",
                                      PERIOD + ["variant", "school", "sector", "kind"])
        self.evaluations = g("stagepool_evaluation_responses",
                             "Placements that started evaluated by the student, organisation or school (issue 20.5)",
                             PERIOD + ["evaluator"])
        self.evaluation_share = g("stagepool_evaluation_response_share",
                                  "Share of the placements that started evaluated, per evaluator",
                                  PERIOD + ["evaluator"])
        self.discrimination = g("stagepool_evaluation_discrimination",
                                "Students who said in their end evaluation they experienced discrimination, per phase",
                                PERIOD + ["phase"])

    def add(self, f: PeriodFigures) -> None:
        """Add one period's figures (suppressed) to the families."""
        p = [f.region_id, f.period_id]
        _add_count(self.seeking, p, f.seeking)
        _add_count(self.placed, p, f.placed)
        for reason, n in f.unplaced_by_reason.items():
            _add_count(self.unplaced, p + [reason], n)
        for sector, n in f.slots_by_sector.items():
            _add_count(self.slots, p + [sector], n)
        for (sector, level), cell in f.by_sector_level.items():
            _add_count(self.sector_seeking, p + [sector, str(level)], cell.students)
            _add_count(self.sector_placed, p + [sector, str(level)], cell.placed)
        for school, cell in f.by_school.items():
            _add_count(self.school_students, p + [school], cell.students)
            _add_value(self.school_rate, p + [school], cell.rate)
        _add_value(self.fill, p, f.fill_rate if suppress(f.slots_offered) is not None else None)
        _add_value(self.worst, p, f.worst_school_rate)
        _add_value(self.best, p, f.best_school_rate)
        _add_value(self.top1, p, suppressed_rate(f.top1_placed, f.named_places))
        _add_value(self.top3, p, suppressed_rate(f.top3_placed, f.named_places))
        _add_value(self.compliance, p, suppressed_rate(f.contacts_compliant, f.contacts_total))
        if suppress(len(f.wish_to_placement_s)) is not None:
            self.wait.add_metric(p, len(f.wish_to_placement_s), sum(f.wish_to_placement_s))
        self._add_variants(p, f)
        self._add_evaluations(p, f)
        for family, name in ((self.refusals, "refusals"), (self.failed, "failed"),
                             (self.after_intro, "rejected_after_introduction")):
            _add_count(family, p, f.counters.get(name, 0))

    def _add_variants(self, p: list[str], f: PeriodFigures) -> None:
        """Per variant (and per school and pool): a share only where the group has five students or more."""
        for v in f.by_variant:
            family = self.variant_share if v.school_id is None else self.variant_school_share
            labels = p + [str(v.variant)] + ([] if v.school_id is None else [v.school_id, v.pool or ""])
            for kind in VARIANT_KINDS:
                count = getattr(v, kind)
                if count is not None:
                    _add_value(family, labels + [kind], suppressed_rate(count, v.students))

    def _add_evaluations(self, p: list[str], f: PeriodFigures) -> None:
        """Per evaluator and per phase only: no organisation or school label, no score (R135)."""
        e = f.evaluations
        for by in EVALUATORS:
            _add_count(self.evaluations, p + [by], e.responses.get(by, 0))
            _add_value(self.evaluation_share, p + [by], suppressed_rate(e.responses.get(by, 0), e.started))
        for phase in PHASES:
            _add_count(self.discrimination, p + [phase], e.discrimination.get(phase, 0))

    def all(self) -> list[Metric]:
        return [value for value in vars(self).values() if isinstance(value, Metric)]


def board_families(boards: Iterable[Board]) -> list[Metric]:
    """The supply-and-demand boards (issue 16.3) per region, period and sector: demand by kind, supply, gap
    and warnings; organisations by participation status; students who found their own place. Counts of
    students and places pass the small-cell rule; a gap only when both its counts do."""
    g = _gauge
    demand = g("stagepool_board_demand", "Expected students (forecast, wishes, demand)", PERIOD + ["sector", "kind"])
    supply = g("stagepool_board_supply", "Places expected or posted", PERIOD + ["sector"])
    gap = g("stagepool_board_gap", "Demand minus supply (a shortage is positive)", PERIOD + ["sector"])
    warnings = g("stagepool_board_warnings", "Board cells whose gap reaches the region's threshold", PERIOD)
    organisations = g("stagepool_board_organisations", "Organisations by participation in a school year",
                      ["region", "school_year", "status"])
    own_place = g("stagepool_board_students_own_place", "Students who opted out or found their own place", PERIOD)
    for board in boards:
        for row in board.sectors:
            labels = [board.region_id, row.key[0], row.key[1]]
            for kind, count in (("forecast", row.forecast), ("actual", row.actual), ("demand", row.demand)):
                _add_count(demand, labels + [kind], count)
            _add_count(supply, labels, row.supply)
            if suppress(row.demand) is not None and suppress(row.supply) is not None:
                gap.add_metric(labels, row.gap)
        for period in board.periods:
            warnings.add_metric([board.region_id, period],
                                sum(1 for r in board.warnings if r.key[0] == period))
            _add_count(own_place, [board.region_id, period],
                       sum(s.opted_out for s in board.schools if s.key[0] == period))
        for status, count in board.participation.items():
            organisations.add_metric([board.region_id, board.school_year, status], count)
    return [demand, supply, gap, warnings, organisations, own_place]


class ReportingCollector(Collector):
    """Yields the figure families, desk figures and signals of every known region and period."""

    def __init__(self, figures: Callable[[], Iterable[PeriodFigures]], desk_regions: Callable[[], list[str]],
                 desk_counts: Callable[[str], dict[str, int]], desk_overdue: Callable[[str], int],
                 escalations: Callable[[str], int], signal_regions: Callable[[], list[str]],
                 boards: Callable[[], Iterable[Board]] = list,
                 sbb_overdue: Callable[[str], dict[str, int]] = lambda region: {}):
        self.sbb_overdue = sbb_overdue  # overdue SBB answers and measures per kind (issue 20.6)
        self.figures = figures
        self.desk_regions = desk_regions
        self.desk_counts = desk_counts
        self.desk_overdue = desk_overdue
        self.escalations = escalations
        self.signal_regions = signal_regions
        self.boards = boards

    def collect(self) -> Iterator[Metric]:
        up = _gauge("stagepool_reporting_projections_up", "1 when the projections could be read", [])
        try:
            families = self._collect()
        except redis.RedisError as err:
            logger.warning("metrics: projections unreadable: %s", err)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        yield from families

    def _collect(self) -> list[Metric]:
        families = FigureFamilies()
        for figures in self.figures():
            families.add(figures)
        reports = _gauge("stagepool_desk_reports", "Desk reports by status", ["region", "status"])
        overdue = _gauge("stagepool_desk_reports_overdue_present", "1 when a desk case is past its deadline",
                         ["region"])
        for region in self.desk_regions():
            for status, n in self.desk_counts(region).items():
                _add_count(reports, [region, status], n)
            overdue.add_metric([region], 1 if self.desk_overdue(region) else 0)
        escalated = _gauge("stagepool_organisation_escalations_present",
                           "1 when an organisation passed the signal threshold", ["region"])
        for region in self.signal_regions():
            escalated.add_metric([region], 1 if self.escalations(region) else 0)
        return families.all() + [reports, overdue, escalated] + self._sbb_families() + board_families(self.boards())

    def _sbb_families(self) -> list[Metric]:
        """Overdue SBB answers and measures per region and kind (small cells not exported), and a 0/1 flag."""
        late = _gauge("stagepool_desk_sbb_overdue", "SBB answers and measures past their deadline",
                      ["region", "kind"])
        present = _gauge("stagepool_desk_sbb_overdue_present", "1 when an SBB answer or measure is overdue",
                         ["region"])
        for region in self.desk_regions():
            counts = self.sbb_overdue(region)
            for kind, n in counts.items():
                _add_count(late, [region, kind], n)
            present.add_metric([region], 1 if any(counts.values()) else 0)
        return [late, present]
