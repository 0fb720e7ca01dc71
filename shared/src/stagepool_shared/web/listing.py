"""Lists on pages: paged on the server (50 a page), searched, filtered, and downloaded as XLSX (issue 14.9).

One shape for every list of every service:

- `read_query(args, filters)` parses `?q=&page=&<filter>=&download=xlsx` into a `Query`; a bad page number or a
  filter value that is not one of the filter's options is dropped and reported per field (the view answers
  422 with the message next to the field, and the list as if the bad value was not given);
- `select(items, query, search, fields)` keeps the items the search text and the filters match;
- `paginate(items, page)` cuts one page out of a sequence or any iterable (a Redis scan), counting the rest;
- `xlsx_response(rows, columns, filename)` the same rows as an XLSX download, every text cell that a
  spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return) prefixed with a quote
  (`stagepool_shared.spreadsheet.safe_cell`, the one rule intake's and reporting's CSV files use too);
- the template macros in `stagepool/_listing.html`: the search box with the filters, and the pager.

Imports Flask (for the download answer) and the standard library; openpyxl when an XLSX is written.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping, Sequence
from urllib.parse import urlencode

from flask import Response

from ..spreadsheet import safe_cell
from .pages import t

PAGE_SIZE = 50
DOWNLOAD = "download"  # ?download=xlsx (not `format`: intake's API already gives that name its own values)
MAX_SEARCH = 100
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BAD_PAGE = ("Geef een paginanummer (1 of hoger).", "Give a page number (1 or more).")
BAD_CHOICE = ("Kies een van de mogelijkheden.", "Choose one of the options.")
TOO_LONG = (f"Zoek met hoogstens {MAX_SEARCH} tekens.", f"Search with at most {MAX_SEARCH} characters.")


@dataclass(frozen=True)
class Filter:
    """One filter of a list: its query name, its label and its options (value, words shown)."""

    name: str
    label: str
    options: Sequence[tuple[str, str]]


@dataclass(frozen=True)
class Query:
    """What the visitor asked of a list: search text, filters (only known names and values), page, format."""

    q: str = ""
    filters: Mapping[str, str] = field(default_factory=dict)
    page: int = 1
    fmt: str = "html"
    keep: Mapping[str, str] = field(default_factory=dict)

    def link(self, **changes: Any) -> str:
        """A relative link (`?…`) to this list with some parameters changed (page, format)."""
        params: dict[str, Any] = {**self.keep, "q": self.q, **self.filters, "page": self.page}
        params.update(changes)
        if params.get("fmt", "html") == "html":
            params.pop("fmt", None)
        if "fmt" in params:
            params[DOWNLOAD] = params.pop("fmt")
            params.pop("page", None)
        return "?" + urlencode({k: v for k, v in params.items() if v not in ("", None, 1) or k == DOWNLOAD})

    @property
    def clear_link(self) -> str:
        """The whole list again: no search text, no filters, page 1."""
        return "?" + urlencode(dict(self.keep))

    @property
    def export_link(self) -> str:
        """The XLSX download of the same search and filters (every page)."""
        return self.link(fmt="xlsx")


@dataclass(frozen=True)
class Page:
    """One page of a list: its items, its number, the number of pages and of items in all."""

    items: list[Any]
    number: int
    pages: int
    total: int
    size: int = PAGE_SIZE

    @property
    def first(self) -> int:
        """The position (1-based) of the page's first item; 0 on an empty list."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0


def read_query(args: Mapping[str, str], filters: Sequence[Filter] = (), keep: Sequence[str] = ("lang",),
               ) -> tuple[Query, dict[str, tuple[str, str]]]:
    """The query of a list and its errors per field as (Dutch, English) texts; bad values are left out."""
    errors: dict[str, tuple[str, str]] = {}
    q = (args.get("q") or "").strip()
    if len(q) > MAX_SEARCH:
        errors["q"], q = TOO_LONG, ""
    page_text = (args.get("page") or "1").strip()
    page = int(page_text) if page_text.isdigit() and 0 < int(page_text) < 10**6 else 0
    if page == 0:
        errors["page"], page = BAD_PAGE, 1
    chosen: dict[str, str] = {}
    for spec in filters:
        value = (args.get(spec.name) or "").strip()
        if value and value not in {v for v, _ in spec.options}:
            errors[spec.name] = BAD_CHOICE
        elif value:
            chosen[spec.name] = value
    fmt = "xlsx" if args.get(DOWNLOAD) == "xlsx" else "html"
    kept = {name: args[name] for name in keep if args.get(name)}
    return Query(q=q, filters=chosen, page=page, fmt=fmt, keep=kept), errors


def error_texts(errors: Mapping[str, tuple[str, str]]) -> dict[str, list[str]]:
    """The errors of `read_query` in the visitor's language, as the form macros want them (name -> texts)."""
    return {name: [t(*text)] for name, text in errors.items()}


def wants_xlsx(query: Query, errors: Mapping[str, Any]) -> bool:
    """Whether to answer with the download: asked for, and the query had no bad field (else the page, 422)."""
    return query.fmt == "xlsx" and not errors


def matches(query: Query, texts: Iterable[Any]) -> bool:
    """Whether the search text occurs (case and accents as typed aside: case-insensitive) in one of `texts`."""
    if not query.q:
        return True
    wanted = query.q.casefold()
    return any(wanted in str(text).casefold() for text in texts if text not in (None, ""))


def select(items: Iterable[Any], query: Query, search: Callable[[Any], Iterable[Any]],
           fields: Mapping[str, Callable[[Any], Any]] | None = None) -> list[Any]:
    """The items whose `search` texts match the search text and whose `fields` equal every chosen filter.

    A field getter may return one value or a collection (an item with several periods matches each).
    """
    fields = fields or {}

    def keep(item: Any) -> bool:
        for name, value in query.filters.items():
            got = fields[name](item) if name in fields else value
            if not (value in got if isinstance(got, (list, tuple, set, frozenset)) else str(got) == value):
                return False
        return matches(query, search(item))

    return [item for item in items if keep(item)]


def paginate(items: Iterable[Any], page: int, size: int = PAGE_SIZE) -> Page:
    """Page `page` of `items`. A sequence past its end shows its last page; an iterator (a Redis scan) is read
    once and only the page's items are kept (past its end: an empty page)."""
    if isinstance(items, Sequence):
        total = len(items)
        pages = max(1, math.ceil(total / size))
        number = min(max(1, page), pages)
        return Page(list(items[(number - 1) * size:number * size]), number, pages, total, size)
    kept: list[Any] = []
    total = 0
    for total, item in enumerate(items, start=1):
        if (page - 1) * size < total <= page * size:
            kept.append(item)
    return Page(kept, max(1, page), max(1, math.ceil(total / size)), total, size)


def xlsx_bytes(rows: Iterable[Mapping[str, Any]], columns: Sequence[tuple[str, str]], sheet: str = "lijst") -> bytes:
    """An XLSX file: a bold header row of the columns' titles, then one row per item, every cell `safe_cell`."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    ws.append([safe_cell(title) for _, title in columns])
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append([safe_cell(row.get(key)) for key, _ in columns])
    for cell in ws.iter_rows():
        for c in cell:
            if isinstance(c.value, str):
                c.data_type = "s"  # never a formula, whatever the text
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(rows: Iterable[Mapping[str, Any]], columns: Sequence[tuple[str, str]], filename: str) -> Response:
    """The rows as an XLSX download named `filename` (.xlsx added when missing)."""
    name = filename if filename.endswith(".xlsx") else filename + ".xlsx"
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in name)
    return Response(xlsx_bytes(rows, columns), content_type=XLSX_TYPE,
                    headers={"Content-Disposition": f"attachment; filename={safe}", "Cache-Control": "no-store"})
