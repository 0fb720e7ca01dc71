"""The organisation staff's follow-up pages: the students placed with them (after release), and per placement
flag "not suitable" with a mandatory reason (confirmed on a page of its own first), register contact moments,
and the closing evaluation.

Imports flask, marshmallow, the shared web layer and reporting's follow-up commands.
"""

from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, Response, redirect, request, url_for
from marshmallow import Schema, ValidationError

from stagepool_shared.events.placements import FAILURE_REASONS
from stagepool_shared.web.confirm import confirm_page, needs_confirmation
from stagepool_shared.web.pages import current_lang, field_errors, page, render, t

from ...commands import evaluations as evaluation_commands
from ...commands import followup as followup_commands
from ...domain.followup import CONTACT_KINDS
from ...errors import InvalidInput, NotFound
from ...schemas import ContactMomentSchema, EvaluationSchema, NotSuitableSchema
from ..web import deps
from .common import form_booleans, form_values, me, not_found, options, typed, word

ORGANISATION = "organisation_staff"
FORMS: dict[str, tuple[str, ...]] = {
    "not_suitable": ("reason_code", "after_introduction"),
    "contact": ("date", "kind", "signal", "exception"),
    "evaluation": ("satisfaction", "would_again"),  # the discrimination questions are the student's (issue 20.5)
}

blueprint = Blueprint("reporting_followup", __name__, url_prefix="/pages/followup")


@blueprint.get("")
@page(ORGANISATION)
def placements() -> Response:
    """The students placed with the organisation, with their contact status."""
    return render("pages/followup.html", rows=followup_commands.list_followed_placements(deps(), me()))


@blueprint.get("/<period_id>/<student_ref>")
@page(ORGANISATION)
def placement(period_id: str, student_ref: str) -> Response:
    return _placement(period_id, student_ref)


@blueprint.post("/<period_id>/<student_ref>/<any(not_suitable, contact, evaluation):form>")
@page(ORGANISATION)
def submit(period_id: str, student_ref: str, form: str) -> Response:
    """One of the placement's three forms; its errors are shown next to its fields, its values kept."""
    values = form_values(FORMS[form])
    try:
        if form == "not_suitable" and needs_confirmation():
            return _confirm_not_suitable(period_id, student_ref, values)
        _ACTIONS[form](period_id, student_ref, values)
    except ValidationError as err:
        return _placement(period_id, student_ref, {form: typed(values, FORMS[form])}, field_errors(err.messages), 422)
    except InvalidInput as err:  # a rule of the domain (an evaluation of a placement that never started)
        words = {name: [word(code, current_lang()) for code in codes] for name, codes in err.fields.items()}
        return _placement(period_id, student_ref, {form: typed(values, FORMS[form])}, words, 422)
    except NotFound:
        return not_found()
    return redirect(url_for(".placement", period_id=period_id, student_ref=student_ref, done=form))


def _load(schema: Schema, period_id: str, values: dict) -> dict:
    return schema.load(form_booleans(schema, {**values, "period_id": period_id}))


def _flag(period_id: str, student_ref: str, values: dict[str, str]) -> None:
    data = _load(NotSuitableSchema(), period_id, values)
    followup_commands.flag_not_suitable(deps(), me(), period_id, student_ref, data["reason_code"],
                                        data["after_introduction"])


def _confirm_not_suitable(period_id: str, student_ref: str, values: dict[str, str]) -> Response:
    """"Past niet" ends the placement (issue 14.13): a valid form is confirmed first, on a page of its own."""
    data = _load(NotSuitableSchema(), period_id, values)  # a bad form shows its messages first
    followup_commands.read_contact_status(deps(), me(), period_id, student_ref)  # NotFound for another's student
    reason = dict(options(FAILURE_REASONS, current_lang())).get(data["reason_code"], data["reason_code"])
    return confirm_page(
        t("Melden dat deze plaatsing niet past?", "Report that this placement is not suitable?"),
        t(f"Reden: {reason}. De plaatsing stopt: de school en de matcher horen het, en de student krijgt in de "
          "volgende herronde een andere plaats, niet meer bij u. Dit kan niet worden teruggedraaid.",
          f"Reason: {reason}. The placement ends: the school and the matcher are told, and the student gets another "
          "place in the next re-match, no longer with you. This cannot be undone."),
        t("Ja, melden: past niet", "Yes, report: not suitable"),
        url_for(".placement", period_id=period_id, student_ref=student_ref), t("Nee, terug", "No, go back"))


def _contact(period_id: str, student_ref: str, values: dict[str, str]) -> None:
    data = _load(ContactMomentSchema(), period_id, values)
    followup_commands.add_contact(deps(), me(), period_id, student_ref, data["date"].isoformat(), data["kind"],
                                  data["signal"], data["exception"])


def _evaluate(period_id: str, student_ref: str, values: dict[str, str]) -> None:
    score = values.get("satisfaction", "")
    typed_values: dict = {**values, "satisfaction": int(score)} if score.isdigit() else values
    data = _load(EvaluationSchema(), period_id, typed_values)  # the API's schema takes a number, a form gives text
    data.pop("period_id")
    evaluation_commands.evaluate(deps(), me(), period_id, student_ref, data)


_ACTIONS: dict[str, Callable[[str, str, dict[str, str]], None]] = {
    "not_suitable": _flag, "contact": _contact, "evaluation": _evaluate}


def _placement(period_id: str, student_ref: str, forms: dict[str, dict] | None = None,
               errors: dict[str, list[str]] | None = None, status: int = 200) -> Response:
    lang = current_lang()
    try:
        contact = followup_commands.read_contact_status(deps(), me(), period_id, student_ref)
        moments = followup_commands.read_contact_moments(deps(), me(), period_id, student_ref)
    except NotFound:
        return not_found()
    filled = {name: typed({}, fields) for name, fields in FORMS.items()} | (forms or {})
    context: dict[str, Any] = dict(
        period_id=period_id, student_ref=student_ref, contact=contact, moments=moments, forms=filled,
        errors=errors or {}, done=request.args.get("done", ""), reasons=options(FAILURE_REASONS, lang),
        kinds=options(CONTACT_KINDS, lang), kind_words=dict(options(CONTACT_KINDS, lang)),
        scores=[(str(n), str(n)) for n in range(1, 6)],
        invite=evaluation_commands.invitation(deps(), me(), period_id, student_ref),
        yes_no=[("true", t("Ja", "Yes")), ("false", t("Nee", "No"))])
    return render("pages/followup_placement.html", status=status, **context)
