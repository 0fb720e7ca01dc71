"""Rendering the period report: HTML (Jinja2 template in templates/, SVG charts inline) and CSV.

Texts come from messages/<lang>.json (Dutch by default, English available). CSV cells that a spreadsheet
would run as a formula are prefixed with a quote (CSV injection). Imports jinja2, the shared i18n (moments in
Dutch time) and the standard library.
"""

from __future__ import annotations

import csv
import functools
import io
import json
from datetime import UTC, datetime
from importlib import resources
from typing import Mapping, Sequence

from jinja2 import Environment, PackageLoader, select_autoescape

from stagepool_shared.i18n import local_time
from stagepool_shared.spreadsheet import safe_text

from ..domain.figures import PeriodFigures
from .svg import bar_chart
from .tables import Table, report_tables

LANGS = ("nl", "en")
#: Which value column each chart shows, and its fixed scale (rates 0..1).
CHARTS = {"demand_capacity": (0, None), "placement_per_school": (2, 1.0), "unplaced_by_reason": (0, None),
          "rounds": (3, 1.0), "desk_by_status": (0, None)}


def messages(lang: str) -> dict[str, str]:
    """The report's and the board's texts in `lang` (nl when unknown): a copy, the file read once per language."""
    return dict(_catalog(lang if lang in LANGS else "nl"))


@functools.cache
def _catalog(lang: str) -> dict[str, str]:
    return json.loads(resources.files("reporting").joinpath(f"messages/{lang}.json").read_text("utf-8"))


def environment() -> Environment:
    """The report templates (the period report's and the board's), HTML autoescaped."""
    return Environment(loader=PackageLoader("reporting", "templates"), autoescape=select_autoescape(["html"]))


def _chart(table: Table, text: dict[str, str]) -> str | None:
    if not table.chart or table.key not in CHARTS or not table.rows:
        return None
    column, scale = CHARTS[table.key]
    bars = [(" / ".join(text.get(label, label) for label in row.labels[:2]), row.bar, row.values[column])
            for row in table.rows]
    return bar_chart(text.get(table.key, table.key), bars, scale)


def report_sections(figures: PeriodFigures, lang: str = "nl", names: Mapping[str, str] | None = None) -> list[dict]:
    """Each section of the report: its table and its SVG chart (None without one); the pages show them too.
    `names` gives schools' display names (issue 14.16); without one a school shows its id."""
    text = messages(lang)
    return [{"table": table, "chart": _chart(table, text)} for table in report_tables(figures, names)]


def render_html(figures: PeriodFigures, lang: str = "nl", now: datetime | None = None,
                names: Mapping[str, str] | None = None, extra: Sequence[Table] = ()) -> str:
    """The period report as one self-contained HTML page; `extra`: the board's tables of the period (issue 16.3)."""
    text = messages(lang)
    sections = report_sections(figures, lang, names) + [{"table": table, "chart": None} for table in extra]
    template = environment().get_template("report.html")
    generated = local_time(now or datetime.now(UTC))  # Dutch time, zone named (issue 14.12)
    return template.render(lang=lang if lang in LANGS else "nl", t=text, f=figures, sections=sections,
                           generated=generated)


def render_csv(figures: PeriodFigures, extra: Sequence[Table] = ()) -> str:
    """The period report as CSV: section, labels..., column, value (one value per line, long format)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["region", "period", "section", "key", "key2", "key3", "column", "value"])
    for table in report_tables(figures) + list(extra):
        label_count = len(table.columns) - len(table.rows[0].values) if table.rows else 0
        for row in table.rows:
            keys = list(row.labels) + [""] * (3 - len(row.labels))
            for column, value in zip(table.columns[label_count:], row.values):
                writer.writerow([safe_text(c) for c in [figures.region_id, figures.period_id, table.key, *keys[:3],
                                                    column, value]])
    return out.getvalue()
