"""The period report as an XLSX workbook (issue 16.3): one sheet per section, the same tables as the HTML and
CSV (so the same small-cell rule), the board's tables of the period included. Every cell goes through
`safe_cell`. Imports openpyxl, the shared spreadsheet rule and the report's tables and texts.
"""

from __future__ import annotations

import io
from typing import Mapping, Sequence

from openpyxl import Workbook

from stagepool_shared.spreadsheet import safe_cell

from ..domain.figures import PeriodFigures
from .render import messages
from .tables import Table, report_tables


def render_xlsx(figures: PeriodFigures, lang: str = "nl", names: Mapping[str, str] | None = None,
                extra: Sequence[Table] = ()) -> bytes:
    """The period report as a workbook: a sheet per section, its column names in `lang`."""
    text = messages(lang)
    book = Workbook()
    book.remove(book.active)
    for table in report_tables(figures, names) + list(extra):
        sheet = book.create_sheet(table.key[:31])
        sheet.append([text.get(c, c) for c in table.columns])
        for row in table.rows:
            sheet.append([safe_cell(text.get(c, c) if i < len(row.labels) else c)
                          for i, c in enumerate((*row.labels, *row.values))])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
