"""Server-side SVG bar charts: no JavaScript, no external fonts or libraries (the report must open offline).

Each bar is a <rect class="bar"> carrying data-label and data-value, so tests (and screen readers, through
<title>) can check the numbers behind the picture. Suppressed values get no bar and the text "<5".
Imports the standard library only.
"""

from __future__ import annotations

from html import escape
from typing import Sequence

WIDTH = 640
BAR_HEIGHT = 22
GAP = 6
LABEL_WIDTH = 220
VALUE_WIDTH = 70


def bar_chart(title: str, bars: Sequence[tuple[str, float | None, str]], scale_max: float | None = None) -> str:
    """A horizontal bar chart of (label, value or None, shown text) rows."""
    values = [value for _, value, _ in bars if value is not None]
    top = scale_max or (max(values) if values else 1.0) or 1.0
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = GAP + len(bars) * (BAR_HEIGHT + GAP) + 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" width="{WIDTH}" '
             f'height="{height}" viewBox="0 0 {WIDTH} {height}">',
             f'<title>{escape(title)}</title>',
             f'<text x="0" y="16" class="chart-title" font-size="14" font-weight="bold">{escape(title)}</text>']
    for index, (label, value, shown) in enumerate(bars):
        y = 24 + GAP + index * (BAR_HEIGHT + GAP)
        parts.append(f'<text x="0" y="{y + 15}" font-size="12">{escape(label)}</text>')
        if value is not None:
            length = max(1.0, span * min(value / top, 1.0))
            parts.append(f'<rect class="bar" x="{LABEL_WIDTH}" y="{y}" width="{length:.1f}" height="{BAR_HEIGHT}" '
                         f'fill="#2f6f9f" data-label="{escape(label)}" data-value="{value:g}">'
                         f'<title>{escape(label)}: {escape(shown)}</title></rect>')
        parts.append(f'<text x="{WIDTH - VALUE_WIDTH + 6}" y="{y + 15}" font-size="12" class="value">'
                     f'{escape(shown)}</text>')
    parts.append("</svg>")
    return "".join(parts)
