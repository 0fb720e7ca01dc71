"""Internal endpoints for the other services (role service, their own scope): for the notifier, contacts of
released students, the contact persons of released places and a school's contact address (a student who is
not in a released round, and a place no released round placed a student at, answer as not found); for the
matcher, names of a school's own students for its review page; for the matcher and reporting, schools' display
names; for reporting, a student's pseudonym from school and student number (never the name); for the notifier's
deadline reminders, the students whose window before a period's deadline is open (pseudonym and e-mail only)."""

from __future__ import annotations

import re
from dataclasses import asdict
from datetime import timedelta

from flask import Blueprint, Response, g, request

from stagepool_shared.events.base import ID_PATTERN
from stagepool_shared.http import error, read_json

from .. import commands
from ..commands import deadlines
from .web import deps, json_response, requires

bp = Blueprint("internal", __name__, url_prefix="/internal/v1")
_REF = re.compile(ID_PATTERN)
MAX_REFS = 500


#: The services that show schools on their pages (issue 14.16).
SCHOOL_NAME_READERS = ("matcher", "reporting")
STUDENT_NUMBER = re.compile(r"^[A-Za-z0-9-]{1,20}$")


def _is_notifier() -> bool:
    return g.principal.scope == "notifier"


@bp.get("/contacts")
@requires("service")
def contacts() -> Response:
    """Name, e-mail and phone of the given students that were released; 404 when none was."""
    if not _is_notifier():
        return error(403, "forbidden", "Your role may not do this.")
    refs = request.args.getlist("student_ref")
    if not refs or len(refs) > MAX_REFS or not all(_REF.match(r) for r in refs):
        return error(400, "bad_request", "Give 1 to 500 valid student_ref parameters.")
    found, missing = commands.contacts(deps(), refs)
    if not found:
        return error(404, "not_found", "Not found.")
    return json_response({"contacts": [asdict(c) for c in found], "not_found": missing})


@bp.get("/schools/<string(maxlength=80):school_id>")
@requires("service")
def school(school_id: str) -> Response:
    """A registered school's name, contact e-mail and webhook."""
    if not _is_notifier():
        return error(403, "forbidden", "Your role may not do this.")
    return json_response(asdict(commands.school(deps(), school_id)))


@bp.post("/schools/<string(maxlength=80):school_id>/student-names")
@requires("service")
def student_names(school_id: str) -> Response:
    """Name and student number of the given pseudonyms of one school, for the matcher's review page only
    (issue 14.6): asked per page view, never stored by the matcher. A pseudonym of another school refuses
    the whole question (403); unknown pseudonyms are listed under `not_found`. Reporting asks the same for the
    printed placement agreement (issue 20.1), also per view and never stored."""
    if g.principal.scope not in ("matcher", "reporting"):
        return error(403, "forbidden", "Your role may not do this.")
    body = read_json()
    refs = body.get("student_refs") if isinstance(body, dict) else None
    if (not isinstance(refs, list) or not refs or len(refs) > MAX_REFS
            or not all(isinstance(r, str) and _REF.match(r) for r in refs)):
        return error(422, "validation_failed", "The input is not valid.",
                     fields={"student_refs": ["Give 1 to 500 valid student pseudonyms."]})
    found, missing, foreign = commands.names_for_review(deps(), school_id, refs)
    if foreign:
        return error(403, "forbidden", "Some of these students are not of this school.")
    return json_response({"students": [{"student_ref": s.student_ref, "name": s.name,
                                        "student_number": s.student_number} for s in found],
                          "not_found": missing})


@bp.get("/places/contacts")
@requires("service")
def place_contacts() -> Response:
    """The contact person (name, e-mail, phone) of the given places that a released round placed a student
    at (issue 19.4); 404 when none was. The notifier asks at delivery time and keeps nothing."""
    if not _is_notifier():
        return error(403, "forbidden", "Your role may not do this.")
    ids = request.args.getlist("place_id")
    if not ids or len(ids) > MAX_REFS or not all(_REF.match(i) for i in ids):
        return error(400, "bad_request", "Give 1 to 500 valid place_id parameters.")
    found, missing = commands.place_contacts(deps(), ids)
    if not found:
        return error(404, "not_found", "Not found.")
    return json_response({"contacts": [asdict(c) for c in found], "not_found": missing})


@bp.get("/open-windows")
@requires("service")
def open_windows() -> Response:
    """For the notifier's deadline reminders (issue 15.4): every period deadline (wishes, choices) that has not
    passed and comes within `within_hours` (1-744), with the students who have not acted yet (pseudonym and
    e-mail address only; commands/deadlines.py says who is listed)."""
    if not _is_notifier():
        return error(403, "forbidden", "Your role may not do this.")
    raw = request.args.get("within_hours", "")
    hours = int(raw) if raw.isdigit() and len(raw) <= 4 else 0
    if not 1 <= hours <= deadlines.MAX_WITHIN.days * 24:
        return error(400, "bad_request", "Give within_hours as a whole number from 1 to 744.")
    return json_response({"windows": deadlines.open_windows(deps(), timedelta(hours=hours))})


@bp.get("/school-names")
@requires("service")
def school_names() -> Response:
    """The display names of the given schools (issue 14.16), for the matcher's round page and reporting's
    figures page; unknown ids are listed under `not_found` (the caller shows the id)."""
    if g.principal.scope not in SCHOOL_NAME_READERS:
        return error(403, "forbidden", "Your role may not do this.")
    ids = request.args.getlist("school_id")
    if not ids or len(ids) > MAX_REFS or not all(_REF.match(i) for i in ids):
        return error(400, "bad_request", "Give 1 to 500 valid school_id parameters.")
    names, missing = commands.school_names(deps(), ids)
    return json_response({"schools": names, "not_found": missing})


@bp.post("/student-refs")
@requires("service")
def student_ref() -> Response:
    """The pseudonym of the student with this number at this school of this region, for the coordinator's
    search in reporting (issue 14.10): the pseudonym only, never the name. 404 when there is none. A POST, so
    the student number stays out of URLs and access logs."""
    if g.principal.scope != "reporting":
        return error(403, "forbidden", "Your role may not do this.")
    body = read_json()
    body = body if isinstance(body, dict) else {}
    fields = {name: ["Give a valid id."] for name in ("region_id", "school_id")
              if not (isinstance(body.get(name), str) and _REF.match(body[name]))}
    number = body.get("student_number")
    if not (isinstance(number, str) and STUDENT_NUMBER.match(number)):
        fields["student_number"] = ["Give a student number of 1 to 20 letters, digits or dashes."]
    if fields:
        return error(422, "validation_failed", "The input is not valid.", fields=fields)
    ref = commands.find_student_ref(deps(), body["region_id"], body["school_id"], number)  # NotFound: 404
    return json_response({"student_ref": ref})
