"""The student's catalogue (issue 15.2): the places of their period they are eligible for, and their top 3.

Eligibility is the matcher's own rule, `stagepool_shared.eligibility` (`is_eligible`), applied to the wish and
the place payloads intake published (so the catalogue shows exactly the places the matcher may place the
student at; a test compares both for every student of a generated region). Refusals and desk exclusions
are the matcher's (they come after a round); before the first round there are none.

Changing the top 3 follows pattern A (publish wish.updated, then store), by the student until the period's
wish deadline, or by the school for a student who asks. Imports the domain, the ports and the shared rule.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from stagepool_shared.eligibility import is_eligible
from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.events.contract import Location, Place
from stagepool_shared.events.wishes import WishSchema
from stagepool_shared.i18n import LOCAL_ZONE
from stagepool_shared.travel import travel_minutes

from .. import building
from ..domain.model import PLACE_WITHDRAWN, WISH_ACTIVE, PlaceRecord, StoredWrite, WishRecord
from ..errors import InvalidInput, NotFound, WishesClosed
from ..ports import Deps
from .common import PRODUCER, Prepared, commit, event_ids

FIELD = "top_places"


@dataclass(frozen=True)
class Offer:
    """One place of the catalogue: its stored record (profile and description), the student's travel
    minutes, and the fit: how many of the student's activities it offers, plus one for a preferred kind."""

    record: PlaceRecord
    minutes: int
    fit: int

    @property
    def place_id(self) -> str:
        return self.record.place_id

    @property
    def payload(self) -> dict[str, Any]:
        return self.record.payload


@dataclass(frozen=True)
class Catalogue:
    """What one student may choose from for one period, best fit first, then the shortest travel."""

    wish: WishRecord
    offers: list[Offer]
    open_until: datetime | None  # the end of the wish deadline's day (Amsterdam); None: no deadline

    def is_open(self, now: datetime) -> bool:
        return self.open_until is None or now < self.open_until


def _wish_of(record: WishRecord) -> Any:
    return WishSchema().load(record.payload)


_PLACE_DEFAULTS = {f.name: ([] if f.default_factory is list else f.default)  # type: ignore[misc]
                   for f in dataclasses.fields(Place) if f.default is not dataclasses.MISSING
                   or f.default_factory is not dataclasses.MISSING}


@dataclass(frozen=True)
class _Criteria:
    """A stored place payload read by attribute, as the rule reads a place (a full schema load per place
    would cost a catalogue of a few hundred places a noticeable fraction of a second)."""

    payload: dict[str, Any]

    def __getattr__(self, name: str) -> Any:
        if name == "location":
            return Location(**self.payload["location"])
        if name in self.payload:
            return self.payload[name]
        if name in _PLACE_DEFAULTS:  # a place stored before the field existed
            return _PLACE_DEFAULTS[name]
        raise AttributeError(name)


def _place_of(record: PlaceRecord) -> Any:
    return _Criteria(record.payload)


def active_wish(deps: Deps, student_ref: str, period_id: str) -> WishRecord:
    """The student's active wish for the period (NotFound otherwise)."""
    wish = deps.store.get_wish(student_ref, period_id)
    if wish is None or wish.status != WISH_ACTIVE:
        raise NotFound()
    return wish


def student_catalogue(deps: Deps, student_ref: str, period_id: str) -> Catalogue:
    """The open places of the period the student is eligible for, best fit first, then the shortest travel."""
    record = active_wish(deps, student_ref, period_id)
    wish = _wish_of(record)
    offers = []
    for place_record in deps.store.places_of_period(period_id):
        if place_record.status == PLACE_WITHDRAWN:
            continue
        place = _place_of(place_record)
        if not is_eligible(wish, place):
            continue
        fit = len(set(wish.activities) & set(place.activities)) + (place.org_type in wish.preferred_org_types)
        offers.append(Offer(place_record, travel_minutes(wish.home, place.location, wish.transport_mode), fit))
    offers.sort(key=lambda o: (-o.fit, o.minutes, o.payload.get("organisation_name", "").lower(), o.place_id))
    return Catalogue(record, offers, _open_until(deps, period_id))


def _open_until(deps: Deps, period_id: str) -> datetime | None:
    period = deps.store.get_period(period_id)
    if period is None or period.wishes_until is None:
        return None
    return datetime.combine(period.wishes_until, datetime.max.time(), tzinfo=LOCAL_ZONE)


def choose_top_places(deps: Deps, student_ref: str, period_id: str, place_ids: Sequence[str],
                      school_id: str | None = None, seed: str | None = None,
                      org_types: Sequence[str] | None = None) -> Envelope:
    """Set the student's ranked top 3 (best first), and with `org_types` their preferred kinds of
    organisation (only kinds the catalogue offers, at most 5): publish wish.updated, then store it.

    The student may do so until the wish deadline (WishesClosed after it); the school (`school_id`, its own
    students only) also after it, for a student who asks. Every named place must be in the student's
    catalogue: a field error names each place that is not (`place_problems`), and a repeated choice is
    refused; so is an empty one, except from the school (which so clears the top 3)."""
    catalogue = student_catalogue(deps, student_ref, period_id)
    if school_id is not None and catalogue.wish.school_id != school_id:
        raise NotFound()
    if school_id is None and not catalogue.is_open(deps.clock()):
        raise WishesClosed("The wish deadline has passed.")
    chosen = [p for p in place_ids if p]
    if not chosen and school_id is None:
        raise InvalidInput({FIELD: ["Choose at least one place."]})
    wish = _wish_of(catalogue.wish)
    problems = place_problems(deps, wish, chosen, period_id, by_school=school_id is not None)
    if problems:
        raise InvalidInput({FIELD: problems})
    wish = dataclasses.replace(wish, top_places=list(chosen))
    if org_types is not None:
        wish = dataclasses.replace(wish, preferred_org_types=_checked_kinds(catalogue, org_types))
    envelope = new_envelope("wish.updated", wish, producer=PRODUCER, partition_key=wish.region_id,
                            event_id=next(event_ids(seed)))
    record = catalogue.wish.written_by(envelope.event_id, envelope.event_type, payload=building.wire(wish))
    return commit(deps, Prepared([envelope], StoredWrite(wishes=[record])))[0]


def place_problems(deps: Deps, wish: Any, place_ids: Sequence[str], period_id: str,
                   cache: dict[str, PlaceRecord | None] | None = None, by_school: bool = False) -> list[str]:
    """Why these places cannot be the wish's ranked top 3: a place twice, more than three, and each place
    that is unknown, of another period, closed, or one the student is not eligible for (the catalogue's rule,
    `is_eligible`, on the wish payload as it is or is about to be), named. `cache` keeps the places read
    (an import checks many rows); `by_school` words the eligibility for the school's staff."""
    cache = {} if cache is None else cache
    problems = ["A place appears more than once in the top 3."] if len(set(place_ids)) != len(place_ids) else []
    if len(place_ids) > 3:
        problems.append("Choose at most 3 places.")
    for place_id in dict.fromkeys(place_ids):
        if place_id not in cache:
            cache[place_id] = deps.store.get_place(place_id)
        place = cache[place_id]
        if (place is None or place.period_id != period_id or place.status == PLACE_WITHDRAWN
                or not is_eligible(wish, _place_of(place))):
            problems.append(_why_not(place, place_id, period_id, by_school))
    return problems


def _checked_kinds(catalogue: Catalogue, org_types: Sequence[str]) -> list[str]:
    kinds = list(dict.fromkeys(k for k in org_types if k))
    offered = {o.payload.get("org_type") for o in catalogue.offers}
    offered |= set(catalogue.wish.payload.get("preferred_org_types", []))  # the school's earlier choice stays valid
    unknown = [k for k in kinds if k not in offered]
    if unknown or len(kinds) > 5:
        problems = [f"No place of this kind in your catalogue: {k}." for k in unknown]
        raise InvalidInput({"preferred_org_types": problems or ["Choose at most 5 kinds."]})
    return kinds


def _why_not(place: PlaceRecord | None, place_id: str, period_id: str, by_school: bool) -> str:
    """Why a place cannot be in this student's top 3, naming the place ("name, town (id)")."""
    if place is None:
        return f"No open place with this id in this period: {place_id}."
    name = place_name(place, place_id)
    if place.period_id != period_id:
        return f"This place is for another period: {name}."
    if place.status == PLACE_WITHDRAWN:
        return f"This place is closed: {name}."
    if by_school:
        return f"The student is not eligible for this place: {name}."
    return f"You are not eligible for this place: {name}."


def student_periods(deps: Deps, student_ref: str) -> list[str]:
    """The periods the student has an active wish for (their catalogues)."""
    return sorted(w.period_id for w in deps.store.wishes_of_student(student_ref) if w.status == WISH_ACTIVE)


def place_names(deps: Deps, place_ids: Sequence[str]) -> list[str]:
    """A top 3 as the school reads it: "name, town (place id)" per place, in rank order."""
    return [place_name(deps.store.get_place(place_id), place_id) for place_id in place_ids]


def place_name(place: PlaceRecord | None, place_id: str) -> str:
    """One place as the school reads it: "name, town (place id)"; the id alone without a name."""
    town = place.payload.get("town", "") if place else ""
    name = place.payload.get("organisation_name", "") if place else ""
    return f"{name}{', ' + town if town else ''} ({place_id})" if name else place_id
