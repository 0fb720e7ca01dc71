"""Places (organisation staff of one organisation): post, update, withdraw, read.

Organisation staff never reach student data; another organisation's place answers 404.
"""

from __future__ import annotations

from flask import Blueprint, Response, g

from stagepool_shared.http import read_json

from .. import commands
from .schemas import PlaceIn
from .web import accepted, deps, idempotent, json_response, load, requires, seed

bp = Blueprint("places", __name__, url_prefix="/api/v1")
ORG = "organisation_staff"
ID = "<string(maxlength=80):place_id>"


@bp.post("/places")
@requires(ORG)
@idempotent
def post_place() -> Response:
    """Post a new place; 202 with its place id once Kafka acknowledged."""
    data = load(PlaceIn(), read_json())
    principal = g.principal
    envelope = commands.post_places(deps(), principal.scope, principal.region_id, [data], seed())[0]
    return accepted(envelope, place_id=envelope.payload.place_id)


@bp.put(f"/places/{ID}")
@requires(ORG)
@idempotent
def update_place(place_id: str) -> Response:
    """Replace an own place's description (publishes place.updated)."""
    data = load(PlaceIn(), read_json())
    principal = g.principal
    envelope = commands.update_place(deps(), principal.scope, principal.region_id, place_id, data, seed())
    return accepted(envelope, place_id=place_id)


@bp.delete(f"/places/{ID}")
@requires(ORG)
@idempotent
def withdraw_place(place_id: str) -> Response:
    """Withdraw an own place (publishes place.withdrawn)."""
    envelope = commands.withdraw_place(deps(), g.principal.scope, place_id, seed())
    return accepted(envelope, place_id=place_id)


@bp.get("/places")
@requires(ORG)
def list_places() -> Response:
    """The ids of the caller's organisation's places."""
    return json_response({"place_ids": commands.places_of_organisation(deps(), g.principal.scope)})


@bp.get(f"/places/{ID}")
@requires(ORG)
def get_place(place_id: str) -> Response:
    """One own place as published, with its status."""
    place = commands.own_place(deps(), g.principal.scope, place_id)
    return json_response({"place_id": place.place_id, "status": place.status, "place": place.payload})
