"""Internal endpoints for the notifier (role service, scope notifier): contacts of released students, the
contact persons of released places and a school's contact address. A student who is not in a released round,
and a place no released round placed a student at, answer as not found."""

from __future__ import annotations

import re
from dataclasses import asdict

from flask import Blueprint, Response, g, request

from stagepool_shared.events.base import ID_PATTERN
from stagepool_shared.http import error, read_json

from .. import commands
from .web import deps, json_response, requires

bp = Blueprint("internal", __name__, url_prefix="/internal/v1")
_REF = re.compile(ID_PATTERN)
MAX_REFS = 500


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
    the whole question (403); unknown pseudonyms are listed under `not_found`."""
    if g.principal.scope != "matcher":
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
