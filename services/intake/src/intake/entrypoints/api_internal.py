"""Internal endpoints for the notifier (role service, scope notifier): contacts of released students and a
school's contact address. A student who is not in a released round answers as not found."""

from __future__ import annotations

import re
from dataclasses import asdict

from flask import Blueprint, Response, g, request

from stagepool_shared.events.base import ID_PATTERN
from stagepool_shared.http import error

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
