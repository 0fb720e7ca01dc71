"""Follow-up use cases: flag a placement as not suitable (publishes placement.failed), register contact
moments, record the end evaluation, list missing contact moments, and the coordinators' organisation signals.

A caller may only act on a placement that is theirs: the student themself, staff of the student's school, or
staff of the organisation; anyone else gets NotFound. Imports the shared event payloads, the domain and ports.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, datetime

from stagepool_shared.auth import Principal
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.placements import PlacementFailed

from .domain.figures import PLACED, PlacementFact
from .domain.followup import ContactMoment, contact_status
from .domain.signals import escalated, organisation_signals
from .domain.suppression import shown_count
from .errors import NotFound

logger = logging.getLogger(__name__)

SCHOOL_ROLES = ("school_staff", "support_staff")


def may_act_on(principal: Principal, placement: PlacementFact) -> bool:
    """The student, their school's staff, or the organisation's staff."""
    if principal.role == "student":
        return principal.scope == placement.student_ref
    if principal.role in SCHOOL_ROLES:
        return principal.scope == placement.school_id
    if principal.role == "organisation_staff":
        return principal.scope == placement.organisation_id
    return False


def flagged_by(principal: Principal) -> str:
    return {"student": "student", "organisation_staff": "organisation"}.get(principal.role, "school")


class FollowUp:
    """Follow-up over the views (projections + follow-up records) and the publisher."""

    def __init__(self, views, publisher, threshold: int):
        self.views = views
        self.publisher = publisher
        self.threshold = threshold

    def _placement(self, principal: Principal, period_id: str, student_ref: str) -> PlacementFact:
        placement = self.views.placement(principal.region_id, period_id, student_ref)
        if placement is None or placement.status not in PLACED or not may_act_on(principal, placement):
            raise NotFound(student_ref)
        return placement

    def flag_not_suitable(self, principal: Principal, period_id: str, student_ref: str, reason_code: str,
                          after_introduction: bool) -> str:
        """Publish placement.failed with the mandatory reason; returns the event id."""
        placement = self._placement(principal, period_id, student_ref)
        payload = PlacementFailed(round_id=placement.round_id or "unknown", region_id=principal.region_id,
                                  student_ref=student_ref, school_id=placement.school_id,
                                  place_id=placement.place_id or "unknown",
                                  organisation_id=placement.organisation_id or "unknown", reason_code=reason_code,
                                  flagged_by=flagged_by(principal), after_introduction=after_introduction)
        event = new_envelope("placement.failed", payload, producer="reporting", partition_key=principal.region_id)
        self.publisher.publish_all([event])
        logger.info("placement of %s flagged not suitable (%s)", student_ref, reason_code)
        return event.event_id

    def add_contact(self, principal: Principal, period_id: str, student_ref: str, moment_date: str, kind: str,
                    signal: bool, exception: bool) -> dict:
        """Register a contact moment; returns the placement's contact status."""
        placement = self._placement(principal, period_id, student_ref)
        moment = ContactMoment(moment_date, kind, principal.role, signal)
        self.views.add_contact_moment(principal.region_id, period_id, student_ref, moment, exception)
        return self.contact_status(principal, period_id, placement)

    def contact_status_of(self, principal: Principal, period_id: str, student_ref: str) -> dict:
        """The contact status of a placement the caller may see."""
        return self.contact_status(principal, period_id, self._placement(principal, period_id, student_ref))

    def contact_status(self, principal: Principal, period_id: str, placement: PlacementFact) -> dict:
        moments = self.views.contact_moments(principal.region_id, period_id, placement.student_ref)
        status = contact_status(placement.student_ref, placement.school_id, moments)
        return {"contacts": status.contacts, "on_site": status.on_site, "compliant": status.compliant,
                "missing": status.missing}

    def evaluate(self, principal: Principal, period_id: str, student_ref: str, answers: dict) -> None:
        """Record the end evaluation of the student or the organisation (one each, the last one counts)."""
        placement = self._placement(principal, period_id, student_ref)
        by = "student" if principal.role == "student" else "organisation"
        if principal.role in SCHOOL_ROLES:
            raise NotFound(placement.student_ref)
        self.views.put_evaluation(principal.region_id, period_id, student_ref, by, answers)

    def missing_contacts(self, principal: Principal, period_id: str) -> dict:
        """School staff see their own school's placements that miss contact moments; a coordinator sees
        per-school counts through the small-cell rule."""
        snapshot = self.views.snapshot(principal.region_id, period_id, {})
        missing = [status for status in snapshot.contacts if not status.compliant]
        if principal.role in SCHOOL_ROLES:
            return {"placements": [{"student_ref": s.student_ref, "missing": s.missing}
                                   for s in missing if s.school_id == principal.scope]}
        per_school = Counter(status.school_id for status in missing)
        return {"schools": {school: shown_count(n) for school, n in sorted(per_school.items())}}

    def signals(self, region_id: str) -> dict:
        """Per organisation: refusals after the introduction and desk reports, aggregate only, with flags."""
        signals = organisation_signals(self.views.signal_counts(region_id))
        return {"threshold": self.threshold,
                "organisations": [signal.public(self.threshold) for signal in signals],
                "escalated": len(escalated(signals, self.threshold))}
