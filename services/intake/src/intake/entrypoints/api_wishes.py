"""Wishes and students (school staff of one school): submit, withdraw, opt out, read, erase.

Every id of another school answers 404 exactly like a missing one. Imports Flask and the edge helpers.
"""

from __future__ import annotations

from flask import Blueprint, Response, g

from stagepool_shared.http import read_json

from .. import commands
from ..domain.model import Student, WishRecord
from .schemas import OptOutIn, WishSubmissionIn, WithdrawIn
from .web import SCHOOL_ROLES, accepted, deps, idempotent, json_response, load, requires, seed

bp = Blueprint("wishes", __name__, url_prefix="/api/v1")
ID = "<string(maxlength=80):student_ref>"
WISH = f"/students/{ID}/wishes/<string(maxlength=80):period_id>"


@bp.post("/wishes")
@requires(*SCHOOL_ROLES)
@idempotent
def submit_wish() -> Response:
    """Submit (or replace) one student's wish; 202 once Kafka acknowledged the event."""
    data = load(WishSubmissionIn(), read_json(), criteria_keys=("wish",))
    principal = g.principal
    envelope = commands.submit_wishes(deps(), principal.scope, principal.region_id,
                                      [(data["student"], data["wish"])], seed())[0]
    return accepted(envelope, student_ref=envelope.payload.student_ref)


#: How a wish ends, by its route: the body's schema, the field the command needs, and the command.
ENDINGS = {
    "withdraw": (WithdrawIn, "reason", commands.withdraw_wish),
    "opt-out": (OptOutIn, "own_place", commands.opt_out),
}


@bp.post(f"{WISH}/withdraw", endpoint="withdraw_wish", defaults={"ending": "withdraw"})
@bp.post(f"{WISH}/opt-out", endpoint="opt_out", defaults={"ending": "opt-out"})
@requires(*SCHOOL_ROLES)
@idempotent
def end_wish(student_ref: str, period_id: str, ending: str) -> Response:
    """Withdraw a wish (the student no longer seeks a place this period), or opt out (the student found a
    place of their own, or opts out of matching)."""
    schema, field, end = ENDINGS[ending]
    value = load(schema(), read_json())[field]
    envelope = end(deps(), g.principal.scope, student_ref, period_id, value, seed())
    return accepted(envelope, student_ref=student_ref)


@bp.get("/students")
@requires(*SCHOOL_ROLES)
def list_students() -> Response:
    """The pseudonyms of the caller's school's students."""
    return json_response({"student_refs": commands.students_of_school(deps(), g.principal.scope)})


@bp.get(f"/students/{ID}")
@requires(*SCHOOL_ROLES)
def get_student(student_ref: str) -> Response:
    """One own student: personal data and wishes (404 for a foreign or unknown id)."""
    student, wishes = commands.student_file(deps(), g.principal.scope, student_ref)
    return json_response(_student_view(student, wishes))


@bp.delete(f"/students/{ID}")
@requires(*SCHOOL_ROLES)
@idempotent
def erase_student(student_ref: str) -> Response:
    """Erase a student's personal data and publish student.erased."""
    envelope = commands.erase_student(deps(), g.principal.scope, student_ref, g.principal.region_id, seed())
    return accepted(envelope, student_ref=student_ref)


def _student_view(student: Student, wishes: list[WishRecord]) -> dict:
    return {
        "student_ref": student.student_ref,
        "student": {"student_number": student.student_number, "name": student.name, "email": student.email,
                    "phone": student.phone, "address": student.address, "postcode": student.postcode,
                    "date_of_birth": student.date_of_birth.isoformat()},
        "wishes": [{"period_id": w.period_id, "status": w.status, "leerwens": w.leerwens, "criteria": w.payload}
                   for w in wishes],
    }
