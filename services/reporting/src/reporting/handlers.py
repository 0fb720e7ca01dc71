"""Use cases for consumed events: each turns one event into reporting's projections (idempotent per event).

Handlers translate payload dataclasses into domain facts and call the projection adapter; the registry at
the bottom maps event types to handlers. Desk events are reporting's own; they feed the organisation
signals. Imports the shared event payloads, the domain and the projection port.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import Callable, Protocol

from stagepool_shared.envelope import Envelope
from stagepool_shared.events import desk, placements, places, rounds, students, wishes

from .domain.figures import PlaceFact, WishFact
from .domain.followup import failure_is_after_introduction

logger = logging.getLogger(__name__)

UNKNOWN_PERIOD = "unknown"


class Projections(Protocol):
    """The projection port (adapters.projections.RedisProjections implements it)."""

    def put_wish(self, event_id: str, region_id: str, period_id: str, wish: WishFact) -> bool: ...
    def end_wish(self, event_id: str, region_id: str, period_id: str, student_ref: str, school_id: str,
                 status: str) -> bool: ...
    def put_place(self, event_id: str, region_id: str, period_id: str, place: PlaceFact) -> bool: ...
    def withdraw_place(self, event_id: str, region_id: str, period_id: str, place_id: str,
                       organisation_id: str) -> bool: ...
    def put_round_meta(self, event_id: str, round_id: str, fields: dict[str, str]) -> bool: ...
    def add_released_part(self, event_id: str, round_id: str, region_id: str, period_id: str, released_at: str,
                          part: int, parts: int, outcomes: dict[str, str]) -> bool: ...
    def period_of_round(self, round_id: str) -> str | None: ...
    def update_placement(self, event_id: str, region_id: str, period_id: str, student_ref: str, school_id: str,
                         status: str, counters: dict[str, int], signal: tuple[str, str] | None = None) -> bool: ...
    def count(self, event_id: str, region_id: str, period_id: str, counters: dict[str, int]) -> bool: ...
    def signal(self, event_id: str, region_id: str, organisation_id: str, kind: str) -> bool: ...
    def erase_student(self, event_id: str, student_ref: str) -> bool: ...


def record_wish(env: Envelope, views: Projections) -> None:
    wish: wishes.Wish = env.payload
    fact = WishFact(wish.student_ref, wish.school_id, wish.sector, wish.level, "seeking", env.occurred_at)
    views.put_wish(env.event_id, wish.region_id, wish.period_id, fact)


def record_wish_ended(env: Envelope, views: Projections) -> None:
    ref: wishes.WishRef = env.payload
    status = "opted_out" if env.event_type == "wish.opted_out" else "withdrawn"
    views.end_wish(env.event_id, ref.region_id, ref.period_id, ref.student_ref, ref.school_id, status)


def record_place(env: Envelope, views: Projections) -> None:
    place: places.Place = env.payload
    fact = PlaceFact(place.place_id, place.organisation_id, place.sector, tuple(place.levels), place.slots)
    views.put_place(env.event_id, place.region_id, place.period_id, fact)


def record_place_withdrawn(env: Envelope, views: Projections) -> None:
    gone: places.PlaceWithdrawn = env.payload
    views.withdraw_place(env.event_id, gone.region_id, gone.period_id, gone.place_id, gone.organisation_id)


def record_round_proposed(env: Envelope, views: Projections) -> None:
    proposal: rounds.RoundProposed = env.payload
    fields = {"region_id": proposal.region_id, "period_id": proposal.period_id, "kind": proposal.kind,
              "summary": json.dumps(asdict(proposal.summary)), "manifest": json.dumps(asdict(proposal.manifest))}
    views.put_round_meta(env.event_id, proposal.round_id, fields)


def record_round_released(env: Envelope, views: Projections) -> None:
    released: rounds.RoundReleased = env.payload
    outcomes = {o.student_ref: json.dumps({"school_id": o.school_id, "status": o.status, "wish_match": o.wish_match,
                                           "reason_code": o.reason_code, "organisation_id": o.organisation_id,
                                           "place_id": o.place_id, "named_places": o.named_places})
                for o in released.outcomes}
    views.add_released_part(env.event_id, released.round_id, released.region_id, released.period_id,
                            released.released_at, released.part, released.parts, outcomes)
    logger.info("round %s part %d/%d released", released.round_id, released.part, released.parts)


def _period(views: Projections, round_id: str) -> str:
    return views.period_of_round(round_id) or UNKNOWN_PERIOD


def record_accepted(env: Envelope, views: Projections) -> None:
    ref: placements.PlacementAccepted = env.payload
    views.update_placement(env.event_id, ref.region_id, _period(views, ref.round_id), ref.student_ref,
                           ref.school_id, "accepted", {"accepted": 1})


def record_refused(env: Envelope, views: Projections) -> None:
    ref: placements.PlacementRefused = env.payload
    views.update_placement(env.event_id, ref.region_id, _period(views, ref.round_id), ref.student_ref,
                           ref.school_id, "refused", {"refusals": 1, f"refusals:{ref.reason_code}": 1})


def record_failed(env: Envelope, views: Projections) -> None:
    failed: placements.PlacementFailed = env.payload
    after_intro = failure_is_after_introduction(failed.reason_code, failed.after_introduction)
    counters = {"failed": 1, f"failed:{failed.reason_code}": 1}
    signal = None
    if after_intro:
        counters["rejected_after_introduction"] = 1
        signal = (failed.organisation_id, "rejected_after_introduction")
    views.update_placement(env.event_id, failed.region_id, _period(views, failed.round_id), failed.student_ref,
                           failed.school_id, "failed", counters, signal)


def record_replacement_requested(env: Envelope, views: Projections) -> None:
    request: placements.ReplacementRequested = env.payload
    views.count(env.event_id, request.region_id, request.period_id,
                {"replacements": 1, f"replacements:{request.cause}": 1})


def record_desk_report_filed(env: Envelope, views: Projections) -> None:
    filed: desk.DeskReportFiled = env.payload
    if filed.organisation_id:
        views.signal(env.event_id, filed.region_id, filed.organisation_id, "desk_reports")


def record_student_erased(env: Envelope, views: Projections) -> None:
    erased: students.StudentErased = env.payload
    views.erase_student(env.event_id, erased.student_ref)


def ignore(env: Envelope, views: Projections) -> None:
    """Events reporting reads but keeps nothing of (the desk store already holds the case status)."""
    logger.debug("nothing to project for %s", env.event_type)


HANDLERS: dict[str, Callable[[Envelope, Projections], None]] = {
    "wish.submitted": record_wish,
    "wish.updated": record_wish,
    "wish.withdrawn": record_wish_ended,
    "wish.opted_out": record_wish_ended,
    "place.posted": record_place,
    "place.updated": record_place,
    "place.withdrawn": record_place_withdrawn,
    "student.erased": record_student_erased,
    "round.proposed": record_round_proposed,
    "round.released": record_round_released,
    "placement.accepted": record_accepted,
    "placement.refused": record_refused,
    "placement.failed": record_failed,
    "placement.replacement_requested": record_replacement_requested,
    "desk.report_filed": record_desk_report_filed,
}


def handle(env: Envelope, views: Projections) -> None:
    """Dispatch one event to its handler; event types reporting does not project are acknowledged."""
    HANDLERS.get(env.event_type, ignore)(env, views)
