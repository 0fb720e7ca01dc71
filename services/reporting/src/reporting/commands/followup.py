"""Follow-up use cases: flag a placement as not suitable (publishes placement.failed), register contact
moments, list missing contact moments, and the coordinators' organisation signals (the end evaluation is in
commands/evaluations.py; its discrimination answers count towards the signals here).

A caller may only act on a placement that is theirs: the student themself, staff of the student's school, or
staff of the organisation; anyone else gets NotFound.

Store and publish: flagging a placement only publishes (pattern A: the caller gets its answer once Kafka
acknowledged, PublishFailed otherwise, and nothing is stored either way); contact moments are stored only.
Imports the shared event payloads, the domain, the errors and the ports.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import replace

from stagepool_shared.auth import Principal
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.placements import PlacementFailed

from ..domain.aftercare import Pok
from ..domain.figures import PLACED, PlacementFact
from ..domain.followup import ContactMoment, at_place, contact_status
from ..domain.evaluations import organisation_signal_counts
from ..domain.signals import EVALUATION_KIND, escalated, organisation_signals
from ..domain.suppression import shown_count
from ..errors import NotFound
from ..ports import Deps

logger = logging.getLogger(__name__)

SCHOOL_ROLES = ("school_staff", "support_staff")


def may_act_on(principal: Principal, placement: PlacementFact | Pok) -> bool:
    """The student, their school's staff, or the organisation's staff (of a placement or its POK)."""
    if principal.role == "student":
        return principal.scope == placement.student_ref
    if principal.role in SCHOOL_ROLES:
        return principal.scope == placement.school_id
    if principal.role == "organisation_staff":
        return principal.scope == placement.organisation_id
    return False


def flagged_by(principal: Principal) -> str:
    """Who flagged a placement, as the event names it: student, organisation or school."""
    return {"student": "student", "organisation_staff": "organisation"}.get(principal.role, "school")


def _placement(deps: Deps, principal: Principal, period_id: str, student_ref: str) -> PlacementFact:
    """A current placement the caller may act on; NotFound otherwise."""
    placement = deps.views.placement(principal.region_id, period_id, student_ref)
    if placement is None or placement.status not in PLACED or not may_act_on(principal, placement):
        raise NotFound(student_ref)
    return placement


def flag_not_suitable(deps: Deps, principal: Principal, period_id: str, student_ref: str, reason_code: str,
                      after_introduction: bool) -> str:
    """Publish placement.failed with the mandatory reason; returns the event id."""
    placement = _placement(deps, principal, period_id, student_ref)
    payload = PlacementFailed(round_id=placement.round_id or "unknown", region_id=principal.region_id,
                              student_ref=student_ref, school_id=placement.school_id,
                              place_id=placement.place_id or "unknown",
                              organisation_id=placement.organisation_id or "unknown", reason_code=reason_code,
                              flagged_by=flagged_by(principal), after_introduction=after_introduction)
    event = new_envelope("placement.failed", payload, producer="reporting", partition_key=principal.region_id)
    deps.publisher.publish_all([event])
    logger.info("placement of %s flagged not suitable (%s)", student_ref, reason_code)
    return event.event_id


def add_contact(deps: Deps, principal: Principal, period_id: str, student_ref: str, moment_date: str, kind: str,
                signal: bool, exception: bool, held: bool | None = None, desk_referral: bool = False) -> dict:
    """Register a contact moment (held, or planned: issue 20.4); returns the placement's contact status.

    A moment in the future marked held is a field error at `held`; a signal opens a task for the school and,
    with the student's consent (`desk_referral`), a desk report (commands/contact_signals.py)."""
    from . import contact_signals  # it imports the aftercare and desk commands, which import this module

    placement = _placement(deps, principal, period_id, student_ref)
    moment = replace(contact_signals.checked_moment(deps, principal, moment_date, kind, signal, held, desk_referral),
                     place_id=placement.place_id or "")
    if signal:
        contact_signals.act_on_signal(deps, principal, period_id, placement, moment, desk_referral)
    deps.views.add_contact_moment(principal.region_id, period_id, student_ref, moment, exception)
    return contact_status_of(deps, principal, period_id, placement)


def read_contact_status(deps: Deps, principal: Principal, period_id: str, student_ref: str) -> dict:
    """The contact status of a placement the caller may see."""
    return contact_status_of(deps, principal, period_id, _placement(deps, principal, period_id, student_ref))


def contact_status_of(deps: Deps, principal: Principal, period_id: str, placement: PlacementFact) -> dict:
    """The contact status of a placement already checked (or listed) for the caller."""
    moments = deps.views.contact_moments(principal.region_id, period_id, placement.student_ref)
    status = contact_status(placement.student_ref, placement.school_id, moments, place_id=placement.place_id)
    return {"contacts": status.contacts, "on_site": status.on_site, "compliant": status.compliant,
            "missing": status.missing}


def read_contact_moments(deps: Deps, principal: Principal, period_id: str, student_ref: str) -> list[ContactMoment]:
    """The contact moments of a placement the caller may see."""
    placement = _placement(deps, principal, period_id, student_ref)
    return at_place(deps.views.contact_moments(principal.region_id, period_id, placement.student_ref),
                    placement.place_id)


def list_followed_placements(deps: Deps, principal: Principal) -> list[dict]:
    """The students placed with the caller's organisation, each as {"period", "fact", "status"}."""
    return [{"period": period, "fact": fact, "status": contact_status_of(deps, principal, period, fact)}
            for period, fact in deps.views.organisation_placements(principal.region_id, principal.scope)]


def missing_contacts(deps: Deps, principal: Principal, period_id: str) -> dict:
    """School staff see their own school's placements that miss contact moments; a coordinator sees
    per-school counts through the small-cell rule."""
    snapshot = deps.views.snapshot(principal.region_id, period_id, {})
    missing = [status for status in snapshot.contacts if not status.compliant]
    if principal.role in SCHOOL_ROLES:
        return {"placements": [{"student_ref": s.student_ref, "missing": s.missing}
                               for s in missing if s.school_id == principal.scope]}
    per_school = Counter(status.school_id for status in missing)
    return {"schools": {school: shown_count(n) for school, n in sorted(per_school.items())}}


def read_signals(deps: Deps, region_id: str) -> dict:
    """Per organisation: refusals after the introduction, desk reports and discrimination experienced there
    according to the students' end evaluations, aggregate only, with flags."""
    threshold = deps.escalation_threshold
    signals = organisation_signals(signal_counts(deps, region_id))
    return {"threshold": threshold,
            "organisations": [signal.public(threshold) for signal in signals],
            "escalated": len(escalated(signals, threshold))}


def signal_counts(deps: Deps, region_id: str) -> dict[str, dict[str, int]]:
    """{organisation_id: {kind: count}} of a region: the counted signals, plus the students of every period who
    said in their end evaluation that they experienced discrimination at the organisation (issue 20.5)."""
    counts = {org: dict(kinds) for org, kinds in deps.views.signal_counts(region_id).items()}
    for region, period in deps.views.periods():
        if region != region_id:
            continue
        for org, n in organisation_signal_counts(deps.views.period_evaluations(region, period)).items():
            kinds = counts.setdefault(org, {})
            kinds[EVALUATION_KIND] = kinds.get(EVALUATION_KIND, 0) + n
    return counts


def signal_regions(deps: Deps) -> list[str]:
    """Regions that may have organisation signals: counted ones, or end evaluations in one of their periods."""
    return sorted(set(deps.views.signal_regions()) | {region for region, _ in deps.views.periods()})
