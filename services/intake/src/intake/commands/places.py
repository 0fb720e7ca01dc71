"""Place commands of an organisation: post (one or a whole file), update, withdraw, and its own places; and
the contact persons of released places for the notifier.

Pattern A (publish, then store; see commands.common). Imports the domain, the builders and the ports.
"""

from __future__ import annotations

from typing import Any, Sequence

from stagepool_shared.envelope import Envelope, new_envelope

from .. import building
from ..domain.model import PLACE_WITHDRAWN, Period, PlaceContact, PlaceRecord, StoredWrite
from ..errors import Conflict, NotFound
from ..ports import Deps
from .common import PRODUCER, Prepared, RowProblem, commit, event_ids, period_in_region, prepare_rows
from .register import check_place_recognition


def prepare_place(deps: Deps, organisation_id: str, region_id: str | None, data: dict[str, Any], event_id: str,
                  place_id: str | None = None, cache: dict[str, Period | None] | None = None) -> Prepared:
    """Check one place and build its event and record."""
    period = period_in_region(deps, data["period_id"], region_id, "period_id", cache)
    event_type = "place.updated" if place_id else "place.posted"
    payload, record = building.place(place_id or deps.new_place_id(), organisation_id, period, data)
    envelope = new_envelope(event_type, payload, producer=PRODUCER, partition_key=period.region_id,
                            event_id=event_id)
    recognition = check_place_recognition(deps, organisation_id, period.region_id, payload.crebos,
                                          payload.place_id, period.period_id)  # issue 16: refuse or flag
    return Prepared([envelope], StoredWrite(places=[record]), recognition)


def check_place_rows(deps: Deps, organisation_id: str, region_id: str | None,
                     rows: Sequence[tuple[int, dict[str, Any]]],
                     seed: str | None = None) -> tuple[Prepared, list[RowProblem]]:
    """Prepare every row of a places import; (row, field, message) for each row a rule refuses."""
    cache: dict[str, Period | None] = {}
    return prepare_rows(rows, lambda data, event_id: prepare_place(
        deps, organisation_id, region_id, data, event_id, cache=cache), seed)


def post_places(deps: Deps, organisation_id: str, region_id: str | None, items: Sequence[dict[str, Any]],
                seed: str | None = None) -> list[Envelope]:
    """Post new places (one or a whole file) as one all-or-nothing batch."""
    ids, prepared = event_ids(seed), Prepared()
    for data in items:
        prepared.add(prepare_place(deps, organisation_id, region_id, data, next(ids)))
    return commit(deps, prepared)


def own_place(deps: Deps, organisation_id: str, place_id: str) -> PlaceRecord:
    """The organisation's own place (NotFound for a missing or foreign one)."""
    place = deps.store.get_place(place_id)
    if place is None or place.organisation_id != organisation_id:
        raise NotFound()
    return place


def places_of_organisation(deps: Deps, organisation_id: str) -> list[str]:
    """The ids of an organisation's places."""
    return deps.store.places_of_organisation(organisation_id)


def update_place(deps: Deps, organisation_id: str, region_id: str | None, place_id: str, data: dict[str, Any],
                 seed: str | None = None) -> Envelope:
    """Replace an own, active place: publish place.updated, then store it."""
    _open_place(deps, organisation_id, place_id)
    return commit(deps, prepare_place(deps, organisation_id, region_id, data, next(event_ids(seed)), place_id))[0]


def withdraw_place(deps: Deps, organisation_id: str, place_id: str, seed: str | None = None) -> Envelope:
    """Withdraw an own place: publish place.withdrawn, then mark it."""
    place = _open_place(deps, organisation_id, place_id)
    payload = building.place_withdrawn(place)
    envelope = new_envelope("place.withdrawn", payload, producer=PRODUCER,
                            partition_key=payload.region_id, event_id=next(event_ids(seed)))
    record = PlaceRecord(place.place_id, place.organisation_id, place.period_id, place.payload, PLACE_WITHDRAWN)
    return commit(deps, Prepared([envelope], StoredWrite(places=[record])))[0]


def _open_place(deps: Deps, organisation_id: str, place_id: str) -> PlaceRecord:
    place = own_place(deps, organisation_id, place_id)
    if place.status == PLACE_WITHDRAWN:
        raise Conflict("The place was withdrawn.")
    return place


def place_contacts(deps: Deps, place_ids: Sequence[str]) -> tuple[list[PlaceContact], list[str]]:
    """The contact person of each place a released round placed a student at; the others (unknown, never
    released, or without a contact person) are listed as not found."""
    found: list[PlaceContact] = []
    missing: list[str] = []
    for place_id in dict.fromkeys(place_ids):
        place = deps.store.get_place(place_id) if deps.store.is_place_released(place_id) else None
        contact = (place.payload.get("contact") if place else None) or None
        if place is None or contact is None:
            missing.append(place_id)
        else:
            found.append(PlaceContact(place_id, place.organisation_id, contact.get("name", ""),
                                      contact.get("email", ""), contact.get("phone", "")))
    return found, missing
