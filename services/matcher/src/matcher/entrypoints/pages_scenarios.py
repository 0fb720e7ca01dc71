"""The coordinator's what-if pages (issue 16.4): the region's scenarios, copy the live pool into a new one,
edit it, choose the policies, run it in the background with its progress, and compare the four policies in a
table, bar charts and an XLSX export.

Views call the scenario use cases (`matcher.scenarios.commands`), never a store; forms are checked first and a
bad field is answered 422 with the message next to it, with nothing stored. Imports Flask, marshmallow, the
shared web layer and the matcher's scenario package.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, redirect, request, url_for
from marshmallow import ValidationError

from stagepool_shared.events.wishes import SECTORS
from stagepool_shared.i18n import local_time
from stagepool_shared.web.listing import xlsx_response
from stagepool_shared.web.pages import current_lang, field_errors, page, render, t, web_session

from ..errors import ScenarioBusy, ScenarioInvalid, ScenarioNotFound
from ..scenarios import commands as sc
from ..scenarios.compare import POLICIES
from ..scenarios.edits import describe
from ..scenarios.record import ScenarioRecord
from . import scenario_view as view
from .page_forms import form_values, typed

COORDINATOR = "regional_coordinator"
bp = Blueprint("matcher_scenarios", __name__, url_prefix="/pages/coordinator/scenarios")


def _region() -> str:
    return web_session().principal.scope


def _texts(fields: dict[str, list[tuple[str, str]]]) -> dict[str, list[str]]:
    return {name: [t(nl, en) for nl, en in texts] for name, texts in fields.items()}


@bp.get("")
@page(COORDINATOR)
def scenarios() -> Response:
    return _list({}, {})


@bp.post("")
@page(COORDINATOR)
def create() -> Response:
    values = form_values(("period_id",))
    try:
        body = view.CreateForm().load(values)
        record = sc.create_scenario(_deps(), _region(), body["period_id"])
    except ValidationError as err:
        return _list(typed(values, ("period_id",)), field_errors(err.messages), 422)
    except ScenarioInvalid as err:
        return _list(typed(values, ("period_id",)), _texts(err.fields), 422)
    return redirect(url_for(".scenario", scenario_id=record.scenario_id))


@bp.get("/<scenario_id>")
@page(COORDINATOR)
def scenario(scenario_id: str) -> Response:
    return _scenario(scenario_id)


@bp.post("/<scenario_id>/edits")
@page(COORDINATOR)
def add_edit(scenario_id: str) -> Response:
    values = form_values(view.EDIT_FIELDS)
    shown = typed(values, view.EDIT_FIELDS)
    try:
        edit, missing = view.edit_of(view.EditForm().load(values))
    except ValidationError as err:
        return _scenario(scenario_id, shown, field_errors(err.messages), 422)
    if edit is None:
        return _scenario(scenario_id, shown, field_errors(missing), 422)
    return _change(scenario_id, lambda: sc.add_edit(_deps(), _region(), scenario_id, edit), shown)


@bp.post("/<scenario_id>/undo")
@page(COORDINATOR)
def undo(scenario_id: str) -> Response:
    return _change(scenario_id, lambda: sc.undo_edit(_deps(), _region(), scenario_id))


@bp.post("/<scenario_id>/policies")
@page(COORDINATOR)
def policies(scenario_id: str) -> Response:
    values: dict[str, Any] = {"policies": request.form.getlist("policies")}
    if request.form.get("seed", "").strip():
        values["seed"] = request.form["seed"].strip()
    try:
        body = view.PoliciesForm().load(values)
    except ValidationError as err:
        return _scenario(scenario_id, {}, field_errors(err.messages), 422)
    return _change(scenario_id, lambda: sc.set_policies(_deps(), _region(), scenario_id, tuple(body["policies"]),
                                                        body["seed"]))


@bp.post("/<scenario_id>/run")
@page(COORDINATOR)
def run(scenario_id: str) -> Response:
    return _change(scenario_id, lambda: sc.start_run(_deps(), _region(), scenario_id))


@bp.get("/<scenario_id>/export.xlsx")
@page(COORDINATOR)
def export(scenario_id: str) -> Response:
    try:
        record = sc.visible_scenario(_deps(), _region(), scenario_id)
    except ScenarioNotFound:
        return _not_found()
    if record.results is None:
        return _scenario(scenario_id, {}, {"export": [t("Er zijn nog geen uitkomsten.", "There are no results yet.")]},
                         409)
    lang = current_lang()
    rows, columns = view.export_rows(record.results, [view.word(describe(e), lang) for e in record.edits], lang)
    return xlsx_response(rows, columns, f"scenario-{scenario_id}")


def _deps():
    from .web import deps

    return deps()


def _change(scenario_id: str, action, shown: dict[str, str] | None = None) -> Response:
    """Run a change; a field error or a busy scenario shows the page again with the message (422 / 409)."""
    try:
        action()
    except ScenarioNotFound:
        return _not_found()
    except ScenarioInvalid as err:
        return _scenario(scenario_id, shown or {}, _texts(err.fields), 422)
    except ScenarioBusy:
        return _scenario(scenario_id, shown or {}, {"run": [t("Dit scenario loopt nog; wacht tot het klaar is.",
                                                             "This scenario is still running; wait until it ends.")]},
                         409)
    return redirect(url_for(".scenario", scenario_id=scenario_id))


def _not_found() -> Response:
    return render("stagepool/error.html", status=404, code=404, title=t("Niet gevonden", "Not found"),
                  message=t("Dit scenario bestaat niet of is niet voor u.", "This scenario does not exist or is not "
                                                                           "for you."))


def _list(form: dict[str, str], errors: dict[str, list[str]], status: int = 200) -> Response:
    d, region, lang = _deps(), _region(), current_lang()
    rows = [_row(r, lang) for r in sc.list_scenarios(d, region)]
    periods = sc.scenario_periods(d, region)
    return render("matcher/scenarios.html", status=status, region=region, scenarios=rows, form=form, errors=errors,
                  period_options=[(p, p) for p in periods])


def _row(record: ScenarioRecord, lang: str) -> dict[str, Any]:
    return {"scenario_id": record.scenario_id, "period_id": record.period_id,
            "created_at": local_time(record.created_at), "edits": len(record.edits),
            "status": view.progress_text(record.progress, record.total, record.status, lang)}


def _scenario(scenario_id: str, form: dict[str, str] | None = None, errors: dict[str, list[str]] | None = None,
              status: int = 200) -> Response:
    lang = current_lang()
    try:
        record = sc.visible_scenario(_deps(), _region(), scenario_id)
    except ScenarioNotFound:
        return _not_found()
    results = record.results
    return render(
        "matcher/scenario.html", status=status, s=record, row=_row(record, lang), busy=sc.is_busy(_deps(), record),
        edits=[view.word(describe(e), lang) for e in record.edits], form=form or {"kind": "places"},
        errors=errors or {}, kind_options=[(k, view.word(words, lang)) for k, words in view.EDIT_KINDS],
        sector_options=[(x, x) for x in SECTORS],
        policy_options=[(p, view.policy_name(p, lang), p in record.policies) for p in POLICIES],
        headers=[view.policy_name(p.policy, lang) for p in view.figures_of(results)],
        figure_rows=view.figure_rows(results, lang) if results else [],
        school_rows=view.school_rows(results, lang) if results else [],
        charts=view.charts(results, lang) if results else [],
        error=record.error)
