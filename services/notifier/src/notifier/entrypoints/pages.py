"""The notifier's pages: the student's placement with its "why" and the answer form (from the release
moment), and the organisation's placed students with contact details (after release only).

Views parse the form, call the commands and render templates in templates/pages/; the blueprint `bp` is
registered by create_app. Imports Flask, the shared web layer and the notifier's commands.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, redirect, request, url_for

from stagepool_shared.errors import PublishFailed
from stagepool_shared.events.placements import REFUSAL_REASONS
from stagepool_shared.web.confirm import confirm_page, needs_confirmation
from stagepool_shared.web.pages import current_lang, page, render, t, web_session

from .. import commands
from ..errors import (AlreadyAnswered, DeadlinePassed, NotCurrentOutcome, PlacementExcluded, PlacementNotFound,
                      PlaceWithdrawn)
from .web import NOT_ANSWERABLE, deps, wiring

REASON_TEXT = {
    "travel": ("De reistijd is te lang", "The travel time is too long"),
    "content": ("Het werk past niet bij mijn opleiding of wensen", "The work does not fit my course or wishes"),
    "own_place_found": ("Ik heb zelf een stageplek gevonden", "I found an internship myself"),
    "schedule": ("De werktijden passen niet", "The working hours do not fit"),
    "allowance": ("Er is geen of te weinig stagevergoeding", "There is no or too little allowance"),
    "safety": ("Ik voel me daar niet veilig", "I do not feel safe there"),
    "other": ("Een andere reden", "Another reason"),
}
ANSWERS = ("accept", "refuse")


bp = Blueprint("notifier_pages", __name__, url_prefix="/pages")


def _scope() -> str:
    session = web_session()
    if session is None:  # pragma: no cover - page() redirects first
        abort(401)
    return session.principal.scope


def _student_page(status: int = 200, **form: Any) -> Response:
    renderer = wiring().renderer
    labels = renderer.labels(current_lang())
    reasons = [(code, t(*REASON_TEXT.get(code, (code, code)))) for code in REFUSAL_REASONS]
    return render("pages/student.html", status=status,
                  periods=commands.student_periods(deps(), _scope()),
                  labels=labels, hint_text=renderer.hint_text, reasons=reasons,
                  reason_text={c: l for c, l in reasons}, form=form.get("form", {}), errors=form.get("errors", {}),
                  page_error=form.get("page_error", ""), answered=request.args.get("answered", ""))


@bp.get("/student")
@page("student")
def student() -> Response:
    """The student's placement and why, or "no outcome yet" before the release."""
    return _student_page()


@bp.post("/student/<string(maxlength=80):round_id>/answer")
@page("student")
def answer(round_id: str) -> Response:
    """Accept, or refuse with a reason code; the answer is published before it is recorded."""
    form = {"round_id": round_id, "answer": request.form.get("answer", ""),
            "reason_code": request.form.get("reason_code", "")}
    errors = _answer_errors(form)
    if errors:
        return _student_page(422, form=form, errors=errors)
    if form["answer"] == "refuse" and needs_confirmation():
        return confirm_page(t("Deze stageplek weigeren?", "Refuse this internship place?"), t(
            f"Je weigert de plek met als reden: {t(*REASON_TEXT[form['reason_code']])}. Dit kun je niet terugdraaien: "
            "deze plek wordt je niet meer aangeboden. Je school neemt contact met je op.",
            f"You refuse the place, with the reason: {t(*REASON_TEXT[form['reason_code']])}. This cannot be undone: "
            "this place is not offered to you again. Your school will contact you."),
            t("Ja, ik weiger deze plek", "Yes, I refuse this place"), url_for(".student"),
            t("Nee, terug naar mijn stageplaats", "No, back to my placement"))
    reason = form["reason_code"] if form["answer"] == "refuse" else None
    try:
        commands.answer_placement(deps(), round_id, _scope(),
                                  "accepted" if form["answer"] == "accept" else "refused", reason)
    except PlacementNotFound:
        abort(404)
    except AlreadyAnswered as err:
        return _student_page(409, form=form, page_error=t(f"Je hebt deze plek al {_nl(err.answer)}.",
                                                          f"You already {err.answer} this place."))
    except DeadlinePassed:
        return _student_page(409, form=form, page_error=t(
            "De termijn om te antwoorden is voorbij; neem contact op met je school.",
            "The deadline to answer has passed; contact your school."))
    except (NotCurrentOutcome, PlacementExcluded, PlaceWithdrawn) as err:
        _, nl, en = NOT_ANSWERABLE[type(err)]
        return _student_page(409, form=form, page_error=t(nl, en))
    except PublishFailed:
        return _student_page(503, form=form, page_error=t(
            "Je antwoord kon nu niet worden vastgelegd; er is niets opgeslagen. Probeer het zo opnieuw.",
            "Your answer could not be recorded just now; nothing was stored. Please try again shortly."))
    return redirect(url_for(".student", answered=form["answer"]))


@bp.get("/organisation")
@page("organisation_staff")
def organisation() -> Response:
    """The students placed with the organisation, after release only, once each, with contact details."""
    students, reachable = commands.organisation_students(deps(), _scope())
    return render("pages/organisation.html", students=students, reachable=reachable,
                  labels=wiring().renderer.labels(current_lang()))


def _answer_errors(form: dict[str, str]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if form["answer"] not in ANSWERS:
        errors["answer"] = [t("Kies: accepteren of weigeren.", "Choose: accept or refuse.")]
    elif form["answer"] == "refuse" and form["reason_code"] not in REFUSAL_REASONS:
        errors["reason_code"] = [t("Kies een reden om te weigeren.", "Choose a reason for refusing.")]
    return errors


def _nl(answer: str) -> str:
    return {"accepted": "geaccepteerd", "refused": "geweigerd"}.get(answer, answer)
