"""The student's catalogue through the API (issue 15.2, 15.3): what the catalogue page shows and its top-3 form
does, for a student's token (the demo's scripted variant-3 students make their top 3 through it).

`GET /api/v1/catalogue/{period}`: the places of the period the student is eligible for, best fit first, then the
shortest travel (the same `commands.student_catalogue` as the page), the top 3 so far and the wish deadline.
`PUT /api/v1/catalogue/{period}/top3`: the ranked top 3 (and, optionally, preferred kinds of organisation), by
the same `commands.choose_top_places` as the page: 202 once Kafka acknowledged `wish.updated` (pattern A); a
place the student may not choose is a field error naming it (422), after the wish deadline a 409, and nothing
is published or stored. Another student's period (no active wish there) is a 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g
from marshmallow import fields, validate

from stagepool_shared.http import read_json

from .. import commands
from .schemas import Strict, ident
from .web import accepted, deps, idempotent, json_response, load, requires, seed

bp = Blueprint("catalogue", __name__, url_prefix="/api/v1")
PERIOD = "<string(maxlength=80):period_id>"


class TopPlacesIn(Strict):
    """PUT /api/v1/catalogue/{period}/top3: the student's ranked top 3 (best first)."""

    top_places = fields.List(ident(), required=True, validate=validate.Length(max=5))
    preferred_org_types = fields.List(ident(), validate=validate.Length(max=10))


@bp.get(f"/catalogue/{PERIOD}")
@requires("student")
def get_catalogue(period_id: str) -> Response:
    """The student's catalogue of the period: eligible places in order, the top 3 so far, the deadline."""
    catalogue = commands.student_catalogue(deps(), g.principal.scope, period_id)
    until = catalogue.open_until
    return json_response({
        "period_id": period_id, "places": [_place(offer) for offer in catalogue.offers],
        "top_places": list(catalogue.wish.payload.get("top_places") or []),
        "wishes_until": until.isoformat() if until else None, "open": catalogue.is_open(deps().clock())})


def _place(offer: commands.Offer) -> dict[str, Any]:
    """One place as the catalogue card shows it (the objective profile; no person is named)."""
    return {"place_id": offer.place_id, "organisation_name": offer.payload.get("organisation_name", ""),
            "town": offer.payload.get("town", ""), "org_type": offer.payload.get("org_type", ""),
            "travel_minutes": offer.minutes, "fit": offer.fit}


@bp.put(f"/catalogue/{PERIOD}/top3")
@requires("student")
@idempotent
def put_top_places(period_id: str) -> Response:
    """Set the student's ranked top 3 until the period's wish deadline."""
    data = load(TopPlacesIn(), read_json())
    return accepted(commands.choose_top_places(deps(), g.principal.scope, period_id, data["top_places"], seed=seed(),
                                               org_types=data.get("preferred_org_types")))
