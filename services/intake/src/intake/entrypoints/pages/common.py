"""What every intake page needs: the signed-in person, choices for selects, the "nothing was stored" answer
when Kafka is down, and a form's submit validated like the API (`submit_form`). Pages call intake's commands
over `deps()` (web.py). Imports Flask, the shared web layer, intake's commands and edge."""

from __future__ import annotations

from typing import Any, Callable

from flask import Response, abort, redirect, request, url_for

from stagepool_shared.auth import Principal
from stagepool_shared.errors import PublishFailed
from stagepool_shared.events.wishes import PATHWAYS, SECTORS, TRANSPORT_MODES
from stagepool_shared.web.pages import current_lang, render, t, web_session

from ... import commands
from ...errors import InvalidInput
from ..web import deps
from .forms import FormField, messages_by_field, typed_values, validate
from .profile_words import profile_choices

ORGANISATION_ROLES = ("organisation_staff",)
TRANSPORT_LABELS = {"walk": ("Lopen", "Walking"), "bike": ("Fiets", "Bike"),
                    "public_transport": ("Openbaar vervoer", "Public transport"), "car": ("Auto", "Car")}


def me() -> Principal:
    """The signed-in person (the `page` decorator has checked there is one)."""
    session = web_session()
    if session is None:  # pragma: no cover - page() redirects first
        abort(401)
    return session.principal


def period_options(region_id: str) -> list[tuple[str, str]]:
    """(period id, "name (id)") of the person's region, for a select."""
    return [(p.period_id, f"{p.name} ({p.period_id})") for p in commands.list_periods(deps(), region_id or None)]


def choice_lists(region_id: str) -> dict[str, list[tuple[Any, str]]]:
    """Options of the selects of intake's forms."""
    return {
        "periods": period_options(region_id),
        "sectors": [(s, s) for s in SECTORS],
        "pathways": [(p, p.upper()) for p in PATHWAYS],
        "transport": [(m, t(*TRANSPORT_LABELS[m])) for m in TRANSPORT_MODES],
        "levels": [(n, str(n)) for n in range(1, 5)],
        **profile_choices(),
    }


def unavailable(template: str, **context: Any) -> Any:
    """The form again, with a page-level message: the event log did not acknowledge, nothing was stored."""
    message = t("Het systeem kon uw gegevens nu niet vastleggen; er is niets opgeslagen. Probeer het zo opnieuw.",
                "The system could not record your data just now; nothing was stored. Please try again shortly.")
    return render(template, status=503, page_error=message, **context)


def submit_form(fields: tuple[FormField, ...], schema: Any, act: Callable[[dict], Any], again: Callable[..., Response],
                done: str, target: str) -> Response:
    """Validate the form like the API, act, and show the page again with field messages on a problem (`again`
    takes the status, the values typed and the messages); after it, back to `target` with `done` set."""
    values = typed_values(request.form, fields)
    data, errors = validate(schema, request.form, fields, current_lang())
    if data is None:
        return again(422, values, errors)
    try:
        act(data)
    except InvalidInput as err:
        return again(422, values, messages_by_field(err.messages, fields, current_lang()))
    except PublishFailed:
        return again(503, values, {}, unavailable=True)
    return redirect(url_for(target, done=done, school_year=request.form.get("school_year") or None))


def offer_label(offer: commands.Offer, with_place_id: bool = False) -> str:
    """How a place reads in the top-3 selects: "Zorg Dichtbij, Groningen (12 min)"; for the school's staff, who
    also enter and import place ids, with the id: "Zorg Dichtbij, Groningen (pl_12..) – 12 min"."""
    where = offer.payload.get("town") or offer.payload["location"]["pc4"]
    name = f"{offer.payload.get('organisation_name', '')}, {where}"
    return f"{name} ({offer.place_id}) – {offer.minutes} min" if with_place_id else f"{name} ({offer.minutes} min)"
