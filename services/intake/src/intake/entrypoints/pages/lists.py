"""The lists of intake's pages (issue 14.9): what a school's student list and an organisation's place list
can be searched and filtered by, which rows match, and the columns of their XLSX downloads. Views page them
with the shared `stagepool_shared.web.listing`. Imports the shared web layer and the shared event vocabulary.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable

from stagepool_shared.events.wishes import SECTORS
from stagepool_shared.web.listing import Filter, Query, matches, select
from stagepool_shared.web.pages import t

from .common import period_options

WISH_STATUSES = {"active": ("Wens ingediend", "Wish submitted"), "withdrawn": ("Ingetrokken", "Withdrawn"),
                 "opted_out": ("Afgemeld (eigen plek of geen matching)", "Opted out (own place or no matching)")}
PLACE_STATUSES = {"active": ("Actief", "Active"), "withdrawn": ("Ingetrokken", "Withdrawn")}
WISH_FIELDS = {"status": lambda w: w["status"], "period": lambda w: w["period_id"], "sector": lambda w: w["sector"]}
PLACE_FIELDS = {"status": lambda p: "withdrawn" if p["withdrawn"] else "active", "period": lambda p: p["period_id"],
                "sector": lambda p: p["sector"]}


def _common_filters(region_id: str, statuses: dict[str, tuple[str, str]]) -> list[Filter]:
    return [Filter("status", t("Status", "Status"), [(code, t(*words)) for code, words in statuses.items()]),
            Filter("period", t("Periode", "Period"), period_options(region_id)),
            Filter("sector", "Sector", [(s, s) for s in SECTORS])]


def student_filters(region_id: str) -> list[Filter]:
    """The filters of the school's student list: the wish's status, period and sector."""
    return _common_filters(region_id, WISH_STATUSES)


def place_filters(region_id: str) -> list[Filter]:
    """The filters of the organisation's place list: the place's status, period and sector."""
    return _common_filters(region_id, PLACE_STATUSES)


def _search_texts(row: dict[str, Any]) -> Iterable[Any]:
    """A student is found by name and student number, and after release by the organisation and address of
    the place (the placement's words, issue 14.8)."""
    yield row["name"]
    yield row["number"]
    for wish in row["wishes"]:
        placement = wish.get("placement") or {}
        yield from (placement.get("outcome"), placement.get("address"))


def matching_students(rows: list[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
    """The students the search finds, each with only the wishes every filter matches (a student without a
    matching wish is left out when a filter is chosen)."""
    wish_query = replace(query, q="")
    out = []
    for row in rows:
        if not matches(query, _search_texts(row)):
            continue
        if query.filters:
            wishes = select(row["wishes"], wish_query, lambda w: (), WISH_FIELDS)
            if not wishes:
                continue
            row = {**row, "wishes": wishes}
        out.append(row)
    return out


def student_columns() -> list[tuple[str, str]]:
    """The columns of the students' XLSX: one row per wish, as the page shows them."""
    return [("name", t("Naam", "Name")), ("number", t("Leerlingnummer", "Student number")),
            ("period_id", t("Periode", "Period")), ("sector", "Sector"), ("crebo", "Crebo"),
            ("level", t("Niveau", "Level")), ("status_text", t("Status", "Status")),
            ("outcome", t("Uitkomst", "Outcome")), ("address", t("Adres", "Address")),
            ("answer", t("Antwoord", "Answer")), ("follow_up", t("Vervolg", "Next step"))]


def wish_lines(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The student rows as the lines of the XLSX: one per wish shown (one line for a student without), with
    the placement's words after release."""
    return [{"name": row["name"], "number": row["number"], **wish, **_placement_cells(wish.get("placement"))}
            for row in rows for wish in (row["wishes"] or [{}])]


def _placement_cells(placement: dict[str, Any] | None) -> dict[str, Any]:
    return {key: (placement or {}).get(key, "") for key in ("outcome", "address", "answer", "follow_up")}


def matching_places(places: list[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
    """The places the search (name, address, crebo) and the filters find."""
    return select(places, query, lambda p: (p["name"], p["address"], p["crebos"], p["id"]), PLACE_FIELDS)


def place_columns() -> list[tuple[str, str]]:
    """The columns of the places' XLSX, as the page shows them."""
    return [("period_id", t("Periode", "Period")), ("name", t("Naam", "Name")), ("address", t("Adres", "Address")),
            ("sector", "Sector"), ("crebos", "Crebo's"), ("levels", t("Niveaus", "Levels")),
            ("slots", t("Plaatsen", "Slots")), ("status_text", t("Status", "Status"))]


def place_status_text(withdrawn: bool) -> str:
    return t(*PLACE_STATUSES["withdrawn" if withdrawn else "active"])
