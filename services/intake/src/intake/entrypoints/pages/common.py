"""What every intake page needs: the signed-in person, choices for selects, and the "nothing was stored"
answer when Kafka is down. Pages call intake's commands over `deps()` (web.py). Imports Flask, the shared web
layer, intake's commands and edge."""

from __future__ import annotations

from typing import Any

from flask import abort

from stagepool_shared.auth import Principal
from stagepool_shared.events.wishes import PATHWAYS, SECTORS, TRANSPORT_MODES
from stagepool_shared.web.pages import render, t, web_session

from ... import commands
from ..web import deps
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
