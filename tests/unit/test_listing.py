"""The shared list helpers (issue 14.9): query parsing with field-level errors, search and filters, paging over
a sequence or an iterator, and the XLSX download whose formula-like cells are escaped."""

from __future__ import annotations

import io

import pytest
from flask import Flask
from openpyxl import load_workbook

from stagepool_shared.web.listing import (BAD_CHOICE, BAD_PAGE, PAGE_SIZE, Filter, Query, error_texts, paginate,
                                          read_query, safe_cell, select, wants_xlsx, xlsx_bytes, xlsx_response)

STATUS = Filter("status", "Status", [("active", "Actief"), ("withdrawn", "Ingetrokken")])
PEOPLE = [{"name": f"Student {n:03}", "number": f"S{n}", "status": "active" if n % 3 else "withdrawn",
           "periods": ["p1", "p2"] if n % 2 else ["p1"]} for n in range(1, 121)]


def test_a_query_reads_search_text_filters_page_and_format():
    query, errors = read_query({"q": " Noor ", "status": "active", "page": "3", "download": "xlsx", "lang": "en"},
                               [STATUS])
    assert errors == {}
    assert (query.q, dict(query.filters), query.page, query.fmt, dict(query.keep)) == (
        "Noor", {"status": "active"}, 3, "xlsx", {"lang": "en"})


@pytest.mark.parametrize("page", ["0", "-1", "twee", "1e3", "99999999"])
def test_a_bad_page_number_is_a_field_error_and_the_first_page_is_shown(page):
    query, errors = read_query({"page": page}, [STATUS])
    assert errors == {"page": BAD_PAGE} and query.page == 1


def test_a_filter_value_that_is_not_an_option_is_a_field_error_and_is_left_out():
    query, errors = read_query({"status": "<script>", "q": "x"}, [STATUS])
    assert errors == {"status": BAD_CHOICE} and dict(query.filters) == {} and query.q == "x"
    assert not wants_xlsx(Query(fmt="xlsx"), errors) and wants_xlsx(Query(fmt="xlsx"), {})


def test_unknown_parameters_are_ignored_and_an_overlong_search_is_refused():
    query, errors = read_query({"sector": "zorg", "q": "a" * 101}, [STATUS])
    assert dict(query.filters) == {} and query.q == "" and set(errors) == {"q"}


def test_error_texts_follow_the_visitors_language():
    app = Flask(__name__)
    with app.test_request_context("/?lang=en"):
        assert error_texts({"page": BAD_PAGE}) == {"page": ["Give a page number (1 or more)."]}
    with app.test_request_context("/"):
        assert error_texts({"page": BAD_PAGE}) == {"page": ["Geef een paginanummer (1 of hoger)."]}


def test_select_matches_the_search_in_any_text_case_insensitively_and_every_filter():
    query = Query(q="student 01", filters={"status": "withdrawn"})
    rows = select(PEOPLE, query, lambda p: (p["name"], p["number"]), {"status": lambda p: p["status"]})
    assert [p["number"] for p in rows] == ["S12", "S15", "S18"]
    by_number = select(PEOPLE, Query(q="s120"), lambda p: (p["name"], p["number"]))
    assert [p["number"] for p in by_number] == ["S120"]


def test_a_filter_on_a_collection_matches_when_it_holds_the_value():
    rows = select(PEOPLE, Query(filters={"period": "p2"}), lambda p: (), {"period": lambda p: p["periods"]})
    assert len(rows) == 60 and all("p2" in p["periods"] for p in rows)


def test_paginate_gives_fifty_a_page_and_the_counts():
    page = paginate(PEOPLE, 2)
    assert (page.number, page.pages, page.total, len(page.items)) == (2, 3, 120, PAGE_SIZE)
    assert (page.first, page.last) == (51, 100) and page.items[0]["number"] == "S51"
    last = paginate(PEOPLE, 99)
    assert last.number == 3 and [p["number"] for p in last.items] == [f"S{n}" for n in range(101, 121)]
    assert paginate([], 1).total == 0 and paginate([], 1).first == 0


def test_paginate_reads_an_iterator_once_keeping_only_its_page():
    page = paginate(iter(PEOPLE), 3)
    assert (page.number, page.pages, page.total, len(page.items)) == (3, 3, 120, 20)
    assert paginate((p for p in PEOPLE), 4).items == []


def test_links_keep_the_search_and_filters_and_the_export_drops_the_page():
    query = Query(q="Noor B", filters={"status": "active"}, page=2, keep={"lang": "en"})
    assert query.link(page=3) == "?lang=en&q=Noor+B&status=active&page=3"
    assert query.export_link == "?lang=en&q=Noor+B&status=active&download=xlsx"
    assert query.clear_link == "?lang=en"


@pytest.mark.parametrize("text", ["=1+1", "+31 6", "-2", "@SUM(A1)", "\t=x", "\r=x"])
def test_formula_like_text_gets_a_leading_quote(text):
    assert safe_cell(text) == "'" + text


def test_one_rule_serves_the_csv_files_too():
    from stagepool_shared.spreadsheet import safe_text

    assert [safe_text(v) for v in ("=cmd", "@x", "Noor", None, 7)] == ["'=cmd", "'@x", "Noor", "", "7"]


def test_plain_values_stay_as_they_are():
    assert [safe_cell(v) for v in ("Noor", 3, 2.5, None, "a=b")] == ["Noor", 3, 2.5, "", "a=b"]


def test_the_xlsx_holds_the_header_and_the_rows_with_formulas_escaped():
    rows = [{"name": "=HYPERLINK(\"http://x\")", "n": 7}, {"name": "Noor", "n": None}]
    book = load_workbook(io.BytesIO(xlsx_bytes(rows, [("name", "Naam"), ("n", "Aantal")])))
    sheet = book.active
    assert [[c.value for c in r] for r in sheet.iter_rows()] == [
        ["Naam", "Aantal"], ["'=HYPERLINK(\"http://x\")", 7], ["Noor", None]]
    assert all(c.data_type != "f" for r in sheet.iter_rows() for c in r)


def test_the_xlsx_answer_is_a_named_download():
    response = xlsx_response([{"a": "x"}], [("a", "A")], "studenten school/1")
    assert response.content_type.startswith("application/vnd.openxmlformats")
    assert response.headers["Content-Disposition"] == "attachment; filename=studenten-school-1.xlsx"
    assert load_workbook(io.BytesIO(response.get_data())).active["A2"].value == "x"
