"""Server-side SVG charts for the matcher's pages: no JavaScript, no library, no CDN (the pages work offline).

Every bar is a `<rect class="bar">` with `data-label` and `data-value` and a `<title>`, so a screen reader and
the tests can read the numbers behind the picture; the pages also show the same numbers in a table.
Colours are presentation attributes (the pages' Content-Security-Policy refuses inline styles).
Imports the standard library and markupsafe only.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

from markupsafe import Markup

WIDTH = 640
LABEL_WIDTH = 230
VALUE_WIDTH = 90
LABEL_CHARS = 34
BAR = 18
GAP = 8
TOP = 30
#: Bar colours with at least 3:1 contrast on white (WCAG non-text contrast).
COLOURS = ("#00507a", "#b34700", "#1d6b2f")


def _frame(title: str, height: int) -> list[str]:
    return [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{height}" '
            f'viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}">',
            f"<title>{escape(title)}</title>",
            f'<text x="0" y="16" font-size="14" font-weight="bold" fill="#1a1a1a">{escape(title)}</text>']


def _bar(x: int, y: int, length: float, colour: str, label: str, value: float, shown: str) -> str:
    return (f'<rect class="bar" x="{x}" y="{y}" width="{max(length, 1.0):.1f}" height="{BAR}" fill="{colour}" '
            f'data-label="{escape(label)}" data-value="{value:g}"><title>{escape(label)}: {escape(shown)}</title>'
            f'</rect><text x="{x + max(length, 1.0) + 4:.1f}" y="{y + 13}" font-size="12" fill="#1a1a1a">'
            f"{escape(shown)}</text>")


def _label(text: str) -> str:
    """A row label that fits its column (the full text is in each bar's title and in the table)."""
    return escape(text if len(text) <= LABEL_CHARS else text[:LABEL_CHARS - 1] + "…")


def bar_chart(title: str, rows: Sequence[tuple[str, float, str]], scale_max: float | None = None) -> Markup:
    """A horizontal bar chart of (label, value, shown text) rows."""
    top = scale_max or max((value for _, value, _ in rows), default=0.0) or 1.0
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + max(len(rows), 1) * (BAR + GAP) + GAP
    parts = _frame(title, height)
    for index, (label, value, shown) in enumerate(rows):
        y = TOP + index * (BAR + GAP)
        parts.append(f'<text x="0" y="{y + 13}" font-size="12" fill="#1a1a1a">{_label(label)}</text>')
        parts.append(_bar(LABEL_WIDTH, y, span * min(value / top, 1.0), COLOURS[0], label, value, shown))
    parts.append("</svg>")
    return Markup("".join(parts))


def grouped_chart(title: str, series: Sequence[str], rows: Sequence[tuple[str, Sequence[float]]]) -> Markup:
    """Horizontal bars grouped per row label, one bar per series (e.g. students seeking and slots open)."""
    top = max((v for _, values in rows for v in values), default=0.0) or 1.0
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    group = len(series) * BAR + GAP
    legend_y = TOP
    height = TOP + 22 + max(len(rows), 1) * (group + GAP)
    parts = _frame(title, height)
    for index, name in enumerate(series):
        x = LABEL_WIDTH + index * 150
        parts.append(f'<rect x="{x}" y="{legend_y}" width="12" height="12" fill="{COLOURS[index % 3]}"/>'
                     f'<text x="{x + 16}" y="{legend_y + 11}" font-size="12" fill="#1a1a1a">{escape(name)}</text>')
    for index, (label, values) in enumerate(rows):
        y = TOP + 22 + index * (group + GAP)
        parts.append(f'<text x="0" y="{y + 13}" font-size="12" fill="#1a1a1a">{_label(label)}</text>')
        for k, (name, value) in enumerate(zip(series, values)):
            parts.append(_bar(LABEL_WIDTH, y + k * BAR, span * min(value / top, 1.0), COLOURS[k % 3],
                              f"{label} {name}", value, f"{value:g}"))
    parts.append("</svg>")
    return Markup("".join(parts))
