"""The regional coordinator's pages: the pool at a glance with charts, start a round, the rounds, a round's
figures compared with the one before, and setting the release moment (or releasing now).

Views call the same commands as the API (`matcher.commands`); forms are checked first and nothing is
published until they are valid. Imports Flask, marshmallow, the shared web layer and the matcher's commands.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, redirect, request, url_for
from marshmallow import ValidationError

from stagepool_shared.events.wishes import SECTORS
from stagepool_shared.i18n import local_time
from stagepool_shared.web.confirm import confirm_page, needs_confirmation
from stagepool_shared.web.pages import current_lang, field_errors, page, render, t, web_session

from .. import commands
from ..errors import RoundConflict, RoundNotFound
from ..rounds.record import RoundRecord
from . import page_audit, page_figures as pf, page_variants
from .web import deps, school_names
from .page_forms import (DEADLINE_BEFORE_RELEASE, ReleaseForm, StartRoundForm, as_local_input, form_values,
                         local_moment, typed)

COORDINATOR = "regional_coordinator"
START_FIELDS = ("period_id", "sector", "kind", "seed", "previous_round_id")
RELEASE_FIELDS = ("release_at", "respond_by", "release_now")

bp = Blueprint("matcher_coordinator", __name__, url_prefix="/pages/coordinator")


def _region() -> str:
    session = web_session()
    assert session is not None
    return session.principal.scope


@bp.get("")
@page(COORDINATOR)
def overview() -> Response:
    return _overview(typed({}, START_FIELDS), {})


@bp.post("/rounds")
@page(COORDINATOR)
def start_round() -> Response:
    values = form_values(START_FIELDS)
    try:
        body = StartRoundForm().load(values)
    except ValidationError as err:
        return _overview(typed(values, START_FIELDS), field_errors(err.messages), 422)
    try:
        round_id = commands.request_round(deps(), web_session().principal, region_id=_region(), **body)
    except RoundConflict:  # a final round that names no computed candidates round of its period
        message = t("Kies de kandidatenronde van deze periode waarvan de kandidaten zijn aangeboden.",
                    "Choose the candidates round of this period whose candidates were offered.")
        return _overview(typed(values, START_FIELDS), {"previous_round_id": [message]}, 422)
    return redirect(url_for(".round_page", round_id=round_id, started=1))


@bp.get("/rounds/<round_id>")
@page(COORDINATOR)
def round_page(round_id: str) -> Response:
    return _round(round_id, {}, {})


@bp.post("/rounds/<round_id>/release")
@page(COORDINATOR)
def release(round_id: str) -> Response:
    return _release(round_id)


def _overview(form: dict[str, str], errors: dict[str, list[str]], status: int = 200) -> Response:
    region, lang, store = _region(), current_lang(), deps().store
    rounds = store.list_rounds(region)
    periods = sorted(set(store.periods(region)) | {r.request.period_id for r in rounds})
    asked = request.args.get("period", "")
    period = asked if asked in periods else (rounds[-1].request.period_id if rounds else
                                             (periods[-1] if periods else ""))
    form = {**form, "period_id": form.get("period_id") or period}
    series = (t("Studenten die zoeken", "Students seeking"), t("Vrije plekken", "Open slots"))
    pool = store.load_pool(region, period, None) if period else None
    per_period = [pf.demand_of_period(store.load_pool(region, p, None)) for p in periods]
    latest = next((r for r in reversed(rounds) if r.request.period_id == period and r.summary is not None), None)
    context: dict[str, Any] = dict(
        region=region, period=period, periods=periods, rounds=[_row(r, lang) for r in reversed(rounds)],
        form=form, errors=errors, sector_options=[(s, s) for s in SECTORS],
        previous_options=[(r.round_id, f"{r.round_id} ({r.request.period_id}, "
                                        f"{pf.word(pf.STATUSES, lang, r.request.kind)})")
                          for r in reversed(rounds) if r.summary is not None],
        by_sector=pf.demand_by_sector(pool) if pool else [], by_level=pf.demand_by_level(pool) if pool else [],
        per_period=per_period, latest=latest and _row(latest, lang),
        sector_chart=pool and pf.demand_chart(t("Vraag en aanbod per sector", "Demand and slots per sector"),
                                              pf.demand_by_sector(pool), series),
        level_chart=pool and pf.demand_chart(t("Vraag en aanbod per niveau", "Demand and slots per level"),
                                             pf.demand_by_level(pool), series),
        period_chart=per_period and pf.demand_chart(t("Vraag en aanbod per periode", "Demand and slots per period"),
                                                    per_period, series),
        school_chart=latest and pf.school_rate_chart(t("Plaatsingspercentage per school",
                                                       "Placement rate per school"), latest,
                                                     school_names(pf.school_ids(latest))),
        reason_chart=latest and pf.reason_chart(t("Niet geplaatst, per reden", "Not placed, by reason"),
                                                latest, lang),
    )
    return render("matcher/coordinator.html", status=status, **context)


def _row(record: RoundRecord, lang: str) -> dict[str, Any]:
    """A round as a line of the rounds table."""
    s, held = record.summary, bool(record.held) and record.status != "released"
    return {"record": record, "round_id": record.round_id, "period_id": record.request.period_id,
            "kind": pf.word(pf.STATUSES, lang, record.request.kind), "sector": record.request.sector or "", "status": record.status,
            "held": held, "status_text": pf.word(pf.STATUSES, lang, "held" if held else record.status),
            "requested_at": local_time(record.requested_at),
            "placed": f"{s.placed} / {s.students}" if s else "–",
            "rate": pf.shown("top1_share", s.placed / s.students) if s and s.students else "–"}


def _round(round_id: str, form: dict[str, str], errors: dict[str, list[str]], status: int = 200,
           conflict: dict[str, Any] | None = None) -> Response:
    principal, lang, d = web_session().principal, current_lang(), deps()
    try:
        record = commands.visible_record(d, principal, round_id)
    except RoundNotFound:
        return render("stagepool/error.html", status=404, code=404, title=t("Niet gevonden", "Not found"),
                      message=t("Deze ronde bestaat niet of is niet voor u.", "This round does not exist or is not "
                                                                             "for you."))
    rounds = d.store.list_rounds(record.request.region_id)
    before = pf.previous_round(record, rounds) if record.summary else None
    now = d.clock()
    form = form or {"release_at": as_local_input(now + timedelta(hours=1)),
                    "respond_by": as_local_input(now + timedelta(days=7))}
    approval = commands.approval_of(record) if record.status != "requested" else None
    names = school_names(pf.school_ids(record, before) | {s.school_id for s in (approval.schools if approval else ())})
    return render(
        "matcher/round.html", status=status, round=_row(record, lang), record=record, approval=approval,
        school_name=lambda school_id: names.get(school_id) or school_id,
        figure_names=pf.FIGURE_NAMES.get(lang, pf.FIGURE_NAMES["nl"]),
        figures=[(f, pf.shown(f, getattr(record.summary, f))) for f in pf.FIGURES] if record.summary else [],
        certificate=pf.certificate(record.summary, lang),
        variant_rows=page_variants.round_rows(d.store, record, names, lang),
        variant_columns=page_variants.columns(lang),
        offer_rows=page_variants.offer_rows(d.store, record, names, lang),
        compare=pf.comparison(record, before, commands.round_movement(d, principal, before.round_id, round_id),
                              lang, names) if before else None,
        school_chart=pf.school_rate_chart(t("Plaatsingspercentage per school", "Placement rate per school"),
                                          record, names),
        reason_chart=pf.reason_chart(t("Niet geplaatst, per reden", "Not placed, by reason"), record, lang),
        reasons=[(pf.word(pf.REASONS, lang, c), n) for c, n in (record.summary.unplaced_by_reason.items()
                                                                 if record.summary else [])],
        audit=page_audit.trail(record, commands.round_places(d, record), lang, names),
        objections=len(record.objections),
        form=form, errors=errors, conflict=conflict,
        started=request.args.get("started") == "1" and record.status == "requested",  # no stale flash (14)
        scheduled=request.args.get("scheduled") == "1")


def _approved(round_id: str) -> bool:
    """Whether the round's approval is complete (else releasing is refused with what is missing, unconfirmed)."""
    try:
        return commands.approval_of(commands.visible_record(deps(), web_session().principal, round_id)).complete
    except RoundNotFound:
        return False


def _confirm_release_now(round_id: str, respond_by: datetime) -> Response:
    """Releasing now reaches every student, school and organisation of the round at once: confirm first."""
    deadline = local_time(respond_by)
    return confirm_page(
        t("Ronde nu vrijgeven?", "Release the round now?"),
        t("Iedereen in de ronde ziet zijn uitkomst meteen en krijgt bericht; studenten antwoorden uiterlijk "
          f"{deadline}. Vrijgeven kan niet worden teruggedraaid.",
          f"Everyone in the round sees their outcome at once and is told; students answer by {deadline}. "
          "A release cannot be undone."),
        t("Ja, nu vrijgeven", "Yes, release now"), url_for(".round_page", round_id=round_id),
        t("Nee, terug naar de ronde", "No, back to the round"))


def _release(round_id: str) -> Response:
    values = form_values(RELEASE_FIELDS)
    shown = typed(values, RELEASE_FIELDS)
    try:
        body = ReleaseForm().load(values)
    except ValidationError as err:
        return _round(round_id, shown, field_errors(err.messages), 422)
    release_at = deps().clock() if body["release_now"] else body["release_at"]
    if release_at is None:
        return _round(round_id, shown, field_errors({"release_at": ["Missing data for required field."]}), 422)
    release_at, respond_by = local_moment(release_at), local_moment(body["respond_by"])
    if respond_by <= release_at:
        return _round(round_id, shown, field_errors({"respond_by": [DEADLINE_BEFORE_RELEASE]}), 422)
    if body["release_now"] and needs_confirmation() and _approved(round_id):
        return _confirm_release_now(round_id, respond_by)
    try:
        commands.schedule_release(deps(), web_session().principal, round_id, release_at, respond_by)
    except RoundNotFound:
        return _round(round_id, {}, {})
    except RoundConflict as err:
        return _round(round_id, shown, {}, 409, conflict={"message": field_errors({"m": [str(err)]})["m"][0],
                                                              "details": err.details or {}})
    return redirect(url_for(".round_page", round_id=round_id, scheduled=1))
