"""The limits of one import file, and the checks of an XLSX zip made before anything in it is parsed.

An XLSX is a zip: 200 KB can unpack to 200 MB of one cell, and openpyxl loads the shared strings whole (and
parses a sheet without a declared size whole when it opens the book). So the zip's directory is checked first
(number of members, total unpacked size, how tightly each large member is packed), then every XML member is
read as a byte stream, never held whole: no run of text may be longer than a cell can be, and no sheet may
have more rows than allowed. zipfile never unpacks more than a member's declared size, so a directory that
lies only makes the file unreadable. Imports the standard library and intake's errors.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import IO

from ..errors import FileTooLarge, TableTooLarge

MAX_MEMBERS = 500
#: Spreadsheet XML packs 5 to 20 times; only a member over 1 MiB is held to this ratio.
MAX_RATIO = 100
RATIO_FLOOR_BYTES = 1 << 20
#: Bytes of XML a cell's text may take per character (multi-byte UTF-8, `&amp;`, `&#x1F600;`).
BYTES_PER_CHAR = 10
CHUNK = 1 << 20
ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s>/]")


@dataclass(frozen=True)
class TableLimits:
    """How much one import file may hold (settings INTAKE_IMPORT_MAX_*)."""

    max_rows: int = 100_000
    max_columns: int = 100
    max_cell_chars: int = 4000
    max_unpacked_bytes: int = 256 * 1024 * 1024


def check_zip(archive: zipfile.ZipFile, limits: TableLimits) -> None:
    """Refuse (FileTooLarge) a zip with too many members, too much unpacked data or a member packed too tightly."""
    members = archive.infolist()
    if len(members) > MAX_MEMBERS:
        raise FileTooLarge(f"The XLSX file has more than {MAX_MEMBERS} parts.")
    if sum(m.file_size for m in members) > limits.max_unpacked_bytes:
        raise FileTooLarge(f"The file is larger than {limits.max_unpacked_bytes // 1_000_000} MB when unpacked; "
                           "nothing was read.")
    for member in members:
        if member.file_size > RATIO_FLOOR_BYTES and member.file_size > MAX_RATIO * max(member.compress_size, 1):
            raise FileTooLarge(f"The file unpacks to more than {MAX_RATIO} times its packed size (a zip bomb?); "
                               "nothing was read.")


def scan_members(archive: zipfile.ZipFile, limits: TableLimits) -> None:
    """Read every XML member as bytes before openpyxl parses any (it parses a sheet without a declared size
    whole when it opens the book, and loads the shared strings whole)."""
    for member in archive.infolist():
        if member.filename.lower().endswith((".xml", ".rels")):
            with archive.open(member) as stream:
                scan_text(stream, limits)


def scan_text(stream: IO[bytes], limits: TableLimits) -> None:
    """Refuse an XML stream with a text run too long for a cell, or with more rows than allowed."""
    longest, tail, rows, run = limits.max_cell_chars * BYTES_PER_CHAR, b"", 0, 0
    while chunk := stream.read(CHUNK):
        rows += len(ROW_TAG.findall(tail + chunk)) - len(ROW_TAG.findall(tail))
        tail = chunk[-40:]
        if rows > limits.max_rows + 1:
            raise TableTooLarge(f"The file has more than {limits.max_rows} rows.", row=limits.max_rows + 2)
        run = _longest_run(chunk, run, longest)


def _longest_run(chunk: bytes, run: int, longest: int) -> int:
    """The length of the text run open at the chunk's end; refuses a run over `longest` bytes."""
    first = chunk.find(b"<")
    if first < 0:
        run += len(chunk)
    else:
        run = max(run + first, max(map(len, chunk[first:].split(b"<"))))
    if run > longest:
        raise TableTooLarge(f"A cell of the file is longer than {longest // BYTES_PER_CHAR} characters.")
    return run if first < 0 else len(chunk) - chunk.rfind(b"<") - 1


def check_dimension(max_row: int | None, max_column: int | None, limits: TableLimits) -> None:
    """Refuse a sheet whose declared size (`<dimension ref="A1:X1000001"/>`) is over the limits.

    A declared width over the limit is refused too: openpyxl pads every row to it.
    """
    if max_row is not None and max_row > limits.max_rows + 1:
        raise TableTooLarge(f"The file has more than {limits.max_rows} rows.", row=limits.max_rows + 2)
    if max_column is not None and max_column > limits.max_columns:
        raise TableTooLarge(f"The sheet is wider than {limits.max_columns} columns; delete the empty columns "
                            "after the last one.")
