"""The period report renders HTML with SVG charts and CSV from the same (suppressed) figures."""

from __future__ import annotations

import csv
import io
import re
from xml.etree import ElementTree

from reporting.domain.figures import PeriodSnapshot, PlacementFact, RoundFact, WishFact, period_figures
from reporting.report.render import render_csv, render_html
from reporting.report.svg import bar_chart


def figures():
    wishes = [WishFact(f"stu_a{i}", "sch-alfa", "zorg", 4) for i in range(8)]
    wishes += [WishFact(f"stu_b{i}", "sch-beta", "zorg", 3) for i in range(3)]
    placements = [PlacementFact(w.student_ref, w.school_id, "placed" if i < 6 else "unplaced", "top1",
                                None if i < 6 else "NO_ELIGIBLE_PLACE") for i, w in enumerate(wishes)]
    summary = {"students": 11, "placed": 6, "worst_school_rate": 0.0, "best_school_rate": 0.75, "top1_share": 1.0,
               "top3_share": 1.0}
    return period_figures(PeriodSnapshot("reg-g", "2027-p1", wishes=wishes, placements=placements,
                                         rounds=[RoundFact("rnd-1", "initial", "2027-01-11T09:00:00Z", summary,
                                                           {"seed": 42, "output_hash": "b" * 64})],
                                         desk_by_status={"received": 7, "in_progress": 2}))


def test_a_chart_draws_one_bar_per_shown_value_and_none_for_suppressed():
    svg = bar_chart("t", [("a", 7.0, "7"), ("b", None, "<5")])
    root = ElementTree.fromstring(svg)
    bars = root.findall(".//{http://www.w3.org/2000/svg}rect")
    assert [(b.get("data-label"), b.get("data-value")) for b in bars] == [("a", "7")]
    assert "&lt;5" in svg


def test_the_html_report_has_charts_whose_bars_match_the_tables():
    html = render_html(figures(), "nl")
    assert "<script" not in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")
    assert html.count("<svg") >= 4
    bars = dict(re.findall(r'class="bar"[^>]*data-label="([^"]+)" data-value="([^"]+)"', html))
    assert float(bars["sch-alfa"]) == 6 / 8
    assert "sch-beta" not in bars  # three students: a small cell
    assert bars["ontvangen"] == "7"
    assert "Plaatsing per school" in html


def test_the_report_is_available_in_english():
    html = render_html(figures(), "en")
    assert "Placement per school" in html and 'lang="en"' in html


def test_the_csv_shows_the_same_suppressed_numbers():
    rows = list(csv.DictReader(io.StringIO(render_csv(figures()))))
    school = {(r["key"], r["column"]): r["value"] for r in rows if r["section"] == "placement_per_school"}
    assert school[("sch-alfa", "placed")] == "6"
    assert school[("sch-alfa", "rate")] == "75.0%"
    assert school[("sch-beta", "students")] == "<5"
    desk = {r["key"]: r["value"] for r in rows if r["section"] == "desk_by_status"}
    assert desk == {"received": "7", "in_progress": "<5"}


def test_csv_cells_that_look_like_formulas_are_defused():
    f = figures()
    f.unplaced_by_reason["=HYPERLINK(x)"] = 9
    assert "'=HYPERLINK(x)" in render_csv(f)
