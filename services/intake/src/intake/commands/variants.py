"""The matching variant per school x programme (crebo) x period (issue 15.3), set by that school's staff,
and a variant-2 student's choice among the candidate places offered to them.

Setting a variant follows pattern A (publish `variant.set`, then store the school's line); a later setting of
the same period and crebo replaces the earlier one. Nothing set means variant 1. A choice publishes
`wish.updated` with the chosen candidates as the student's ranked top wishes (the final round reads them like
any top 3), then stores it; after the period's choice deadline it is refused (ChoicesClosed), and a student
who does not choose keeps the matcher's pick. Imports the domain, the ports and the shared event payloads.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any, Sequence

from stagepool_shared.envelope import Envelope, new_envelope
from stagepool_shared.events.variants import VariantSet
from stagepool_shared.events.wishes import WishSchema

from .. import building
from ..domain.model import PLACE_WITHDRAWN, WISH_ACTIVE, StoredWrite, WishRecord
from ..domain.variants import DEFAULT_CANDIDATES, Variant, choices_open, end_of_day, variant_key
from ..errors import ChoicesClosed, InvalidInput, NotFound
from ..ports import Deps
from .catalogue import place_names
from .common import PRODUCER, Prepared, commit, event_ids, period_in_region
from .forecasts import known_crebo, planning_store

CHOICE = "choice"


def set_variant(deps: Deps, school_id: str, region_id: str | None, data: dict[str, Any],
                seed: str | None = None) -> Envelope:
    """Set the variant of one programme in one period for the school: a field error for an unknown period or
    crebo (k outside 2-5 and a variant outside 1-3 are the schema's); publish variant.set, then store it."""
    problems: dict[str, list[str]] = {}
    period = None
    try:
        period = period_in_region(deps, data["period_id"], region_id, "period_id")
    except InvalidInput as err:
        problems.update(err.messages)
    try:
        known_crebo(data["crebo"])
    except InvalidInput as err:
        problems.update(err.messages)
    if problems or period is None:
        raise InvalidInput(problems)
    payload = VariantSet(period.region_id, school_id, data["crebo"], period.period_id, data["variant"],
                         data.get("candidates") or DEFAULT_CANDIDATES)
    envelope = new_envelope("variant.set", payload, producer=PRODUCER, partition_key=period.region_id,
                            event_id=next(event_ids(seed)))
    line = {"period_id": period.period_id, "crebo": payload.crebo, "variant": payload.variant,
            "candidates": payload.candidates}
    return commit(deps, Prepared([envelope], stores=[lambda d: planning_store(d).put_variant(school_id, line)]))[0]


def variants_of_school(deps: Deps, school_id: str) -> list[dict[str, Any]]:
    """The school's settings, by period and crebo."""
    return [line for _, line in sorted(planning_store(deps).variants(school_id).items())]


def variant_of(deps: Deps, school_id: str, period_id: str, crebo: str) -> Variant:
    """The variant that applies to a programme of a school in a period (variant 1 when nothing was set)."""
    line = planning_store(deps).variants(school_id).get(variant_key(period_id, crebo))
    if line is None:
        return Variant()
    return Variant(line["variant"], line["candidates"], True)


def variant_of_wish(deps: Deps, wish: WishRecord) -> Variant:
    """The variant that applies to a student's wish (its school, programme and period)."""
    return variant_of(deps, wish.school_id, wish.period_id, wish.payload.get("crebo", ""))


def offered_candidates(deps: Deps, student_ref: str, period_id: str) -> list[str]:
    """The candidate places the matcher offered the student in the period, best first ([] before an offer)."""
    return planning_store(deps).candidates(student_ref, period_id)


def choices_until(deps: Deps, period_id: str) -> datetime | None:
    """The end of the period's choice deadline's day (Amsterdam); None without a deadline."""
    period = deps.store.get_period(period_id)
    return end_of_day(period.choices_until if period else None)


def choose_candidates(deps: Deps, student_ref: str, period_id: str, place_ids: Sequence[str],
                      seed: str | None = None) -> Envelope:
    """A variant-2 student chooses one of the candidates offered (or ranks up to three): publish wish.updated
    with them as the top wishes, then store it. NotFound without an offer of variant 2; ChoicesClosed after
    the choice deadline; a field error for an empty or repeated choice, or a place that was not offered."""
    wish = deps.store.get_wish(student_ref, period_id)
    if wish is None or wish.status != WISH_ACTIVE:
        raise NotFound()
    offered = offered_candidates(deps, student_ref, period_id)
    if variant_of_wish(deps, wish).variant != 2 or not offered:
        raise NotFound()
    if not choices_open(deps.store.get_period(period_id), deps.clock()):
        raise ChoicesClosed("The deadline to choose has passed; you keep the place the matcher picked.")
    chosen = [p for p in place_ids if p]
    _check_choice(deps, chosen, offered)
    event = dataclasses.replace(WishSchema().load(wish.payload), top_places=list(chosen),
                                candidate_choice=list(chosen))
    envelope = new_envelope("wish.updated", event, producer=PRODUCER, partition_key=event.region_id,
                            event_id=next(event_ids(seed)))
    record = wish.written_by(envelope.event_id, envelope.event_type, payload=building.wire(event))
    return commit(deps, Prepared([envelope], StoredWrite(wishes=[record])))[0]


def _check_choice(deps: Deps, chosen: list[str], offered: list[str]) -> None:
    if not chosen:
        raise InvalidInput({CHOICE: ["Choose one of the places offered."]})
    problems = ["A place appears more than once in your choice."] if len(set(chosen)) != len(chosen) else []
    if len(chosen) > 3:
        problems.append("Choose at most 3 places.")
    unknown = [p for p in dict.fromkeys(chosen) if p not in offered]
    problems += [f"This place was not offered to you: {name}." for name in place_names(deps, unknown)]
    closed = [p for p in dict.fromkeys(chosen) if p in offered and _withdrawn(deps, p)]
    problems += [f"This place is closed: {name}." for name in place_names(deps, closed)]
    if problems:
        raise InvalidInput({CHOICE: problems})


def _withdrawn(deps: Deps, place_id: str) -> bool:
    """A candidate withdrawn after the offer: it can no longer be chosen."""
    place = deps.store.get_place(place_id)
    return place is None or place.status == PLACE_WITHDRAWN


def chosen_candidates(wish: WishRecord, offered: Sequence[str]) -> list[str]:
    """The candidates the student chose, in rank order: the wish's `candidate_choice`, set only by the student's
    own choice (`choose_candidates`). A top 3 made before the offer is not a choice, even where it names
    offered places."""
    return [p for p in wish.payload.get("candidate_choice") or [] if p in offered]


def candidate_view(deps: Deps, student_ref: str, period_id: str) -> dict[str, Any]:
    """What a student's programme uses and, for variant 2, the candidates offered, the choice so far and the
    choice deadline (NotFound without an active wish in the period)."""
    wish = deps.store.get_wish(student_ref, period_id)
    if wish is None or wish.status != WISH_ACTIVE:
        raise NotFound()
    applied = variant_of_wish(deps, wish)
    offered = offered_candidates(deps, student_ref, period_id) if applied.variant == 2 else []
    until = choices_until(deps, period_id)
    chosen = chosen_candidates(wish, offered)
    return {"period_id": period_id, "variant": applied.variant, "candidates": applied.candidates,
            "offered": offered, "chosen": chosen, "choices_until": until.isoformat() if until else None,
            "open": until is None or deps.clock() < until,
            "without_a_choice": "You keep the place the matcher picked for you."}
