"""Reading and writing import files: CSV (comma or semicolon, UTF-8 with or without BOM) and XLSX.

Cells come back as text (dates as ISO dates, whole numbers without ".0"), so the import rows are
validated by one code path whatever the file type. Imports openpyxl, the standard library and intake's errors.
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from typing import Any, Sequence

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from ..errors import UnreadableFile

XLSX_MAGIC = b"PK\x03\x04"


def read_table(filename: str, data: bytes, max_rows: int) -> tuple[list[str], list[list[str]]]:
    """Header cells and data rows (as text) of a CSV or XLSX upload."""
    is_xlsx = data.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx")
    headers, rows = _read_xlsx(data, max_rows) if is_xlsx else _read_csv(data, max_rows)
    return [h.strip() for h in headers], rows


def _read_csv(data: bytes, max_rows: int) -> tuple[list[str], list[list[str]]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("The file is not UTF-8 text (save it as CSV UTF-8 or XLSX).") from None
    if "\x00" in text:
        raise UnreadableFile("The file contains NUL bytes.")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        headers = next(reader, [])
        rows = []
        for row in reader:
            if len(rows) >= max_rows:
                raise UnreadableFile(f"The file has more than {max_rows} rows.")
            rows.append(row)
    except csv.Error as err:
        raise UnreadableFile(f"The CSV file cannot be read: {err}") from None
    return headers, rows


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _read_xlsx(data: bytes, max_rows: int) -> tuple[list[str], list[list[str]]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a broken or foreign file
        raise UnreadableFile(f"The XLSX file cannot be read ({err.__class__.__name__}).") from None
    try:
        sheet = book.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True)
        headers = [_cell_text(v) for v in next(rows_iter, ())]
        rows: list[list[str]] = []
        for values in rows_iter:
            if len(rows) >= max_rows:
                raise UnreadableFile(f"The file has more than {max_rows} rows.")
            rows.append([_cell_text(v) for v in values])
    finally:
        book.close()
    while headers and headers[-1] == "":
        headers.pop()
    return headers, rows


def write_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]] = (), delimiter: str = ";") -> bytes:
    """A CSV file (UTF-8 with BOM, so Excel opens it right); formula-like cells are neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[_safe_cell(c) for c in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def _safe_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def write_xlsx(headers: Sequence[str], notes: Sequence[tuple[str, str]], rows: Sequence[Sequence[Any]] = ()) -> bytes:
    """An XLSX template: the header row (bold) on the first sheet, column notes on a second sheet."""
    book = Workbook()
    sheet = book.active
    sheet.title = "import"
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(list(row))
    help_sheet = book.create_sheet("toelichting")
    help_sheet.append(["kolom", "toelichting"])
    for column, note in notes:
        help_sheet.append([column, note])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
