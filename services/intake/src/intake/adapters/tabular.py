"""Reading and writing import files: CSV (comma or semicolon, UTF-8 with or without BOM) and XLSX.

Cells come back as text (dates as ISO dates, whole numbers without ".0"), so the import rows are
validated by one code path whatever the file type. Both are read as streams within `TableLimits` (rows, cells
per row, characters per cell); an XLSX zip is checked before openpyxl parses anything (upload_limits.py).
Imports openpyxl, the standard library and intake's errors.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime
from typing import Any, Callable, Sequence, TypeVar

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font

from stagepool_shared.spreadsheet import safe_text

from ..errors import TableTooLarge, UnreadableFile
from .upload_limits import TableLimits, check_dimension, check_zip, scan_members

XLSX_MAGIC = b"PK\x03\x04"
T = TypeVar("T")


def read_table(filename: str, data: bytes, limits: TableLimits) -> tuple[list[str], list[list[str]]]:
    """Header cells and data rows (as text) of a CSV or XLSX upload, within `limits`.

    Raises:
        FileTooLarge: an XLSX that unpacks to too much, or is packed like a zip bomb.
        TableTooLarge: too many rows, cells in a row or characters in a cell.
        UnreadableFile: anything else that is not a CSV or XLSX file we can read.
    """
    is_xlsx = data.startswith(XLSX_MAGIC) or filename.lower().endswith(".xlsx")
    headers, rows = _read_xlsx(data, limits) if is_xlsx else _read_csv(data, limits)
    return [h.strip() for h in headers], rows


def _check_row(cells: list[str], number: int, headers: Sequence[str], limits: TableLimits) -> list[str]:
    """The row's cells, or TableTooLarge for a row with too many cells or a cell that is too long."""
    if len(cells) > limits.max_columns:
        raise TableTooLarge(f"The row has more than {limits.max_columns} cells.", row=number)
    for index, cell in enumerate(cells):
        if len(cell) > limits.max_cell_chars:
            column = headers[index].strip() if index < len(headers) else ""
            raise TableTooLarge(f"The cell is longer than {limits.max_cell_chars} characters.", number, column)
        if "\x00" in cell:
            raise UnreadableFile("The file contains NUL bytes.")
    return cells


def _read_csv(data: bytes, limits: TableLimits) -> tuple[list[str], list[list[str]]]:
    """Decoded and split as a stream: the file is never held as one text besides its bytes."""
    end = data.find(b"\n")
    end = len(data) if end < 0 else end
    delimiter = ";" if data.count(b";", 0, end) > data.count(b",", 0, end) else ","
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8-sig", newline=""), delimiter=delimiter)
    headers: list[str] = []
    rows: list[list[str]] = []
    try:
        headers = _check_row(next(reader, []), 1, (), limits)
        for row in reader:
            if len(rows) >= limits.max_rows:
                raise TableTooLarge(f"The file has more than {limits.max_rows} rows.", row=limits.max_rows + 2)
            rows.append(_check_row(row, len(rows) + 2, headers, limits))
    except UnicodeDecodeError:
        raise UnreadableFile("The file is not UTF-8 text (save it as CSV UTF-8 or XLSX).") from None
    except csv.Error as err:
        if "field larger than field limit" in str(err):
            raise TableTooLarge(f"The cell is longer than {limits.max_cell_chars} characters.",
                                row=len(rows) + (2 if headers else 1)) from None
        if "NUL" in str(err):
            raise UnreadableFile("The file contains NUL bytes.") from None
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


def _row_text(values: Sequence[Any]) -> list[str]:
    """A sheet row as text, without the empty cells openpyxl pads it with up to the declared width."""
    cells = [_cell_text(v) for v in values]
    while cells and cells[-1] == "":
        cells.pop()
    return cells


def _read_xlsx(data: bytes, limits: TableLimits) -> tuple[list[str], list[list[str]]]:
    """Check the zip, scan its XML as bytes, then stream the first sheet's rows with openpyxl."""
    with _guarded(zipfile.ZipFile, io.BytesIO(data)) as archive:
        check_zip(archive, limits)
        _guarded(scan_members, archive, limits)
    book = _guarded(load_workbook, io.BytesIO(data), read_only=True, data_only=True)
    try:
        return _guarded(lambda: _sheet_rows(book.worksheets[0], limits))
    finally:
        book.close()


def _guarded(step: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run one reading step; any error but intake's own means the file cannot be read."""
    try:
        return step(*args, **kwargs)
    except UnreadableFile:
        raise
    except Exception as err:  # zipfile, zlib and openpyxl raise many kinds for a broken or foreign file
        raise UnreadableFile(f"The XLSX file cannot be read ({err.__class__.__name__}).") from None


def _sheet_rows(sheet: Any, limits: TableLimits) -> tuple[list[str], list[list[str]]]:
    """The sheet's header and data rows, streamed; its declared size is checked first."""
    check_dimension(sheet.max_row, sheet.max_column, limits)
    rows_iter = sheet.iter_rows(values_only=True)
    headers = _check_row(_row_text(next(rows_iter, ())), 1, (), limits)
    rows: list[list[str]] = []
    for values in rows_iter:
        if len(rows) >= limits.max_rows:
            raise TableTooLarge(f"The file has more than {limits.max_rows} rows.", row=limits.max_rows + 2)
        rows.append(_check_row(_row_text(values), len(rows) + 2, headers, limits))
    return headers, rows


def write_csv(headers: Sequence[str], rows: Sequence[Sequence[Any]] = (), delimiter: str = ";") -> bytes:
    """A CSV file (UTF-8 with BOM, so Excel opens it right); formula-like cells are neutralised."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[safe_text(c) for c in row] for row in rows])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


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
