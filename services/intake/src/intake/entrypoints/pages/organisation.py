"""Organisation staff pages: their places, and posting, editing and withdrawing a place with field-level
messages. Organisation staff never see student data here (placed students are on the notifier's page, after
release). Imports Flask and the shared web layer.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, redirect, request, url_for

from stagepool_shared.errors import PublishFailed
from stagepool_shared.web.confirm import confirm_page, needs_confirmation
from stagepool_shared.web.listing import error_texts, paginate, read_query, wants_xlsx, xlsx_response
from stagepool_shared.web.pages import current_lang, page, render, t

from ... import commands
from ...domain.model import PLACE_WITHDRAWN, PlaceRecord
from ...errors import Conflict, InvalidInput, NotFound
from ..schemas import PlaceIn
from ..web import deps
from .common import ORGANISATION_ROLES, choice_lists, me, unavailable
from .forms import FormField, messages_by_field, typed_values, validate, values_of
from .lists import matching_places, place_columns, place_filters, place_status_text
from .profile_words import accessibility_hint

bp = Blueprint("organisation_pages", __name__, url_prefix="/pages/organisation")
PLACE = "<string(maxlength=80):place_id>"
PLACE_FIELDS = tuple(FormField(name, kind) for name, kind in (
    ("period_id", "text"), ("organisation_name", "text"), ("sector", "text"), ("org_type", "text"),
    ("location.postcode", "text"), ("address", "text"), ("crebos", "list"), ("levels", "int_list"),
    ("slots", "int"), ("supervision_capacity", "int"), ("offers_allowance", "bool"), ("irregular_shifts", "bool"),
    ("min_age", "int"), ("activities", "list"), ("support_offered", "list"), ("pathways", "list"),
    ("study_years", "int_list"), ("town", "text"), ("description", "text"), ("competences", "list"),
    ("keuzedelen", "list"), ("supervisor_role", "text"), ("supervision_hours", "int"), ("company_size", "text"),
    ("allowance_per_month", "int"), ("early_shifts", "bool"), ("evening_shifts", "bool"), ("weekend_shifts", "bool"),
    ("accessibility", "list"), ("contact.name", "text"),
    ("contact.email", "text"), ("contact.phone", "text"), ("start_date", "text")))


@bp.get("")
@page(*ORGANISATION_ROLES)
def home() -> Response:
    """The organisation's places, active first, with edit and withdraw: 50 a page, searched by name, address
    or crebo, filtered by status, period and sector; `?format=xlsx` downloads every matching place."""
    filters = place_filters(me().region_id)
    query, errors = read_query(request.args, filters)
    places = [_summary(commands.own_place(deps(), me().scope, pid))
              for pid in commands.places_of_organisation(deps(), me().scope)]
    places.sort(key=lambda p: (p["withdrawn"], p["period_id"], p["name"].lower()))
    places = matching_places(places, query)
    if wants_xlsx(query, errors):
        return xlsx_response(places, place_columns(), f"plaatsen-{me().scope}")
    return render("pages/organisation_home.html", status=422 if errors else 200, page=paginate(places, query.page),
                  query=query, filters=filters, errors=error_texts(errors), done=request.args.get("done", ""))


def _summary(place: PlaceRecord) -> dict[str, Any]:
    payload = place.payload
    return {"id": place.place_id, "name": payload.get("organisation_name", ""), "period_id": place.period_id,
            "sector": payload.get("sector", ""), "address": payload.get("address", ""),
            "crebos": ", ".join(payload.get("crebos", [])), "levels": ", ".join(str(n) for n in payload.get("levels", [])),
            "slots": payload.get("slots", 0), "withdrawn": place.status == PLACE_WITHDRAWN,
            "status_text": place_status_text(place.status == PLACE_WITHDRAWN)}


def _form(status: int = 200, place_id: str = "", values: dict[str, str] | None = None,
          errors: dict[str, list[str]] | None = None, **extra: Any) -> Response:
    return render("pages/organisation_place.html", status=status, place_id=place_id, values=values or {},
                  errors=errors or {}, choices=choice_lists(me().region_id), accessibility_hint=accessibility_hint(),
                  **extra)


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
                           choices=choice_lists(principal.region_id), accessibility_hint=accessibility_hint())
    return redirect(url_for(".home", done="updated" if place_id else "posted"))


@bp.post(f"/places/{PLACE}/withdraw")
@page(*ORGANISATION_ROLES)
def withdraw(place_id: str) -> Response:
    """Withdraw an own place (publishes place.withdrawn), after a confirm step: it cannot be undone, and a
    student placed there after release loses the place."""
    if needs_confirmation():
        return _confirm_withdraw(place_id)
    try:
        commands.withdraw_place(deps(), me().scope, place_id)
    except (NotFound, Conflict):
        abort(404)
    except PublishFailed:
        abort(503, description=t("Er is niets gewijzigd; probeer het zo opnieuw.", "Nothing changed; try again shortly."))
    return redirect(url_for(".home", done="withdrawn"))


def _confirm_withdraw(place_id: str) -> Response:
    try:
        place = _summary(commands.own_place(deps(), me().scope, place_id))
    except NotFound:
        abort(404)
    if place["withdrawn"]:
        abort(404)
    what = f"{place['name']}, {place['address']} ({place['period_id']})"
    return confirm_page(
        t("Deze plaats intrekken?", "Withdraw this place?"),
        t(f"U trekt de plaats {what} in. Dit kan niet worden teruggedraaid. Is er na het vrijgeven een student op "
          "deze plaats geplaatst, dan horen de student, de school en de coördinator het meteen en zoekt de volgende "
          "ronde een andere plaats.",
          f"You withdraw the place {what}. This cannot be undone. If a student was placed here after the release, "
          "the student, the school and the coordinator hear of it at once and the next round looks for another place."),
        t("Ja, plaats intrekken", "Yes, withdraw the place"), url_for(".home"), t("Nee, terug", "No, go back"))
