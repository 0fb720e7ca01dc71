"""Organisation staff pages: their places, and posting, editing and withdrawing a place with field-level
messages. Organisation staff never see student data here (placed students are on the notifier's page, after
release). Imports Flask and the shared web layer.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, redirect, request, url_for

from stagepool_shared.errors import PublishFailed
from stagepool_shared.web.pages import current_lang, page, render, t

from ... import commands
from ...domain.model import PLACE_WITHDRAWN, PlaceRecord
from ...errors import Conflict, InvalidInput, NotFound
from ..schemas import PlaceIn
from ..web import deps
from .common import ORGANISATION_ROLES, choice_lists, me, unavailable
from .forms import FormField, messages_by_field, typed_values, validate, values_of

bp = Blueprint("organisation_pages", __name__, url_prefix="/pages/organisation")
PLACE = "<string(maxlength=80):place_id>"
PLACE_FIELDS = tuple(FormField(name, kind) for name, kind in (
    ("period_id", "text"), ("organisation_name", "text"), ("sector", "text"), ("org_type", "text"),
    ("location.postcode", "text"), ("address", "text"), ("crebos", "list"), ("levels", "int_list"),
    ("slots", "int"), ("supervision_capacity", "int"), ("offers_allowance", "bool"), ("irregular_shifts", "bool"),
    ("min_age", "int"), ("activities", "list"), ("support_offered", "list"), ("pathways", "list"),
    ("study_years", "int_list"), ("contact.name", "text"),
    ("contact.email", "text"), ("contact.phone", "text"), ("start_date", "text")))


@bp.get("")
@page(*ORGANISATION_ROLES)
def home() -> Response:
    """The organisation's places, newest state first, with edit and withdraw."""
    places = [_summary(commands.own_place(deps(), me().scope, pid))
              for pid in commands.places_of_organisation(deps(), me().scope)]
    places.sort(key=lambda p: (p["withdrawn"], p["period_id"], p["name"].lower()))
    return render("pages/organisation_home.html", places=places, done=request.args.get("done", ""))


def _summary(place: PlaceRecord) -> dict[str, Any]:
    payload = place.payload
    return {"id": place.place_id, "name": payload.get("organisation_name", ""), "period_id": place.period_id,
            "sector": payload.get("sector", ""), "address": payload.get("address", ""),
            "crebos": ", ".join(payload.get("crebos", [])), "levels": ", ".join(str(n) for n in payload.get("levels", [])),
            "slots": payload.get("slots", 0), "withdrawn": place.status == PLACE_WITHDRAWN}


def _form(status: int = 200, place_id: str = "", values: dict[str, str] | None = None,
          errors: dict[str, list[str]] | None = None, **extra: Any) -> Response:
    return render("pages/organisation_place.html", status=status, place_id=place_id, values=values or {},
                  errors=errors or {}, choices=choice_lists(me().region_id), **extra)


@bp.route("/places/new", methods=["GET", "POST"])
@page(*ORGANISATION_ROLES)
def new_place() -> Response:
    """Post a place; nothing is published or stored until every field is valid."""
    if request.method == "GET":
        return _form(values={"min_age": "16"})
    return _save(None)


@bp.route(f"/places/{PLACE}/edit", methods=["GET", "POST"])
@page(*ORGANISATION_ROLES)
def edit_place(place_id: str) -> Response:
    """Change an own, active place (publishes place.updated once valid)."""
    try:
        place = commands.own_place(deps(), me().scope, place_id)
    except NotFound:
        abort(404)
    if place.status == PLACE_WITHDRAWN:
        abort(404)
    if request.method == "GET":
        return _form(place_id=place_id, values=values_of(place.payload, PLACE_FIELDS))
    return _save(place_id)


def _save(place_id: str | None) -> Response:
    values = typed_values(request.form, PLACE_FIELDS)
    data, errors = validate(PlaceIn(), request.form, PLACE_FIELDS, current_lang())
    if data is None:
        return _form(422, place_id or "", values, errors)
    principal = me()
    try:
        if place_id:
            commands.update_place(deps(), principal.scope, principal.region_id, place_id, data)
        else:
            commands.post_places(deps(), principal.scope, principal.region_id, [data])
    except InvalidInput as err:
        return _form(422, place_id or "", values, messages_by_field(err.messages, PLACE_FIELDS, current_lang()))
    except Conflict:
        abort(404)
    except PublishFailed:
        return unavailable("pages/organisation_place.html", place_id=place_id or "", values=values, errors={},
                           choices=choice_lists(principal.region_id))
    return redirect(url_for(".home", done="updated" if place_id else "posted"))


@bp.post(f"/places/{PLACE}/withdraw")
@page(*ORGANISATION_ROLES)
def withdraw(place_id: str) -> Response:
    """Withdraw an own place (publishes place.withdrawn)."""
    try:
        commands.withdraw_place(deps(), me().scope, place_id)
    except (NotFound, Conflict):
        abort(404)
    except PublishFailed:
        abort(503, description=t("Er is niets gewijzigd; probeer het zo opnieuw.", "Nothing changed; try again shortly."))
    return redirect(url_for(".home", done="withdrawn"))
