"""The regional coordinator's student pages (issue 14.9 and 14.10): the students of the region found by
pseudonym, school, organisation or place, filtered by period, status, school and reason, 50 a page and as
XLSX; a student found by school and student number (intake gives the pseudonym, never the name); and one
student's whole story (wishes, rounds, outcomes, answers, follow-up). Pseudonyms only: reporting holds no
names. Schools appear by the name intake gives them (14.16). Another region's student is a 404.

Imports flask, the shared web layer and reporting's story and look-up commands.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Response, redirect, request, url_for

from stagepool_shared.web.listing import (Filter, error_texts, paginate, read_query, select, wants_xlsx,
                                          xlsx_response)
from stagepool_shared.web.pages import current_lang, page, render, t

from ...commands.lookups import find_student as find_student_ref, school_names
from ...commands.story import COORDINATOR, StudentLine, student_story, students_of_region
from ...errors import IntakeUnavailable, NotFound
from ..web import deps
from ...report.render import messages
from .common import me, not_found, word

STUDENT = "<string(maxlength=80):student_ref>"
FIND_FIELDS = ("school_id", "student_number")
STUDENT_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,20}$")
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


def _filters(lines: list[StudentLine], names: dict[str, str]) -> list[Filter]:
    """Period, status, school and reason, each with the values the region's students have."""
    values = lambda get: sorted({v for line in lines for v in (get(line) if isinstance(get(line), list)  # noqa: E731
                                                                else [get(line)]) if v})
    return [Filter("period", t("Periode", "Period"), [(p, p) for p in values(FIELDS["period"])]),
            Filter("status", t("Status", "Status"), [(s, status_word(s)) for s in values(FIELDS["status"])]),
            Filter("school", "School", [(s, names.get(s, s)) for s in values(FIELDS["school"])]),
            Filter("reason", t("Reden", "Reason"), [(r, report_word(r)) for r in values(FIELDS["reason"])])]


def _row(line: StudentLine, names: dict[str, str]) -> dict[str, Any]:
    return {"line": line, "student_ref": line.student_ref, "school": names.get(line.school_id, line.school_id),
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
    return _students({}, {})


@blueprint.post("/find")
@page(COORDINATOR)
def find_student() -> Response:
    """Open a student's story by school and student number (issue 14.10): intake gives the pseudonym only."""
    form = {name: request.form.get(name, "").strip() for name in FIND_FIELDS}
    errors = _find_errors(form)
    if errors:
        return _students(form, errors, 422)
    try:
        ref = find_student_ref(deps(), me(), form["school_id"], form["student_number"])
    except NotFound:
        return _students(form, {"student_number": [t("Geen student met dit studentnummer bij deze school in uw regio.",
                                                     "No student with this student number at this school in your "
                                                     "region.")]}, 422)
    except IntakeUnavailable:
        return _students(form, {"student_number": [t("Zoeken op studentnummer kan nu niet; probeer het later opnieuw "
                                                     "of zoek op pseudoniem.", "Finding by student number is not "
                                                     "possible now; try again later or search by pseudonym.")]}, 503)
    return redirect(url_for(".story", student_ref=ref))


def _find_errors(form: dict[str, str]) -> dict[str, list[str]]:
    """Every message of the find form at once, next to its field."""
    errors: dict[str, list[str]] = {}
    if not form["school_id"]:
        errors["school_id"] = [t("Kies de school van de student.", "Choose the student's school.")]
    if not STUDENT_NUMBER.match(form["student_number"]):
        errors["student_number"] = [t("Vul het studentnummer in: 1 tot 20 letters, cijfers of streepjes.",
                                      "Enter the student number: 1 to 20 letters, digits or dashes.")]
    return errors


def _students(find_form: dict[str, str], find_errors: dict[str, list[str]], status: int = 200) -> Response:
    """The students page, with the find-by-number form as filled in and its messages."""
    lines = students_of_region(deps(), me())
    names = school_names(deps(), (line.school_id for line in lines))
    filters = _filters(lines, names)
    query, errors = read_query(request.args, filters)
    found = select(lines, query, lambda s: (s.student_ref, s.school_id, names.get(s.school_id, ""),
                                            s.organisation_id, s.place_id), FIELDS)
    rows = [_row(line, names) for line in found]
    if wants_xlsx(query, errors):
        return xlsx_response(rows, [(key, t(*words)) for key, words in COLUMNS], f"studenten-{me().region_id}")
    return render("pages/students.html", status=status if find_errors else (422 if errors else 200),
                  page=paginate(rows, query.page), query=query, filters=filters, errors=error_texts(errors),
                  region=me().region_id, find_form=find_form, find_errors=find_errors,
                  find_schools=sorted(names.items(), key=lambda item: item[1].lower()))


@blueprint.get(f"/{STUDENT}")
@page(COORDINATOR)
def story(student_ref: str) -> Response:
    """One student's story in the coordinator's region (404 for a student of another region)."""
    try:
        found = student_story(deps(), me(), student_ref)
    except NotFound:
        return not_found()
    lang = current_lang()
    names = school_names(deps(), (p.wish.school_id for p in found.periods if p.wish))
    periods = [{"period": p, "wish_status": status_word(p.wish.status) if p.wish else "",
                "rounds": [{"round": r, "outcome": o, "status": status_word(o.get("status", "")),
                            "kind": report_word(r.kind), "reason": report_word(o.get("reason_code"))}
                           for r, o in p.rounds],
                "status": status_word(p.placement.status) if p.placement else "",
                "contacts": [{"moment": c, "kind": word(c.kind, lang)} for c in p.contacts]} for p in found.periods]
    return render("pages/story.html", story=found, periods=periods, school_names=names)
