"""The review page for school staff and support staff: the round proposal for their own school's students,
by name and student number (asked of intake for this page view only, never stored here), each with its
place and organisation by name and its explanation in words; searched and paged on the server (50 a page);
the approval (two distinct colleagues; support staff approve for students with support needs) with what is
still missing; and an objection to a match (a reason from a list, and an explanation that stays with the
school: it is neither published nor stored by the matcher).

Imports Flask, marshmallow, the shared web layer and the matcher's commands.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, request, url_for
from marshmallow import ValidationError

from stagepool_shared.web.pages import current_lang, field_errors, form_values, page, render, t, web_session

from .. import commands
from ..errors import RoundConflict, RoundNotFound, StudentNamesUnavailable
from ..rounds.record import RoundRecord
from . import page_figures as pf
from . import review_rows
from .objection_form import NOTE_NEEDED, OBJECTION_FIELDS, ObjectionSchema
from .review_rows import hint_text  # noqa: F401 (the review page's hints, also tested through here)
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


@bp.post("/<round_id>/objections")
@page(*STAFF)
def object_to_match(round_id: str) -> Response:
    """Object to one of the school's matches: a reason is required (422 next to the field otherwise)."""
    values = form_values(OBJECTION_FIELDS)
    try:
        body = ObjectionSchema().load(values)
    except ValidationError as err:
        errors = field_errors(err.messages)
        if err.messages.get("note") == [NOTE_NEEDED]:
            errors["note"] = [t("Licht het bezwaar toe als u 'anders' kiest.", "Explain the objection when you "
                                                                               "choose 'other'.")]
        return _review(round_id, status=422, objection={"key": values.get("student_ref", ""), "errors": errors,
                                                        "values": values})
    try:
        commands.object_to_match(deps(), web_session().principal, round_id, body["student_ref"], body["reason_code"])
    except RoundNotFound:
        return _review("", status=404)
    except RoundConflict as err:
        return _review(round_id, status=409, problem=field_errors({"m": [str(err)]})["m"][0])
    return redirect(url_for(".review", round=round_id, objected=1))


def _review(asked: str, status: int = 200, problem: str | None = None,
            objection: dict[str, Any] | None = None) -> Response:
    principal, lang = web_session().principal, current_lang()
    rounds = commands.rounds_to_review(deps(), principal)
    by_id = {r.round_id: r for r in rounds}
    proposed = [r for r in rounds if r.status == "proposed"]
    record = by_id.get(asked) or (proposed[-1] if proposed else (rounds[-1] if rounds else None))
    context: dict[str, Any] = dict(rounds=[(r, pf.word(pf.STATUSES, lang, r.status)) for r in reversed(rounds)],
                                   record=record, problem=problem, objection=objection or {},
                                   approved=request.args.get("approved") == "1",
                                   objected=request.args.get("objected") == "1", not_found=status == 404,
                                   reasons=list(review_rows.REASON_WORDS.get(lang, review_rows.REASON_WORDS["nl"])
                                                .items()))
    if record is not None:
        context.update(_proposal(record, lang))
    return render("matcher/review.html", status=status, **context)


def _proposal(record: RoundRecord, lang: str) -> dict[str, Any]:
    """The school's students in one round, by name, searched and paged, with the approval state."""
    principal = web_session().principal
    outcomes = commands.visible_outcomes(principal, deps().store.outcomes(record.round_id))
    try:
        names, names_missing = commands.review_names(deps(), principal, outcomes), False
    except StudentNamesUnavailable:
        names, names_missing = {}, True
    places = commands.round_places(deps(), record)
    objected = {o.student_ref for o in record.objections if o.school_id == principal.scope}
    rows = [review_rows.row(o, names.get(o.student_ref), places.get(o.place_id or ""), lang,
                            o.student_ref in objected) for o in outcomes]
    query = request.args.get("q", "").strip()[:100]
    shown = review_rows.listing(rows, query, _page_number(), principal.role == "support_staff")
    state = commands.approval_of(record)
    return dict(
        outcomes=shown.rows, listing=shown, query=query, names_missing=names_missing, total=len(rows),
        state=state, status_text=pf.word(pf.STATUSES, lang, record.status),
        mine=principal.user_id in state.approvers,
        my_school_missing_support=principal.scope in state.schools_missing_support,
        my_school=next((s for s in state.schools if s.school_id == principal.scope), None),
        other_schools_missing=[s.school_id for s in state.schools_missing if s.school_id != principal.scope],
        placed=sum(1 for o in outcomes if o.status in ("placed", "kept")),
        with_support=sum(1 for o in outcomes if o.support_needs), my_objections=len(objected))


def _page_number() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and len(raw) < 7 else 1
