"""Figures per matching variant (issue 15.5): reporting keeps each school's `variant.set` and shows, per
variant and per school and pool, the share placed at their first choice, a candidate, a top-3 place or none,
in the period report (HTML and CSV) and as low-cardinality metrics; small groups stay hidden."""

from __future__ import annotations

import pytest

from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.students import StudentErased
from stagepool_shared.events.variants import CandidatesOffered, VariantSet
from stagepool_shared.variant_figures import VariantStudent, variant_figures

from reporting.commands.report import figures_of_period
from reporting.domain.figures import PlacementFact, WishFact
from reporting.handlers import handle
from reporting.metrics import FigureFamilies
from reporting.report.render import render_csv, render_html
from tests.fakes.reporting import FakePlanningBoard, FakeViews, bootstrap_with_doubles

REGION, PERIOD = "r-noord", "2027-najaar"
MATCHES = ("top1", "top1", "top3", "activities", "top2", "top1")  # sch-b (variant 2): 3 first, 5 top 3, 1 none


@pytest.fixture
def world_with_places():
    """The world below, every placed sch-b student at plc-1; its deps and views."""
    deps = world()
    views = deps.views
    for key, fact in list(views.placements.items()):
        if fact.school_id == "sch-b":
            views.placements[key] = PlacementFact(fact.student_ref, "sch-b", "placed", fact.wish_match,
                                                  place_id="plc-1", named_places=True)
    return deps, views


def world():
    views = FakeViews()
    deps = bootstrap_with_doubles(views=views, planning=FakePlanningBoard()).deps
    setting = VariantSet(REGION, "sch-b", "25491", PERIOD, 2, 3)
    handle(new_envelope("variant.set", setting, producer="t", partition_key=REGION,
                        event_id="00000000-0000-4000-8000-000000000001"), deps)
    for n, match in enumerate(MATCHES):
        ref = f"b{n}"
        views.wishes[(REGION, PERIOD, ref)] = WishFact(ref, "sch-b", "zorg", 3, crebo="25491")
        views.placements[(REGION, PERIOD, ref)] = PlacementFact(ref, "sch-b", "placed", match, named_places=True)
    for n in range(5):  # sch-a set nothing: variant 1; two of five unplaced
        ref = f"a{n}"
        views.wishes[(REGION, PERIOD, ref)] = WishFact(ref, "sch-a", "zorg", 3, crebo="25491")
        status, match = ("placed", "top1") if n < 3 else ("unplaced", "none")
        views.placements[(REGION, PERIOD, ref)] = PlacementFact(ref, "sch-a", status, match)
    return deps


def test_each_student_counts_in_every_figure_they_reach_and_none_means_nothing_named_or_offered():
    students = [VariantStudent(2, "s", "zorg", True, "top1", True), VariantStudent(2, "s", "zorg", True, "none", True),
                VariantStudent(2, "s", "zorg", False, "none", False), VariantStudent(3, "s", "zorg", True, "top2")]
    total2, _, total3, _ = variant_figures(students)
    assert (total2.students, total2.first_choice, total2.any_candidate, total2.top3, total2.none) == (3, 1, 2, 1, 1)
    assert (total3.first_choice, total3.top3, total3.none, total3.any_candidate) == (0, 1, 0, None)


def test_the_period_figures_split_the_students_by_the_variant_their_school_set():
    figures = figures_of_period(world(), REGION, PERIOD)
    rows = {(v.variant, v.school_id, v.pool): v for v in figures.by_variant}
    two = rows[(2, None, None)]
    assert (two.students, two.first_choice, two.top3, two.none) == (6, 3, 5, 1)
    assert rows[(2, "sch-b", "zorg")].students == 6
    one = rows[(1, None, None)]
    assert (one.students, one.first_choice, one.none) == (5, 3, 2)


def test_the_period_report_shows_the_figures_per_variant_in_html_and_csv():
    figures = figures_of_period(world(), REGION, PERIOD)
    html = render_html(figures, "en")
    assert 'id="by_variant"' in html and "Placed at first choice" in html
    lines = [line for line in render_csv(figures).splitlines() if ",by_variant," in line]
    assert f"{REGION},{PERIOD},by_variant,2,all,,first_choice,50.0%" in lines
    assert f"{REGION},{PERIOD},by_variant,2,sch-b,zorg,top3,83.3%" in lines
    assert f"{REGION},{PERIOD},by_variant,2,all,,any_candidate,–" in lines  # the offers are the matcher's


def test_the_shares_per_variant_are_metrics_with_low_cardinality_labels_and_small_groups_are_left_out():
    figures = figures_of_period(world(), REGION, PERIOD)
    families = FigureFamilies()
    families.add(figures)
    samples = {tuple(s.labels.values()): s.value for s in families.variant_share.samples}
    assert samples[(REGION, PERIOD, "2", "first_choice")] == 0.5
    assert samples[(REGION, PERIOD, "1", "none")] == 0.4
    assert (REGION, PERIOD, "2", "any_candidate") not in samples
    school = {tuple(s.labels.values()): s.value for s in families.variant_school_share.samples}
    assert school[(REGION, PERIOD, "2", "sch-b", "zorg", "top3")] == 5 / 6
    assert all("b0" not in str(labels) for labels in school)


def offered(deps, ref: str, place_ids: list[str], n: int) -> None:
    payload = CandidatesOffered("rnd-1", REGION, PERIOD, "sch-b", ref, place_ids)
    handle(new_envelope("candidates.offered", payload, producer="t", partition_key=REGION,
                        event_id=f"00000000-0000-4000-8000-{n:012d}"), deps)


def test_any_candidate_counts_the_students_placed_at_a_place_the_matcher_offered_them(world_with_places):
    deps, views = world_with_places
    for n, ref in enumerate(("b0", "b1", "b2", "b3", "b4"), start=10):
        offered(deps, ref, ["plc-1", "plc-2"] if ref != "b4" else ["plc-8", "plc-9"], n)
    figures = figures_of_period(deps, REGION, PERIOD)
    two = next(v for v in figures.by_variant if (v.variant, v.school_id) == (2, None))
    assert two.any_candidate == 4  # b0-b3 at plc-1; b4 placed elsewhere; b5 had no offer


def test_erasing_a_student_forgets_their_offer(world_with_places):
    deps, _ = world_with_places
    offered(deps, "b0", ["plc-1"], 10)
    handle(new_envelope("student.erased", StudentErased("b0", "sch-b", REGION), producer="t", partition_key=REGION,
                        event_id="00000000-0000-4000-8000-000000000099"), deps)
    assert deps.planning.lines(REGION, "offer") == []
