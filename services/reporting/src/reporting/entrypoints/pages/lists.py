"""The lists of reporting's pages (issue 14.9): what the desk's case list can be searched and filtered by,
its rows and the columns of its XLSX download. Views page them with the shared `stagepool_shared.web.listing`.

Imports the shared web layer and reporting's desk rules.
"""

from __future__ import annotations

from typing import Any

from stagepool_shared.web.listing import Filter, Query, select
from stagepool_shared.web.pages import t

from ...commands.desk import CaseView
from ...domain import desk as rules
from .common import options, word

DEADLINES = {"overdue": ("Te laat", "Overdue"), "on_time": ("Op tijd", "On time")}
CASE_FIELDS = {"status": lambda r: r["status_code"], "category": lambda r: r["category_code"],
               "phase": lambda r: r["phase_code"], "deadline": lambda r: "overdue" if r["overdue"] else "on_time"}


def case_filters(lang: str) -> list[Filter]:
    """The filters of the desk's case list: status, kind (category), phase and deadline."""
    return [Filter("status", t("Status", "Status"), options(rules.STATUSES, lang)),
            Filter("category", t("Soort", "Kind"), options(rules.CATEGORIES, lang)),
            Filter("phase", t("Fase", "Phase"), options(rules.PHASES, lang)),
            Filter("deadline", t("Termijn", "Deadline"), [(code, t(*words)) for code, words in DEADLINES.items()])]


def case_row(view: CaseView, lang: str) -> dict[str, Any]:
    """One case as a row of the list and of the download (metadata only: the sealed report never is)."""
    case = view.case
    return {"view": view, "report_id": case.report_id, "status_code": case.status, "status": word(case.status, lang),
            "category_code": case.category, "category": word(case.category, lang), "phase_code": case.phase,
            "phase": word(case.phase, lang), "overdue": view.overdue,
            "deadline_text": t(*DEADLINES["overdue" if view.overdue else "on_time"]),
            "deadline": (view.deadline or "")[:10], "organisation": case.organisation_id or "",
            "school": case.school_id or "", "anonymous": t("ja", "yes") if case.anonymous else t("nee", "no"),
            "filed_at": case.filed_at[:10]}


def matching_cases(rows: list[dict[str, Any]], query: Query) -> list[dict[str, Any]]:
    """The cases the search (report, organisation, school) and the filters find, in the queue's order."""
    return select(rows, query, lambda r: (r["report_id"], r["organisation"], r["school"]), CASE_FIELDS)


def case_columns() -> list[tuple[str, str]]:
    """The columns of the cases' XLSX, as the list shows them."""
    return [("report_id", t("Melding", "Report")), ("status", t("Status", "Status")),
            ("deadline_text", t("Termijn", "Deadline")), ("deadline", t("Uiterlijk", "Due")),
            ("organisation", t("Organisatie", "Organisation")), ("school", "School"),
            ("category", t("Soort", "Kind")), ("phase", t("Fase", "Phase")),
            ("anonymous", t("Anoniem", "Anonymous")), ("filed_at", t("Ontvangen", "Received"))]
