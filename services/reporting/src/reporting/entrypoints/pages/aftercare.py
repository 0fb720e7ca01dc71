"""The aftercare pages (issue 20): one placement's page for its three parties, with the placement agreement
(POK), printable (a print stylesheet makes the PDF: the browser's "print to PDF"), and the kennismaking, with
the forms of each party (the organisation proposes a moment and records the outcome, the student confirms,
the school marks a teacher as accompanying, each party signs a sent POK); and the school's task list. After a
rejection the student sees the way to the desk. The student's name comes from intake per view (never stored).

Imports flask, the shared web layer and reporting's aftercare commands.
"""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from flask import Blueprint, Response, redirect, url_for

from stagepool_shared.i18n import LOCAL_ZONE
from stagepool_shared.web.pages import current_lang, form_values, page, render

from ...commands import aftercare as pok_commands
from ...commands import aftercare_intro
from ...domain.aftercare_intro import REJECTION_REASONS
from ...errors import InvalidInput, InvalidTransition, NotFound
from ..web import deps
from .common import me, not_found, options, word

PARTIES = ("student", "school_staff", "support_staff", "organisation_staff")
SCHOOL = ("school_staff", "support_staff")
FIELDS = {"propose": ("moment",), "outcome": ("outcome", "reason_code"), "accompany": ("accompanied",),
          "confirm": (), "sign": ()}

blueprint = Blueprint("reporting_aftercare", __name__, url_prefix="/pages/aftercare")


@blueprint.get("/<period_id>/<student_ref>")
@page(*PARTIES)
def placement(period_id: str, student_ref: str) -> Response:
    """The POK of the placement and its kennismaking, as the parties see (and print) them."""
    return _placement(period_id, student_ref)


@blueprint.post("/<period_id>/<student_ref>/<any(propose, confirm, accompany, outcome, sign):form>")
@page(*PARTIES)
def submit(period_id: str, student_ref: str, form: str) -> Response:
    """One party's form; a field error shows next to its field and changes nothing."""
    values = form_values(FIELDS[form])
    try:
        _ACTIONS[form](period_id, student_ref, values)
    except NotFound:
        return not_found()
    except InvalidInput as err:
        return _placement(period_id, student_ref, err.fields, values, 422)
    except InvalidTransition as err:
        return _placement(period_id, student_ref, {"status": [err.current]}, values, 409)
    return redirect(url_for(".placement", period_id=period_id, student_ref=student_ref, done=form))


@blueprint.get("/tasks")
@page(*SCHOOL)
def tasks() -> Response:
    """The school's follow-up tasks after rejections (R105), open first, with the contact who is to call."""
    lang = current_lang()
    return render("pages/aftercare_tasks.html", rows=aftercare_intro.list_tasks(deps(), me()),
                  words=lambda code: word(code, lang))


@blueprint.post("/tasks/<task_id>/done")
@page(*SCHOOL)
def task_done(task_id: str) -> Response:
    try:
        aftercare_intro.complete_task(deps(), me(), task_id)
    except NotFound:
        return not_found()
    return redirect(url_for(".tasks"))


def _propose(period_id: str, student_ref: str, values: dict) -> None:
    try:
        moment = datetime.fromisoformat(values.get("moment", "")).replace(tzinfo=LOCAL_ZONE)
    except ValueError:
        raise InvalidInput({"moment": ["missing_moment"]}) from None
    aftercare_intro.propose_introduction(deps(), me(), period_id, student_ref, moment)


def _outcome(period_id: str, student_ref: str, values: dict) -> None:
    outcome = values.get("outcome")
    if outcome not in ("continue", "rejected"):
        raise InvalidInput({"outcome": ["missing_outcome"]})
    aftercare_intro.record_outcome(deps(), me(), period_id, student_ref, outcome, values.get("reason_code"))


_ACTIONS: dict[str, Callable[[str, str, dict], object]] = {
    "propose": _propose,
    "confirm": lambda period, ref, _: aftercare_intro.confirm_introduction(deps(), me(), period, ref),
    "accompany": lambda period, ref, values: aftercare_intro.mark_accompanied(
        deps(), me(), period, ref, values.get("accompanied") == "true"),
    "outcome": _outcome,
    "sign": lambda period, ref, _: pok_commands.sign_pok(deps(), me(), period, ref),
}


def _placement(period_id: str, student_ref: str, errors: dict | None = None, form: dict | None = None,
               status: int = 200) -> Response:
    try:
        intro = aftercare_intro.read_introduction(deps(), me(), period_id, student_ref)
    except NotFound:
        return not_found()
    try:
        pok, people = pok_commands.read_pok(deps(), me(), period_id, student_ref)
    except NotFound:  # not accepted yet: the kennismaking comes first
        pok, people = None, None
    lang = current_lang()
    return render("pages/aftercare_pok.html", status=status, pok=pok, people=people, intro=intro,
                  period_id=period_id, student_ref=student_ref,
                  student_name=pok_commands.student_name(deps(), pok) if pok else None,
                  words=lambda code: word(code, lang), reasons=options(REJECTION_REASONS, lang), form=form or {},
                  errors={name: [word(code, lang) for code in codes] for name, codes in (errors or {}).items()})
