"""Hostile import files for the upload-limit tests, built streaming so the test itself stays small in memory.

A zip bomb: a tiny XLSX template whose one data cell holds 200 MB of one letter (about 200 KB compressed),
either as an inline string in the sheet or as a shared string (the way Excel stores text). A tall sheet:
1,000,000 rows of two columns, compressed, with or without the `<dimension>` that declares its size.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from intake.adapters.tabular import write_xlsx

SHEET = "xl/worksheets/sheet1.xml"
SHARED = "xl/sharedStrings.xml"
HEAD = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
HEADER_ROW = ('<row r="1"><c r="A1" t="inlineStr"><is><t>leerlingnummer</t></is></c>'
              '<c r="B1" t="inlineStr"><is><t>niveau</t></is></c></row>')
CHUNK = 1 << 20


def _template() -> zipfile.ZipFile:
    return zipfile.ZipFile(io.BytesIO(write_xlsx(["leerlingnummer", "niveau"], [], rows=[["S1", "3"]])))


def _copy_template(out: zipfile.ZipFile, skip: set[str], patch: dict[str, tuple[str, str]] | None = None) -> None:
    """Every member of the template except `skip`; `patch` replaces one text by another in a member."""
    template = _template()
    for info in template.infolist():
        if info.filename in skip:
            continue
        data = template.read(info.filename)
        if patch and info.filename in patch:
            old, new = patch[info.filename]
            data = data.replace(old.encode(), new.encode())
        out.writestr(info, data)


def _write_letters(member: zipfile.ZipFile, path: str, before: str, size: int, after: str) -> None:
    with member.open(path, "w", force_zip64=True) as stream:
        stream.write(before.encode())
        block = b"A" * CHUNK
        for _ in range(size // CHUNK):
            stream.write(block)
        stream.write(b"A" * (size % CHUNK))
        stream.write(after.encode())


def zip_bomb(path: Path, size: int = 200_000_000, shared: bool = False) -> Path:
    """An XLSX whose one data cell holds `size` letters; a few hundred KB on disk."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        if not shared:
            _copy_template(out, {SHEET})
            _write_letters(out, SHEET, f'{HEAD}<sheetData>{HEADER_ROW}<row r="2"><c r="A2" t="inlineStr"><is><t>',
                           size, '</t></is></c><c r="B2"><v>3</v></c></row></sheetData></worksheet>')
            return path
        patch = {
            "[Content_Types].xml": ("</Types>", '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
                                    'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'),
            "xl/_rels/workbook.xml.rels": ("</Relationships>", '<Relationship Id="rIdS" Type="http://schemas.'
                                           'openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
                                           'Target="sharedStrings.xml"/></Relationships>'),
        }
        _copy_template(out, {SHEET}, patch)
        out.writestr(SHEET, f'{HEAD}<sheetData>{HEADER_ROW}<row r="2"><c r="A2" t="s"><v>0</v></c>'
                            '<c r="B2"><v>3</v></c></row></sheetData></worksheet>')
        _write_letters(out, SHARED, '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
                                    'count="1" uniqueCount="1"><si><t>', size, "</t></si></sst>")
    return path


def tall_sheet(path: Path, rows: int = 1_000_000, declared: bool = True) -> Path:
    """An XLSX of `rows` data rows (two columns), written 10,000 rows at a time."""
    dimension = f'<dimension ref="A1:B{rows + 1}"/>' if declared else ""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as out:
        _copy_template(out, {SHEET})
        with out.open(SHEET, "w", force_zip64=True) as stream:
            stream.write(f"{HEAD}{dimension}<sheetData>{HEADER_ROW}".encode())
            for start in range(2, rows + 2, 10_000):
                stream.write("".join(
                    f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>S{n}</t></is></c><c r="B{n}"><v>3</v></c></row>'
                    for n in range(start, min(start + 10_000, rows + 2))).encode())
            stream.write(b"</sheetData></worksheet>")
    return path


def tall_csv(rows: int = 1_000_000) -> bytes:
    """A CSV of `rows` short data rows (about 15 MB)."""
    return ("leerlingnummer;niveau\r\n" + "".join(f"S{n};3\r\n" for n in range(rows))).encode()
