"""Event handlers: each turns one consumed event into reporting's projections, `verb_noun(envelope, deps)`.

Handlers translate payload dataclasses into domain facts and call the projection port (`deps.projections`);
`HANDLERS` at the bottom maps event types to handlers and `handle` dispatches. Desk events are reporting's
own; they feed the organisation signals.

Store and publish: each projection write lands together with the event's "processed" marker in one Redis
transaction (pattern B, with an empty outbox), so a redelivered event changes nothing. The one handler that
publishes is `placement.failed`'s: the failed placement's POK ends early and `agreement.status_changed` goes out
before it is stored (pattern A; a redelivery finds the POK ended and publishes nothing). Imports the shared event payloads, the domain and the ports.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import Callable

from stagepool_shared.envelope import Envelope
from stagepool_shared.events import aftercare, desk, placements, places, planning, rounds, students, variants, wishes

from .commands.aftercare import create_pok_draft, end_failed_pok
from .domain.figures import PlaceFact, WishFact
from .domain.followup import failure_is_after_introduction
from .ports import Deps

logger = logging.getLogger(__name__)

UNKNOWN_PERIOD = "unknown"


def record_wish(envelope: Envelope, deps: Deps) -> None:
    wish: wishes.Wish = envelope.payload
    fact = WishFact(wish.student_ref, wish.school_id, wish.sector, wish.level, "seeking", envelope.occurred_at,
                    crebo=wish.crebo)
    deps.projections.put_wish(envelope.event_id, wish.region_id, wish.period_id, fact)


def record_wish_ended(envelope: Envelope, deps: Deps) -> None:
    ref: wishes.WishRef = envelope.payload
    status = "opted_out" if envelope.event_type == "wish.opted_out" else "withdrawn"
    deps.projections.end_wish(envelope.event_id, ref.region_id, ref.period_id, ref.student_ref, ref.school_id, status)


def record_place(envelope: Envelope, deps: Deps) -> None:
    place: places.Place = envelope.payload
    fact = PlaceFact(place.place_id, place.organisation_id, place.sector, tuple(place.levels), place.slots,
                     organisation_name=place.organisation_name, crebos=tuple(place.crebos))
    deps.projections.put_place(envelope.event_id, place.region_id, place.period_id, fact)


def record_place_withdrawn(envelope: Envelope, deps: Deps) -> None:
    gone: places.PlaceWithdrawn = envelope.payload
    deps.projections.withdraw_place(envelope.event_id, gone.region_id, gone.period_id, gone.place_id,
                                    gone.organisation_id)


def record_round_proposed(envelope: Envelope, deps: Deps) -> None:
    proposal: rounds.RoundProposed = envelope.payload
    fields = {"region_id": proposal.region_id, "period_id": proposal.period_id, "kind": proposal.kind,
              "summary": json.dumps(asdict(proposal.summary)), "manifest": json.dumps(asdict(proposal.manifest))}
    deps.projections.put_round_meta(envelope.event_id, proposal.round_id, fields)


def record_round_released(envelope: Envelope, deps: Deps) -> None:
    released: rounds.RoundReleased = envelope.payload
    outcomes = {o.student_ref: json.dumps({"school_id": o.school_id, "status": o.status, "wish_match": o.wish_match,
                                           "reason_code": o.reason_code, "organisation_id": o.organisation_id,
                                           "place_id": o.place_id, "named_places": o.named_places})
                for o in released.outcomes}
    deps.projections.add_released_part(envelope.event_id, released.round_id, released.region_id,
                                       released.period_id, released.released_at, released.part, released.parts,
                                       outcomes)
    logger.info("round %s part %d/%d released", released.round_id, released.part, released.parts)


def _period(deps: Deps, round_id: str) -> str:
    """The period of a round (known from its proposal), "unknown" for a round reporting never saw."""
    return deps.projections.period_of_round(round_id) or UNKNOWN_PERIOD


def record_accepted(envelope: Envelope, deps: Deps) -> None:
    """The placement is accepted: project it, and create its POK draft (issue 20.1), each once per event."""
    ref: placements.PlacementAccepted = envelope.payload
    period_id = _period(deps, ref.round_id)
    create_pok_draft(deps, envelope.event_id, ref, period_id)
    deps.projections.update_placement(envelope.event_id, ref.region_id, period_id,
                                      ref.student_ref, ref.school_id, "accepted", {"accepted": 1})


def record_refused(envelope: Envelope, deps: Deps) -> None:
    ref: placements.PlacementRefused = envelope.payload
    deps.projections.update_placement(envelope.event_id, ref.region_id, _period(deps, ref.round_id),
                                      ref.student_ref, ref.school_id, "refused",
                                      {"refusals": 1, f"refusals:{ref.reason_code}": 1})


def record_failed(envelope: Envelope, deps: Deps) -> None:
    failed: placements.PlacementFailed = envelope.payload
    after_intro = failure_is_after_introduction(failed.reason_code, failed.after_introduction)
    counters = {"failed": 1, f"failed:{failed.reason_code}": 1}
    signal = None
    if after_intro:
        counters["rejected_after_introduction"] = 1
        signal = (failed.organisation_id, "rejected_after_introduction")
    period_id = _period(deps, failed.round_id)
    deps.projections.update_placement(envelope.event_id, failed.region_id, period_id,
                                      failed.student_ref, failed.school_id, "failed", counters, signal)
    end_failed_pok(deps, failed, period_id)


def record_replacement_requested(envelope: Envelope, deps: Deps) -> None:
    request: placements.ReplacementRequested = envelope.payload
    deps.projections.count(envelope.event_id, request.region_id, request.period_id,
                           {"replacements": 1, f"replacements:{request.cause}": 1})


def record_introduction_rejected(envelope: Envelope, deps: Deps) -> None:
    """A rejection after the kennismaking (issue 20.2): counted per reason code for the period's figures."""
    rejected: aftercare.IntroductionRejected = envelope.payload
    deps.projections.count(envelope.event_id, rejected.region_id, rejected.period_id,
                           {"introduction_rejections": 1, f"introduction_rejections:{rejected.reason_code}": 1})


def record_desk_report_filed(envelope: Envelope, deps: Deps) -> None:
    filed: desk.DeskReportFiled = envelope.payload
    if filed.organisation_id:
        deps.projections.signal(envelope.event_id, filed.region_id, filed.organisation_id, "desk_reports")


def record_student_erased(envelope: Envelope, deps: Deps) -> None:
    erased: students.StudentErased = envelope.payload
    deps.projections.erase_student(envelope.event_id, erased.student_ref)
    if deps.aftercare is not None:  # POKs (with history and people), kennismakingen and tasks; twice does no harm
        deps.aftercare.erase_student(erased.region_id, erased.student_ref)
    if deps.planning is not None:  # the student's variant-2 offers (issue 15.3), under a marker of their own
        deps.planning.drop_lines(f"{envelope.event_id}:offers", erased.region_id, "offer", f"{erased.student_ref}|")


def record_demand_forecast(envelope: Envelope, deps: Deps) -> None:
    """A school's expected demand (issue 16.3): the latest line per school, period, crebo, level and study year."""
    line: planning.DemandForecast = envelope.payload
    key = f"{line.school_id}|{line.period_id}|{line.crebo}|{line.level}|{line.study_year}"
    _plan(deps).put_line(envelope.event_id, line.region_id, "demand", key, asdict(line))


def record_supply_forecast(envelope: Envelope, deps: Deps) -> None:
    """An organisation's expected supply: the latest line per organisation, period and sector."""
    line: planning.SupplyForecast = envelope.payload
    key = f"{line.organisation_id}|{line.period_id}|{line.sector}"
    _plan(deps).put_line(envelope.event_id, line.region_id, "supply", key, asdict(line))


def record_participation(envelope: Envelope, deps: Deps) -> None:
    """Whether an organisation takes part in a school year: the latest per organisation and year."""
    line: planning.Participation = envelope.payload
    key = f"{line.organisation_id}|{line.school_year}"
    _plan(deps).put_line(envelope.event_id, line.region_id, "participation", key, asdict(line))


def record_variant(envelope: Envelope, deps: Deps) -> None:
    """A school's matching variant of a programme in a period (issue 15.3): the latest per school, crebo and
    period, for the figures per variant (issue 15.5)."""
    line: variants.VariantSet = envelope.payload
    key = f"{line.school_id}|{line.crebo}|{line.period_id}"
    _plan(deps).put_line(envelope.event_id, line.region_id, "variant", key, asdict(line))


def record_offer(envelope: Envelope, deps: Deps) -> None:
    """The matcher's candidates for a variant-2 student (issue 15.3): the latest per student and period, for
    the share placed at any candidate offered (issue 15.5)."""
    offer: variants.CandidatesOffered = envelope.payload
    line = {"period_id": offer.period_id, "student_ref": offer.student_ref, "place_ids": list(offer.place_ids)}
    _plan(deps).put_line(envelope.event_id, offer.region_id, "offer", f"{offer.student_ref}|{offer.period_id}", line)


def _plan(deps: Deps):
    if deps.planning is None:  # pragma: no cover - bootstrap always wires it
        raise RuntimeError("reporting is wired without the board's planning store")
    return deps.planning


def ignore(envelope: Envelope, deps: Deps) -> None:
    """Events reporting reads but keeps nothing of (the desk store already holds the case status)."""
    logger.debug("nothing to project for %s", envelope.event_type)


HANDLERS: dict[str, Callable[[Envelope, Deps], None]] = {
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
    "introduction.rejected": record_introduction_rejected,
    "demand.forecast_posted": record_demand_forecast,
    "supply.forecast_posted": record_supply_forecast,
    "organisation.participation_set": record_participation,
    "variant.set": record_variant,
    "candidates.offered": record_offer,
}


def handle(envelope: Envelope, deps: Deps) -> None:
    """Dispatch one event to its handler; event types reporting does not project are acknowledged."""
    HANDLERS.get(envelope.event_type, ignore)(envelope, deps)
