"""The regional coordinator's student pages (issue 14.9 and 14.10): the students of the region found by
pseudonym, school, organisation or place, filtered by period, status, school and reason, 50 a page and as
XLSX; and one student's whole story (wishes, rounds, outcomes, answers, follow-up). Pseudonyms only: reporting
holds no names. Another region's student is a 404.

Imports flask, the shared web layer and reporting's story commands.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from stagepool_shared.web.listing import (Filter, error_texts, paginate, read_query, select, wants_xlsx,
                                          xlsx_response)
from stagepool_shared.web.pages import current_lang, page, render, t

from ...commands.story import COORDINATOR, StudentLine, student_story, students_of_region
from ...errors import NotFound
from ..web import deps
from ...report.render import messages
from .common import me, not_found, word

STUDENT = "<string(maxlength=80):student_ref>"
STATUS_WORDS = {"seeking": ("wens ingediend", "wish submitted"), "withdrawn": ("ingetrokken", "withdrawn"),
                "opted_out": ("afgemeld", "opted out"), "placed": ("geplaatst", "placed"),
                "kept": ("plek behouden", "place kept"), "accepted": ("geaccepteerd", "accepted"),
                "refused": ("geweigerd", "refused"), "failed": ("stage gestopt", "internship ended"),
                "unplaced": ("niet geplaatst", "not placed")}
FIELDS = {"period": lambda s: s.periods, "status": lambda s: s.status, "school": lambda s: s.school_id,
          "reason": lambda s: s.reason_code}

blueprint = Blueprint("reporting_story", __name__, url_prefix="/pages/coordinator/students")


def status_word(code: str) -> str:
    """The words for a wish's or an outcome's status in the visitor's language (the code when unknown)."""
    return t(*STATUS_WORDS[code]) if code in STATUS_WORDS else word(code, current_lang())


def report_word(code: str | None) -> str:
    """A reason or round kind in words, as the period report names it (messages/<lang>.json), else codes.json."""
    lang = current_lang()
    return messages(lang).get(code or "", "") or word(code, lang)


def _filters(lines: list[StudentLine]) -> list[Filter]:
    """Period, status, school and reason, each with the values the region's students have."""
    values = lambda get: sorted({v for line in lines for v in (get(line) if isinstance(get(line), list)  # noqa: E731
                                                                else [get(line)]) if v})
    return [Filter("period", t("Periode", "Period"), [(p, p) for p in values(FIELDS["period"])]),
            Filter("status", t("Status", "Status"), [(s, status_word(s)) for s in values(FIELDS["status"])]),
            Filter("school", "School", [(s, s) for s in values(FIELDS["school"])]),
            Filter("reason", t("Reden", "Reason"), [(r, report_word(r)) for r in values(FIELDS["reason"])])]


def _row(line: StudentLine) -> dict[str, Any]:
    return {"line": line, "student_ref": line.student_ref, "school": line.school_id,
            "periods": ", ".join(line.periods), "status": status_word(line.status),
            "organisation": line.organisation_id, "place": line.place_id,
            "reason": report_word(line.reason_code) if line.reason_code else ""}


COLUMNS = (("student_ref", ("Pseudoniem", "Pseudonym")), ("school", ("School", "School")),
           ("periods", ("Periodes", "Periods")), ("status", ("Status", "Status")),
           ("organisation", ("Organisatie", "Organisation")), ("place", ("Plaats", "Place")),
           ("reason", ("Reden", "Reason")))


@blueprint.get("")
@page(COORDINATOR)
def students() -> Response:
    """The region's students: search, filters, 50 a page, `?download=xlsx` for every matching one."""
    lines = students_of_region(deps(), me())
    filters = _filters(lines)
    query, errors = read_query(request.args, filters)
    found = select(lines, query, lambda s: (s.student_ref, s.school_id, s.organisation_id, s.place_id), FIELDS)
    rows = [_row(line) for line in found]
    if wants_xlsx(query, errors):
        return xlsx_response(rows, [(key, t(*words)) for key, words in COLUMNS], f"studenten-{me().region_id}")
    return render("pages/students.html", status=422 if errors else 200, page=paginate(rows, query.page),
                  query=query, filters=filters, errors=error_texts(errors), region=me().region_id)


@blueprint.get(f"/{STUDENT}")
@page(COORDINATOR)
def story(student_ref: str) -> Response:
    """One student's story in the coordinator's region (404 for a student of another region)."""
    try:
        found = student_story(deps(), me(), student_ref)
    except NotFound:
        return not_found()
    lang = current_lang()
    periods = [{"period": p, "wish_status": status_word(p.wish.status) if p.wish else "",
                "rounds": [{"round": r, "outcome": o, "status": status_word(o.get("status", "")),
                            "kind": report_word(r.kind), "reason": report_word(o.get("reason_code"))}
                           for r, o in p.rounds],
                "status": status_word(p.placement.status) if p.placement else "",
                "contacts": [{"moment": c, "kind": word(c.kind, lang)} for c in p.contacts]} for p in found.periods]
    return render("pages/story.html", story=found, periods=periods)
