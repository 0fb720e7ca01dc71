"""The review page for school staff and support staff: the round proposal for their own school's students,
each with its explanation (criteria met, wish rank, travel time; for an unplaced student the reason and the
nearest change that would help), and the approval (two distinct colleagues; support staff approve for
students with support needs) with what is still missing.

Imports Flask, the shared web layer and the matcher's commands; names stay with intake (pseudonyms here).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, request, url_for

from stagepool_shared.events.rounds import Hint, Outcome
from stagepool_shared.web.pages import current_lang, field_errors, page, render, web_session

from .. import commands
from ..domain import wording
from ..errors import RoundConflict, RoundNotFound
from . import page_figures as pf
from .web import deps

STAFF = ("school_staff", "support_staff")

bp = Blueprint("matcher_review", __name__, url_prefix="/pages/review")


@bp.get("")
@page(*STAFF)
def review() -> Response:
    return _review(request.args.get("round", ""))


@bp.post("/<round_id>/approve")
@page(*STAFF)
def approve(round_id: str) -> Response:
    try:
        commands.approve_round(deps(), web_session().principal, round_id)
    except RoundNotFound:
        return _review("", status=404)
    except RoundConflict as err:
        return _review(round_id, status=409, problem=field_errors({"m": [str(err)]})["m"][0])
    return redirect(url_for(".review", round=round_id, approved=1))


def _review(asked: str, status: int = 200, problem: str | None = None) -> Response:
    principal, lang = web_session().principal, current_lang()
    rounds = commands.rounds_to_review(deps(), principal)
    by_id = {r.round_id: r for r in rounds}
    proposed = [r for r in rounds if r.status == "proposed"]
    record = by_id.get(asked) or (proposed[-1] if proposed else (rounds[-1] if rounds else None))
    context: dict[str, Any] = dict(rounds=[(r, pf.word(pf.STATUSES, lang, r.status)) for r in reversed(rounds)],
                                   record=record, problem=problem,
                                   approved=request.args.get("approved") == "1", not_found=status == 404)
    if record is not None:
        outcomes = commands.visible_outcomes(principal, deps().store.outcomes(record.round_id))
        if principal.role == "support_staff":
            outcomes.sort(key=lambda o: (not o.support_needs, o.student_ref))
        state = commands.approval_of(record)
        context.update(
            outcomes=[_explained(o, lang) for o in outcomes], state=state,
            status_text=pf.word(pf.STATUSES, lang, record.status),
            mine=principal.user_id in state.approvers,
            my_school_missing_support=principal.scope in state.schools_missing_support,
            my_school=next((s for s in state.schools if s.school_id == principal.scope), None),
            other_schools_missing=[s.school_id for s in state.schools_missing if s.school_id != principal.scope],
            placed=sum(1 for o in outcomes if o.status in ("placed", "kept")),
            with_support=sum(1 for o in outcomes if o.support_needs))
    return render("matcher/review.html", status=status, **context)


def _explained(outcome: Outcome, lang: str) -> dict[str, Any]:
    """One student's outcome with its explanation in words."""
    return {
        "student_ref": outcome.student_ref, "status": outcome.status,
        "status_text": pf.word(pf.STATUSES, lang, outcome.status),
        "placed": outcome.status in ("placed", "kept"), "place_id": outcome.place_id or "",
        "organisation_id": outcome.organisation_id or "",
        "wish": pf.word(pf.MATCHES, lang, outcome.wish_match), "travel": outcome.travel_minutes,
        "criteria": [pf.criterion(lang, c, met=True) for c in outcome.criteria_met],
        "support": list(outcome.support_needs),
        "reason": pf.word(pf.REASONS, lang, outcome.reason_code) if outcome.reason_code else "",
        "binding": pf.criterion(lang, outcome.binding_constraint) if outcome.binding_constraint else "",
        "hints": [hint_text(h, lang) for h in outcome.hints],
    }


def hint_text(hint: Hint, lang: str) -> str:
    """The nearest change that would have helped, as a sentence."""
    return wording.hint_text(hint.criterion, hint.change, hint.unit, hint.opens_places, lang, hint.free_places)
