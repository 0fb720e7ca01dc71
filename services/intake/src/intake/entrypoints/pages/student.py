"""The student's catalogue (issue 15.2), reached through the student's sign-in link: the places of their
period they are eligible for (the matcher's own rule), best fit first and then the shortest travel, filtered
by activity, competence, kind of organisation and travel time, and their ranked top 3, which they change
until the period's wish deadline. Cards, not tables, so it reads on a phone. The page says which matching
variant applies to the student's programme (issue 15.3); a variant-2 student chooses one of the candidate
places offered (or ranks them) here until the period's choice deadline.

Views parse the query and the form, call intake's commands and render templates/pages/student_catalogue.html.
Imports Flask, the shared web layer and intake's commands.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from flask import Blueprint, Response, abort, redirect, request, url_for

from stagepool_shared.errors import PublishFailed
from stagepool_shared.i18n import local_time
from stagepool_shared.web.pages import current_lang, page, render, t

from ... import commands
from ...commands import Catalogue, Offer, variants
from ...errors import ChoicesClosed, InvalidInput, NotFound, WishesClosed
from ..web import deps
from .common import me, offer_label
from .forms import FormField, messages_by_field
from .profile_words import ACCESSIBILITY_WORDS, SIZE_WORDS, SUPERVISOR_WORDS, word, work_pattern

bp = Blueprint("student_pages", __name__, url_prefix="/pages/student")
PERIOD = "<string(maxlength=80):period_id>"
FILTERS = ("activity", "competence", "org_type", "max_minutes")
CHOICE_FIELDS = (FormField("top_places"), FormField("preferred_org_types"))
CANDIDATE_FIELDS = (FormField("choice"),)


@bp.get("/catalogue")
@page("student")
def catalogue() -> Response:
    """The catalogue of the student's first period (or `?period_id=`), with the filters of the query."""
    periods = commands.student_periods(deps(), me().scope)
    if not periods:
        return render("pages/student_catalogue.html", periods=[], period_id="", view=None)
    period_id = request.args.get("period_id") or periods[0]
    if period_id not in periods:
        abort(404)
    return _page(period_id)


#: A choice that Kafka did not take: nothing was stored, and the student may try again.
NOT_RECORDED = ("Je keuze kon nu niet worden vastgelegd; er is niets opgeslagen. Probeer het zo opnieuw.",
                "Your choice could not be recorded just now; nothing was stored. Please try again shortly.")


@dataclass(frozen=True)
class ChoiceForm:
    """One of the catalogue's two forms of ranked places, for `_save`: its fields, the error its deadline raises
    and what the page then says, the flag the catalogue shows after a save, and the name under which the
    places the student typed go back into the page."""

    fields: tuple[FormField, ...]
    closed: type[Exception]
    closed_words: tuple[str, str]
    done: str
    kept: str


TOP3 = ChoiceForm(CHOICE_FIELDS, WishesClosed, (
    "De termijn voor je top 3 is voorbij; er is niets veranderd. Je school kan je keuze nog invoeren.",
    "The deadline for your top 3 has passed; nothing changed. Your school can still enter your choice."),
    done="saved", kept="typed")
CANDIDATES = ChoiceForm(CANDIDATE_FIELDS, ChoicesClosed, (
    "De termijn om te kiezen is voorbij; er is niets veranderd. Je houdt de plaats die de matcher koos.",
    "The deadline to choose has passed; nothing changed. You keep the place the matcher picked."),
    done="chose", kept="picked")


@bp.post(f"/catalogue/{PERIOD}/top3")
@page("student")
def choose(period_id: str) -> Response:
    """Save the ranked top 3 (publishes wish.updated); field errors name the place that cannot be chosen."""
    chosen = _ranked("choice")
    return _save(TOP3, period_id, chosen, lambda: commands.choose_top_places(
        deps(), me().scope, period_id, chosen, org_types=request.form.getlist("preferred_org_types")))


@bp.post(f"/catalogue/{PERIOD}/choice")
@page("student")
def choose_candidate(period_id: str) -> Response:
    """A variant-2 student chooses (or ranks) candidates offered to them; refused after the choice deadline."""
    chosen = _ranked("candidate")
    return _save(CANDIDATES, period_id, chosen,
                 lambda: variants.choose_candidates(deps(), me().scope, period_id, chosen))


def _save(form: ChoiceForm, period_id: str, chosen: list[str], save: Callable[[], object]) -> Response:
    """Run `save` and answer as both forms do: back to the catalogue, or the page again with the places typed
    and why not: field errors (422), the deadline passed (409), Kafka did not take it (503: nothing stored)."""
    kept: dict[str, Any] = {form.kept: chosen}
    try:
        save()
    except NotFound:
        abort(404)
    except InvalidInput as err:
        return _page(period_id, 422, errors=messages_by_field(err.messages, form.fields, current_lang()), **kept)
    except form.closed:
        return _page(period_id, 409, page_error=t(*form.closed_words), **kept)
    except PublishFailed:
        return _page(period_id, 503, page_error=t(*NOT_RECORDED), **kept)
    return redirect(url_for(".catalogue", period_id=period_id, **{form.done: 1}))


def _ranked(field: str) -> list[str]:
    """The places typed in the form's ranked fields `<field>_1` .. `<field>_3`, empty ones left out."""
    return [c for c in (request.form.get(f"{field}_{rank}", "").strip() for rank in (1, 2, 3)) if c]


def _page(period_id: str, status: int = 200, errors: dict[str, list[str]] | None = None,
          typed: list[str] | None = None, page_error: str = "", picked: list[str] | None = None) -> Response:
    try:
        found = commands.student_catalogue(deps(), me().scope, period_id)
    except NotFound:
        abort(404)
    query, query_errors = _query()
    errors = {**(errors or {}), **query_errors}
    shown = [o for o in found.offers if _matches(o, query)]
    chosen = typed if typed is not None else list(found.wish.payload.get("top_places", []))
    return render("pages/student_catalogue.html", status=422 if query_errors and status == 200 else status,
                  periods=commands.student_periods(deps(), me().scope), period_id=period_id,
                  view=_view(found, shown, query, chosen), errors=errors, page_error=page_error,
                  saved=request.args.get("saved", ""), chose=request.args.get("chose", ""),
                  variant=_variant(found, picked))


def _query() -> tuple[dict[str, Any], dict[str, list[str]]]:
    query: dict[str, Any] = {name: request.args.get(name, "").strip() for name in FILTERS}
    errors: dict[str, list[str]] = {}
    if query["max_minutes"]:
        if not query["max_minutes"].isdigit() or not 1 <= int(query["max_minutes"]) <= 240:
            errors["max_minutes"] = [t("Typ een aantal minuten van 1 tot en met 240.",
                                       "Type a number of minutes from 1 to 240.")]
            query["max_minutes"] = ""
        else:
            query["max_minutes"] = int(query["max_minutes"])
    return query, errors


def _matches(offer: Offer, query: dict[str, Any]) -> bool:
    payload = offer.payload
    return ((not query["activity"] or query["activity"] in payload.get("activities", []))
            and (not query["competence"] or query["competence"] in payload.get("competences", []))
            and (not query["org_type"] or query["org_type"] == payload.get("org_type"))
            and (not query["max_minutes"] or offer.minutes <= query["max_minutes"]))


def _view(found: Catalogue, shown: list[Offer], query: dict[str, Any], chosen: list[str]) -> dict[str, Any]:
    every = found.offers
    return {
        "offers": [_card(o) for o in shown], "total": len(every), "query": query,
        "options": {key: [(v, _code_words(v) if key == "activities" else v)
                          for v in sorted({v for o in every for v in _values(o.payload, key)})]
                    for key in ("activities", "competences", "org_type")},
        "choices": [(o.place_id, offer_label(o)) for o in every],
        "chosen": (chosen + ["", "", ""])[:3], "open": found.is_open(deps().clock()),
        "kinds": list(found.wish.payload.get("preferred_org_types", [])),
        "open_until": local_time(found.open_until) if found.open_until else "",
    }


def _variant(found: Catalogue, picked: list[str] | None) -> dict[str, Any]:
    """Which matching variant applies to the student's programme, and a variant-2 student's candidates."""
    wish, d = found.wish, deps()
    applied = variants.variant_of_wish(d, wish)
    offered = variants.offered_candidates(d, wish.student_ref, wish.period_id) if applied.variant == 2 else []
    until = variants.choices_until(d, wish.period_id)
    chosen = picked if picked is not None else variants.chosen_candidates(wish, offered)
    return {"number": applied.variant, "k": applied.candidates,
            "offered": list(zip(offered, _candidate_labels(found, offered))),
            "chosen": ([c for c in chosen if c in offered] + ["", "", ""])[:3],
            "until": local_time(until) if until else "", "open": until is None or d.clock() < until}


def _candidate_labels(found: Catalogue, offered: list[str]) -> list[str]:
    """The candidates as the top-3 selects name places (organisation, town, minutes); the school's label with the
    place id only for a candidate not in the catalogue or two that would read the same."""
    by_id = {o.place_id: offer_label(o) for o in found.offers}
    labels = [by_id.get(place_id, "") for place_id in offered]
    if "" in labels or len(set(labels)) < len(labels):
        return commands.place_names(deps(), offered)
    return labels


def _code_words(code: str) -> str:
    """An activity code as a student reads it: "persoonlijke_verzorging" -> "persoonlijke verzorging" (the codes
    are Dutch words joined by underscores; the filter keeps the code as its value)."""
    return code.replace("_", " ")


def _values(payload: dict[str, Any], key: str) -> list[str]:
    value = payload.get(key)
    return value if isinstance(value, list) else [value] if value else []


def _card(offer: Offer) -> dict[str, Any]:
    p = offer.payload
    return {
        "id": offer.place_id, "name": p.get("organisation_name", ""), "org_type": p.get("org_type", ""),
        "where": " ".join(x for x in (p.get("town", ""), p["location"]["pc4"]) if x), "minutes": offer.minutes,
        "fit": offer.fit, "activities": ", ".join(map(_code_words, p.get("activities", []))),
        "competences": ", ".join(p.get("competences", [])), "keuzedelen": ", ".join(p.get("keuzedelen", [])),
        "supervision": f"{word(SUPERVISOR_WORDS, p.get('supervisor_role', 'work_supervisor'))}"
                       + (f", {p['supervision_hours']} " + t("uur per week", "hours a week")
                          if p.get("supervision_hours") else ""),
        "size": word(SIZE_WORDS, p.get("company_size", "unknown")),
        "allowance": p.get("allowance_per_month", 0), "offers_allowance": p.get("offers_allowance", False),
        "pattern": ", ".join(work_pattern(p)) or t("Alleen dagdiensten", "Day shifts only"),
        "accessibility": ", ".join(word(ACCESSIBILITY_WORDS, c) for c in p.get("accessibility", [])),
        "pathways": ", ".join(x.upper() for x in p.get("pathways", [])) or "BOL, BBL",
        "years": ", ".join(str(y) for y in p.get("study_years", [])) or t("alle", "all"),
        "description": p.get("description", ""),
    }
