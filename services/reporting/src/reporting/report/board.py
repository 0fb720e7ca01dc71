"""The supply-and-demand board as report tables, and its HTML, CSV and XLSX downloads (issue 16.3).

Every count of students (forecast, actual, demand, last year, opted out) and of places passes the small-cell
rule here (`shown_count`), like the period report; a gap or trend is shown only when the counts it is made of
are, since it would reveal them. Warnings are computed on the raw counts. Imports openpyxl, the domain,
the shared spreadsheet rule, and the period report's SVG chart, texts (messages/<lang>.json) and templates.
"""

from __future__ import annotations

import csv
import io
from html import escape
from typing import Mapping

from openpyxl import Workbook

from stagepool_shared.events.planning import OPT_OUT_REASON_WORDS
from stagepool_shared.spreadsheet import safe_cell, safe_text

from ..domain.board import Board, BoardRow
from ..domain.suppression import SUPPRESSED, shown_count, suppress
from .render import environment, messages
from .svg import bar_chart
from .tables import Row, Table

COUNTS = ("forecast", "actual", "demand", "supply", "gap", "last_year", "trend", "warning")


def reason_words(code: str, lang: str) -> str:
    """An opt-out reason in words; an unknown code as it came."""
    nl, en = OPT_OUT_REASON_WORDS.get(code, (code, code))
    return en if lang == "en" else nl


def _difference(a: int, b: int) -> str:
    return SUPPRESSED if suppress(a) is None or suppress(b) is None else f"{a - b:+d}"


def _row(row: BoardRow, labels: tuple[str, ...], yes: str) -> Row:
    values = (shown_count(row.forecast), shown_count(row.actual), shown_count(row.demand), shown_count(row.supply),
              _difference(row.demand, row.supply), shown_count(row.last_year), _difference(row.demand, row.last_year),
              yes if row.warning else "")
    gap = float(row.gap) if suppress(row.demand) is not None and suppress(row.supply) is not None else None
    return Row(labels, values, gap)


def board_tables(board: Board, lang: str = "nl", names: Mapping[str, str] | None = None) -> list[Table]:
    """The board's tables: per sector, per programme, per school, and the organisations' participation."""
    w, names = messages(lang), names or {}
    sectors = Table("board_sectors", ("period", "sector") + COUNTS,
                    tuple(_row(r, r.key, w["yes"]) for r in board.sectors))
    programmes = Table("board_programmes", ("period", "sector", "crebo") + COUNTS,
                       tuple(_row(r, r.key, w["yes"]) for r in board.programmes), chart=False)
    schools = Table("board_schools", ("period", "school", "forecast", "actual", "opted_out"),
                    tuple(Row((period, names.get(school, school)),
                              (shown_count(s.forecast), shown_count(s.actual), shown_count(s.opted_out)))
                          for s in board.schools for period, school in [s.key]), chart=False)
    statuses = [Row((w.get(f"org_{status}", status),), (str(n),)) for status, n in board.participation.items()]
    reasons = [Row((f"{w['opt_out_reason']}: {reason_words(code, lang)}",), (str(n),))
               for code, n in board.opt_out_reasons.items()]
    participation = Table("board_participation", ("status", "count"), tuple(statuses + reasons), chart=False)
    return [sectors, programmes, schools, participation]


def board_chart(table: Table, lang: str = "nl") -> str | None:
    """The gap per period and sector as an SVG bar chart (suppressed cells get no bar)."""
    if table.key != "board_sectors" or not table.rows:
        return None
    bars = [(" / ".join(row.labels), max(row.bar, 0.0) if row.bar is not None else None, row.values[4])
            for row in table.rows]
    return bar_chart(messages(lang)["gap"], bars)


def demand_supply_svg(board: Board, lang: str = "nl") -> str:
    """Demand and supply per period and sector as paired horizontal bars (inline SVG: no script, no inline CSS,
    so the pages' Content-Security-Policy keeps it). A small cell gets no bar, its value reads <5."""
    w = messages(lang)
    rows = board.sectors
    top = max([max(r.demand, r.supply) for r in rows] or [1]) or 1
    width, label, span, step = 640, 200, 360, 40
    height = 30 + step * len(rows)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}"><title>{escape(w["demand"])} / {escape(w["supply"])}</title>',
             f'<rect x="{label}" y="4" width="12" height="12" fill="#2f6f9f"/><text x="{label + 16}" y="15" '
             f'font-size="12">{escape(w["demand"])}</text><rect x="{label + 120}" y="4" width="12" height="12" '
             f'fill="#5b8f5b"/><text x="{label + 136}" y="15" font-size="12">{escape(w["supply"])}</text>']
    for index, row in enumerate(rows):
        y = 26 + index * step
        parts.append(f'<text x="0" y="{y + 14}" font-size="12">{escape(" / ".join(row.key))}'
                     f'{" (" + escape(w["warning"].lower()) + ")" if row.warning else ""}</text>')
        for offset, kind, count, colour in ((0, "demand", row.demand, "#2f6f9f"),
                                            (16, "supply", row.supply, "#5b8f5b")):
            shown = shown_count(count)
            if suppress(count) is not None:
                length = max(1.0, span * count / top)
                parts.append(f'<rect class="bar {kind}" x="{label}" y="{y + offset}" width="{length:.1f}" height="14" '
                             f'fill="{colour}" data-value="{count}"><title>{escape(w[kind])}: {shown}</title></rect>')
            parts.append(f'<text x="{label + span + 8}" y="{y + offset + 12}" font-size="11">{shown}</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_board_csv(board: Board) -> str:
    """The board as CSV, long format: region, school year, section, keys, column, value."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["region", "school_year", "section", "key", "key2", "key3", "column", "value"])
    for table in board_tables(board, "en"):
        label_count = len(table.columns) - (len(table.rows[0].values) if table.rows else 0)
        for row in table.rows:
            keys = list(row.labels) + [""] * (3 - len(row.labels))
            for column, value in zip(table.columns[label_count:], row.values):
                writer.writerow([safe_text(c) for c in [board.region_id, board.school_year, table.key, *keys[:3],
                                                        column, value]])
    return out.getvalue()


def render_board_xlsx(board: Board, lang: str = "nl", names: Mapping[str, str] | None = None) -> bytes:
    """The board as a workbook: one sheet per table, headers in `lang`, every cell through `safe_cell`."""
    w, book = messages(lang), Workbook()
    book.remove(book.active)
    for table in board_tables(board, lang, names):
        sheet = book.create_sheet(table.key[:31])
        sheet.append([w.get(c, c) for c in table.columns])
        for row in table.rows:
            sheet.append([safe_cell(c) for c in (*row.labels, *row.values)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def render_board_html(board: Board, lang: str = "nl", names: Mapping[str, str] | None = None) -> str:
    """The board as one self-contained HTML page (inline SVG, no scripts)."""
    tables = board_tables(board, lang, names)
    return environment().get_template("board_report.html").render(
        lang=lang, w=messages(lang), board=board, sections=[{"table": t, "chart": board_chart(t, lang)} for t in tables])
