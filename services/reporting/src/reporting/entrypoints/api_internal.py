"""Reporting's internal endpoint for the notifier (role service, scope notifier), issue 20.4:

GET /internal/v1/aftercare/tasks/<task_id>/contact?region_id=&school_id=  -> {"name", "email"}

The school's contact for the organisation of a contact-moment reminder (R38), so the notifier can e-mail the
reminder that `contact.task_opened` announced (the event carries ids only). 404 for an unknown task, a task
that is not for the school's contact, or no contact named. The answer is not logged here. Imports flask, the
shared HTTP layer and the contact-moment commands.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, jsonify, request

from stagepool_shared.events.base import ID_PATTERN
from stagepool_shared.http import current_principal, error, require

from ..commands.contact_signals import school_contact_for_task
from .web import deps, tokens

blueprint = Blueprint("reporting_internal", __name__, url_prefix="/internal/v1")
_ID = re.compile(ID_PATTERN)


@blueprint.get("/aftercare/tasks/<task_id>/contact")
@require(tokens, "service")
def task_contact(task_id: str) -> Response | tuple[Response, int]:
    """The name and e-mail of the school's contact a reminder is for (the notifier only)."""
    if current_principal().scope != "notifier":
        return error(403, "forbidden", "Your role may not do this.")
    region_id, school_id = request.args.get("region_id", ""), request.args.get("school_id", "")
    if not (_ID.match(region_id) and _ID.match(school_id) and _ID.match(task_id)):
        return error(400, "bad_request", "Give a valid region_id and school_id.")
    contact = school_contact_for_task(deps(), region_id, school_id, task_id)
    return jsonify({"name": contact.name, "email": contact.email})
