"""Wish commands of a school: submit (one or a whole file), withdraw, opt out.

Pattern A (publish, then store; see commands.common). Imports the domain, the builders, the ports and the
shared event dataclasses.
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.events.wishes import WishOptedOut, WishWithdrawn

from .. import building
from ..domain.model import (
    WISH_ACTIVE, WISH_OPTED_OUT, WISH_WITHDRAWN, Period, PlaceRecord, StoredWrite, WishRecord,
)
from ..errors import Conflict, InvalidInput, NotFound
from ..ports import Deps
from .catalogue import place_problems
from .common import PRODUCER, Prepared, RowProblem, commit, event_ids, period_in_region, prepare_rows, student_ref


#: What a student (or the school for them) chose on the wish itself: kept when a school's re-submission of an
#: active wish leaves it out, so correcting a wish does not wipe the student's top 3 (issue 15.2).
KEPT = ("top_places", "preferred_org_types", "candidate_choice")


def prepare_wish(deps: Deps, school_id: str, region_id: str | None, student: dict[str, Any],
                 wish: dict[str, Any], event_id: str, seen: set[tuple[str, str]] | None = None,
                 cache: dict[str, Period | None] | None = None,
                 previous: dict[tuple[str, str], WishRecord] | None = None,
                 places: dict[str, PlaceRecord | None] | None = None) -> Prepared:
    """Check one wish and build its event and records (no I/O besides reading the store).

    A re-submission of an active wish keeps the stored `KEPT` fields the input leaves out (an empty list
    given clears one). A top 3 given is checked with the catalogue's rule (`place_problems`) on the wish as
    submitted; a kept one is not checked again. `previous` (from `get_wishes`) saves one store read per row in
    an import; `places` caches the places that rows name in their top 3.
    """
    period = period_in_region(deps, wish["period_id"], region_id, "wish.period_id", cache)
    ref = student_ref(deps, school_id, student["student_number"])
    key = (ref, period.period_id)
    if seen is not None:
        if key in seen:
            raise InvalidInput({"student.student_number": ["This student appears twice for this period."]})
        seen.add(key)
    stored = deps.store.get_wish(*key) if previous is None else previous.get(key)
    active = stored is not None and stored.status == WISH_ACTIVE
    given = "top_places" in wish
    if active:
        wish = {name: stored.payload[name] for name in KEPT if name in stored.payload} | wish
    payload, record = building.wish(ref, school_id, period, student, wish)
    if given:
        problems = place_problems(deps, payload, payload.top_places, period.period_id, places, by_school=True)
        if problems:
            raise InvalidInput({"wish.top_places": problems})
    event_type = _event_type(stored, active, event_id)
    record = record.written_by(event_id, event_type)
    envelope = new_envelope(event_type, payload, producer=PRODUCER, partition_key=period.region_id,
                            event_id=event_id)
    person = building.student(ref, school_id, student)
    return Prepared([envelope], StoredWrite(students=[person], wishes=[record]))


def _event_type(stored: WishRecord | None, active: bool, event_id: str) -> str:
    """`wish.updated` for an active wish, else `wish.submitted`; for a retry of the request that wrote the
    stored wish (its event id), the type that request published: the retry is the same event again."""
    if stored is not None and stored.event_id == event_id and stored.event_type:
        return stored.event_type
    return "wish.updated" if active else "wish.submitted"


def check_wish_rows(deps: Deps, school_id: str, region_id: str | None, rows: Sequence[tuple[int, dict[str, Any]]],
                    seed: str | None = None) -> tuple[Prepared, list[RowProblem]]:
    """Prepare every row of an import; (row, field, message) for each row a rule refuses."""
    seen: set[tuple[str, str]] = set()
    cache: dict[str, Period | None] = {}
    places: dict[str, PlaceRecord | None] = {}
    previous = deps.store.get_wishes(
        [(student_ref(deps, school_id, d["student"]["student_number"]), d["wish"]["period_id"]) for _, d in rows])
    return prepare_rows(rows, lambda data, event_id: prepare_wish(
        deps, school_id, region_id, data["student"], data["wish"], event_id, seen, cache, previous, places), seed)


def submit_wishes(deps: Deps, school_id: str, region_id: str | None,
                  items: Sequence[tuple[dict[str, Any], dict[str, Any]]], seed: str | None = None) -> list[Envelope]:
    """Submit or update wishes (one or a whole file) as one all-or-nothing batch."""
    ids, prepared, seen = event_ids(seed), Prepared(), set()
    for student, wish in items:
        prepared.add(prepare_wish(deps, school_id, region_id, student, wish, next(ids), seen))
    return commit(deps, prepared)


def own_wish(deps: Deps, school_id: str, ref: str, period_id: str) -> WishRecord:
    """The school's own wish of a student for a period (NotFound for a missing or foreign one)."""
    wish = deps.store.get_wish(ref, period_id)
    if wish is None or wish.school_id != school_id:
        raise NotFound()
    return wish


def withdraw_wish(deps: Deps, school_id: str, ref: str, period_id: str, reason: str,
                  seed: str | None = None) -> Envelope:
    """The school withdraws a wish: publish wish.withdrawn, then mark it withdrawn."""
    return _end_wish(deps, school_id, ref, period_id, WISH_WITHDRAWN, seed,
                     lambda w: WishWithdrawn(ref, school_id, w.payload["region_id"], period_id, reason))


def opt_out(deps: Deps, school_id: str, ref: str, period_id: str, own_place: bool,
            seed: str | None = None) -> Envelope:
    """The student found a place of their own: publish wish.opted_out, then mark it."""
    return _end_wish(deps, school_id, ref, period_id, WISH_OPTED_OUT, seed,
                     lambda w: WishOptedOut(ref, school_id, w.payload["region_id"], period_id, own_place))


def _end_wish(deps: Deps, school_id: str, ref: str, period_id: str, status: str, seed: str | None,
              payload_of: Callable[[WishRecord], Any]) -> Envelope:
    """Publish the wish's end, then mark it. A retry of the request that ended it (its event id, when the first
    try was stored but never answered) publishes the same event again instead of a 409."""
    wish = own_wish(deps, school_id, ref, period_id)
    event_id = next(event_ids(seed))
    event_type = "wish.withdrawn" if status == WISH_WITHDRAWN else "wish.opted_out"
    if wish.status != WISH_ACTIVE and (wish.event_id, wish.event_type) != (event_id, event_type):
        raise Conflict("The wish is no longer active.")
    envelope = new_envelope(event_type, payload_of(wish), producer=PRODUCER,
                            partition_key=wish.payload["region_id"], event_id=event_id)
    record = wish.written_by(event_id, event_type, status=status)
    return commit(deps, Prepared([envelope], StoredWrite(wishes=[record])))[0]
