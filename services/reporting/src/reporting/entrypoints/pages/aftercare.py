"""The aftercare pages (issue 20): one placement's page for its three parties, with the placement agreement
(POK), printable (a print stylesheet makes the PDF: the browser's "print to PDF"), and the kennismaking, with
the forms of each party (the organisation proposes a moment and records the outcome, the student confirms,
the school marks a teacher as accompanying, each party signs a sent POK, each party evaluates the placement at
its end, "evalueer deze stage" once the window is open, the student with discrimination asked per phase); and the school's task list, where staff open a task, record
their call with the organisation and close it. After a rejection the student sees the way to the desk. The
student's name comes from intake per view (never stored).

Imports flask, marshmallow, the shared web layer, reporting's input schemas and its aftercare and evaluation
commands.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Callable

from flask import Blueprint, Response, redirect, request, url_for
from marshmallow import ValidationError

from stagepool_shared.i18n import LOCAL_ZONE
from stagepool_shared.web.pages import current_lang, field_errors, form_values, page, render

from ...commands import aftercare as pok_commands
from ...commands import aftercare_intro
from ...commands import evaluations as evaluation_commands
from ...commands.lookups import school_names
from ...domain.aftercare import Pok
from ...domain.aftercare_intro import CALL_OUTCOMES, REJECTION_REASONS
from ...domain.contact_plan import addressee, category
from ...domain.evaluations import PHASES, phase_field
from ...errors import InvalidInput, InvalidTransition, NotFound
from ...schemas import EvaluationSchema
from ..web import deps
from .common import form_booleans, me, not_found, options, word

PARTIES = ("student", "school_staff", "support_staff", "organisation_staff")
SCHOOL = ("school_staff", "support_staff")
FIELDS = {"propose": ("moment",), "outcome": ("outcome", "reason_code"), "accompany": ("accompanied",),
          "confirm": (), "sign": (),
          "evaluate": ("satisfaction", "would_again", *(phase_field(phase) for phase in PHASES))}

blueprint = Blueprint("reporting_aftercare", __name__, url_prefix="/pages/aftercare")


@blueprint.get("/<period_id>/<student_ref>")
@page(*PARTIES)
def placement(period_id: str, student_ref: str) -> Response:
    """The POK of the placement and its kennismaking, as the parties see (and print) them."""
    return _placement(period_id, student_ref)


@blueprint.post("/<period_id>/<student_ref>/<any(propose, confirm, accompany, outcome, sign, evaluate):form>")
@page(*PARTIES)
def submit(period_id: str, student_ref: str, form: str) -> Response:
    """One party's form; a field error shows next to its field and changes nothing."""
    values = form_values(FIELDS[form])
    try:
        _ACTIONS[form](period_id, student_ref, values)
    except NotFound:
        return not_found()
    except InvalidInput as err:
        return _placement(period_id, student_ref, _worded(err.fields), values, 422)
    except ValidationError as err:  # the evaluation's answers, read by the API's schema
        return _placement(period_id, student_ref, field_errors(err.messages), values, 422)
    except InvalidTransition as err:
        return _placement(period_id, student_ref, _worded({"status": [err.current]}), values, 409)
    return redirect(url_for(".placement", period_id=period_id, student_ref=student_ref, done=form))


@blueprint.get("/tasks")
@page(*SCHOOL)
def tasks() -> Response:
    """The school's follow-up tasks after rejections (R105) and of contact moments (R132), open first, each with
    its kind (reminder, escalation, or a task to act on) and who it is for: the school's contact for the
    organisation, or for an escalation the school's internship coordinator."""
    lang = current_lang()
    return render("pages/aftercare_tasks.html", rows=aftercare_intro.list_tasks(deps(), me()),
                  words=lambda code: word(code, lang), category=category, addressee=addressee,
                  remind_days=deps().contact_remind_days)


@blueprint.get("/tasks/<task_id>")
@page(*SCHOOL)
def task(task_id: str) -> Response:
    """One task: who is to call whom and why, the call recorded so far, and closing it."""
    return _task(task_id)


@blueprint.post("/tasks/<task_id>/call")
@page(*SCHOOL)
def task_call(task_id: str) -> Response:
    """Record the call with the organisation (R105): the day and what it brought; errors next to the fields."""
    values = form_values(("called_on", "call_outcome"))
    try:
        aftercare_intro.record_call(deps(), me(), task_id, _day(values.get("called_on", "")),
                                    values.get("call_outcome") or None)
    except NotFound:
        return not_found()
    except InvalidInput as err:
        return _task(task_id, err.fields, values, 422)
    return redirect(url_for(".task", task_id=task_id, done="call"))


@blueprint.post("/tasks/<task_id>/done")
@page(*SCHOOL)
def task_done(task_id: str) -> Response:
    try:
        aftercare_intro.complete_task(deps(), me(), task_id)
    except NotFound:
        return not_found()
    return redirect(url_for(".tasks", done=task_id))


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _task(task_id: str, errors: dict | None = None, form: dict | None = None, status: int = 200) -> Response:
    try:
        task, contact = aftercare_intro.read_task(deps(), me(), task_id)
    except NotFound:
        return not_found()
    lang = current_lang()
    return render("pages/aftercare_task.html", status=status, task=task, contact=contact, form=form or {},
                  category=category, addressee=addressee,
                  outcomes=options(CALL_OUTCOMES, lang), words=lambda code: word(code, lang),
                  errors=_worded(errors))


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


def _evaluate(period_id: str, student_ref: str, values: dict) -> None:
    """A party's end evaluation, read by the API's schema (the form's text as numbers and booleans; the phase
    questions only on the student's form)."""
    answers: dict = {**values, "period_id": period_id}
    if values.get("satisfaction", "").isdigit():
        answers["satisfaction"] = int(values["satisfaction"])
    data = EvaluationSchema().load(form_booleans(EvaluationSchema(), answers))
    data.pop("period_id")
    evaluation_commands.evaluate(deps(), me(), period_id, student_ref, data)


_ACTIONS: dict[str, Callable[[str, str, dict], object]] = {
    "propose": _propose,
    "confirm": lambda period, ref, _: aftercare_intro.confirm_introduction(deps(), me(), period, ref),
    "accompany": lambda period, ref, values: aftercare_intro.mark_accompanied(
        deps(), me(), period, ref, values.get("accompanied") == "true"),
    "outcome": _outcome,
    "sign": lambda period, ref, _: pok_commands.sign_pok(deps(), me(), period, ref),
    "evaluate": _evaluate,
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
                  errors=errors or {}, done=request.args.get("done", ""),
                  scores=[(str(n), str(n)) for n in range(1, 6)], phases=[phase_field(phase) for phase in PHASES],
                  invite=evaluation_commands.invitation(deps(), me(), period_id, student_ref),
                  parties=_party_names(pok))


def _party_names(pok: Pok | None) -> dict[str, str]:
    """The school and the organisation of a POK by name (their ids when no name is known), for the paper copy."""
    if pok is None:
        return {}
    school = school_names(deps(), [pok.school_id]).get(pok.school_id, pok.school_id)
    place = deps().views.place(pok.region_id, pok.period_id, pok.place_id) if pok.place_id else None
    organisation = (place.organisation_name if place else "") or pok.organisation_id
    return {"school": school, "organisation": organisation}


def _worded(errors: dict | None) -> dict[str, list[str]]:
    """Field error codes as the words of the page's language."""
    lang = current_lang()
    return {name: [word(code, lang) for code in codes] for name, codes in (errors or {}).items()}
