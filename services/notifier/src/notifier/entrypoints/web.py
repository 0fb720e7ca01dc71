"""What the notifier's views share: the request's `Wiring` (set on the app by create_app), the API's
token check and the words for a placement that cannot be answered. Imports Flask, the shared HTTP helpers
and the notifier's errors.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from flask import current_app

from stagepool_shared.http import require

from ..errors import NotCurrentOutcome, PlacementExcluded, PlaceWithdrawn

if TYPE_CHECKING:
    from ..bootstrap import Wiring
    from ..ports import Deps

#: The key of the wiring in `app.extensions`.
EXTENSION = "notifier"

#: Why a placement cannot be answered: (error code, Dutch, English); the pages use the same words.
NOT_ANSWERABLE: dict[type, tuple[str, str, str]] = {
    NotCurrentOutcome: ("not_current",
                        "Dit is niet je huidige uitslag: een latere ronde heeft haar vervangen. Je huidige uitslag "
                        "staat op je pagina.",
                        "This is not your current outcome: a later round replaced it. Your current outcome is on "
                        "your page."),
    PlacementExcluded: ("excluded",
                        "Deze plek kun je niet meer accepteren of weigeren: dit leerbedrijf is voor jou uitgesloten. "
                        "Je school zoekt een andere plek met je.",
                        "You can no longer accept or refuse this place: this organisation is excluded for you. "
                        "Your school will find another place with you."),
    PlaceWithdrawn: ("place_withdrawn",
                     "Het leerbedrijf heeft deze plek ingetrokken; je doet mee aan de volgende ronde en je school "
                     "neemt contact met je op.",
                     "The organisation withdrew this place; you take part in the next round and your school will "
                     "contact you."),
}


def wiring() -> Wiring:
    """The wiring of the app serving this request."""
    return current_app.extensions[EXTENSION]


def deps() -> Deps:
    """The dependencies every command takes."""
    return wiring().deps


def requires(*roles: str) -> Callable:
    """The caller must hold an API token of one of `roles` (401 without one, 403 for another role)."""
    return require(lambda: wiring().tokens, *roles)
