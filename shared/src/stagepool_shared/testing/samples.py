"""One valid sample payload per event type: used by the contract tests, golden files and other tests.

Sample values are realistic but fictitious; no sample contains personal data.
"""

from __future__ import annotations

from typing import Any

from ..events import (
    aftercare, deadletter, desk, notifications, placements, places, planning, rounds, students, variants, wishes,
)
from ..events.base import Location

HOME = Location(pc4="9712", lat=53.22, lon=6.57)
WORK = Location(pc4="9713", lat=53.23, lon=6.55)


def _wish() -> wishes.Wish:
    return wishes.Wish(
        student_ref="stu_0a1b2c3d4e5f60718293a4b5c6d7e8f9", school_id="sch-noorderpoort", region_id="reg-groningen",
        period_id="2027-p1", sector="zorg", crebo="25491", level=4, study_year=2, pathway="bol", home=HOME,
        max_travel_minutes=45, transport_mode="public_transport", age_at_start=18, needs_allowance=True,
        irregular_shifts_ok=False, activities=["persoonlijke_verzorging", "medicatie"],
        preferred_org_types=["ziekenhuis"], top_places=["plc-umcg-01"], support_needs=["extra_begeleiding"],
    )


def _place() -> places.Place:
    return places.Place(
        place_id="plc-umcg-01", organisation_id="org-umcg", organisation_name="UMCG", region_id="reg-groningen",
        period_id="2027-p1", sector="zorg", org_type="ziekenhuis", location=WORK, address="Hanzeplein 1, Groningen",
        crebos=["25491"], levels=[3, 4], slots=6, supervision_capacity=4, offers_allowance=True,
        irregular_shifts=True, min_age=16, activities=["persoonlijke_verzorging", "medicatie"],
        support_offered=["extra_begeleiding"], reserved=[places.Reservation("sch-noorderpoort", 2)],
        start_date="2027-02-01", competences=["b1-k1-w2"], keuzedelen=["k0080"], supervisor_role="practice_trainer",
        supervision_hours=6, company_size="large", allowance_per_month=300, early_shifts=True, weekend_shifts=True,
        accessibility=["wheelchair", "lift"], town="Groningen",
    )


def _outcomes() -> list[rounds.Outcome]:
    return [
        rounds.Outcome(student_ref="stu_0a1b2c3d4e5f60718293a4b5c6d7e8f9", school_id="sch-noorderpoort",
                       status="placed", place_id="plc-umcg-01", organisation_id="org-umcg", wish_match="top1",
                       travel_minutes=22, criteria_met=["crebo", "level", "travel", "support"],
                       support_needs=["extra_begeleiding"], named_places=True),
        rounds.Outcome(student_ref="stu_ffeeddccbbaa99887766554433221100", school_id="sch-alfa", status="unplaced",
                       reason_code="NO_ELIGIBLE_PLACE", binding_constraint="travel",
                       hints=[rounds.Hint("travel", 15, "minutes", 4)]),
    ]


def _summary() -> rounds.Summary:
    return rounds.Summary(
        students=2, placed=1, unplaced=1, worst_school_rate=0.0, best_school_rate=1.0, school_spread=1.0,
        top1_share=1.0, top3_share=1.0,
        school_rates=[rounds.SchoolRate("sch-noorderpoort", 1, 1, 1.0, "zorg"),
                      rounds.SchoolRate("sch-alfa", 1, 0, 0.0, "zorg")],
        unplaced_by_reason={"NO_ELIGIBLE_PLACE": 1},
    )


MANIFEST = rounds.Manifest(input_hash="a" * 64, seed=42, solver="ortools-min-cost-flow", solver_version="9.15.6755",
                           code_version="0.1.0", output_hash="b" * 64)
_REF = dict(round_id="rnd-2027-p1-1", region_id="reg-groningen", student_ref="stu_0a1b2c3d4e5f60718293a4b5c6d7e8f9",
            school_id="sch-noorderpoort", place_id="plc-umcg-01", organisation_id="org-umcg")
_WISH_REF = dict(student_ref="stu_0a1b2c3d4e5f60718293a4b5c6d7e8f9", school_id="sch-noorderpoort",
                 region_id="reg-groningen", period_id="2027-p1")
#: The ids an aftercare event starts with (events.aftercare.StudentAtOrganisation), and with the place.
_AT_ORGANISATION = ("reg-groningen", "2027-p1", _REF["student_ref"], "sch-noorderpoort", "org-umcg")
_PLACEMENT_IDS = (*_AT_ORGANISATION, "plc-umcg-01")
_NOTE = dict(round_id="rnd-2027-p1-1", region_id="reg-groningen", recipient_kind="student",
             recipient_ref="stu_0a1b2c3d4e5f60718293a4b5c6d7e8f9", channel="email", message_kind="outcome")


def sample_payload(event_type: str) -> Any:
    """A valid payload of `event_type` (schema version 1)."""
    return {
        "wish.submitted": _wish,
        "wish.updated": _wish,
        "wish.withdrawn": lambda: wishes.WishWithdrawn(**_WISH_REF, reason="stopped_study"),
        "wish.opted_out": lambda: wishes.WishOptedOut(**_WISH_REF, own_place=True),
        "place.posted": _place,
        "place.updated": _place,
        "place.withdrawn": lambda: places.PlaceWithdrawn("plc-umcg-01", "org-umcg", "reg-groningen", "2027-p1"),
        "student.erased": lambda: students.StudentErased(_WISH_REF["student_ref"], "sch-noorderpoort", "reg-groningen"),
        "round.requested": lambda: rounds.RoundRequested("rnd-2027-p1-1", "reg-groningen", "2027-p1", 42, "usr-coord",
                                                         "initial", "zorg", None),
        "round.proposed": lambda: rounds.RoundProposed("rnd-2027-p1-1", "reg-groningen", "2027-p1", "initial",
                                                       MANIFEST, _summary(), 1, 1, _outcomes()),
        "round.approved": lambda: rounds.RoundApproved("rnd-2027-p1-1", "reg-groningen", "usr-bpv-1", "school_staff",
                                                       "sch-noorderpoort"),
        "round.objected": lambda: rounds.RoundObjected(
            "rnd-2027-p1-1", "reg-groningen", "2027-p1", _WISH_REF["student_ref"], "sch-noorderpoort", "plc-umcg-01",
            "org-umcg", "usr-bpv-1", "school_staff", "travel"),
        "round.release_scheduled": lambda: rounds.RoundReleaseScheduled(
            "rnd-2027-p1-1", "reg-groningen", "2027-01-15T09:00:00Z", "2027-01-22T17:00:00Z", "usr-coord"),
        "round.released": lambda: rounds.RoundReleased("rnd-2027-p1-1", "reg-groningen", "2027-p1",
                                                       "2027-01-15T09:00:00Z", "2027-01-22T17:00:00Z", 1, 1,
                                                       _outcomes()),
        "placement.accepted": lambda: placements.PlacementAccepted(**_REF),
        "placement.refused": lambda: placements.PlacementRefused(**_REF, reason_code="travel"),
        "placement.failed": lambda: placements.PlacementFailed(**_REF, reason_code="rejected_after_introduction",
                                                               flagged_by="organisation", after_introduction=True),
        "placement.replacement_requested": lambda: placements.ReplacementRequested(
            "req-1", "reg-groningen", "2027-p1", _REF["student_ref"], "sch-noorderpoort", "desk_report",
            ["org-umcg"], []),
        "notification.sent": lambda: notifications.NotificationSent(**_NOTE, attempts=1),
        "notification.failed": lambda: notifications.NotificationFailed(**_NOTE, attempts=5,
                                                                         reason="SMTP 550 mailbox unavailable"),
        "desk.report_filed": lambda: desk.DeskReportFiled("rep-7f3a", "reg-groningen", "org-umcg", None, True),
        "desk.report_status_changed": lambda: desk.DeskReportStatusChanged("rep-7f3a", "reg-groningen",
                                                                           "in_progress", "received"),
        "agreement.status_changed": lambda: aftercare.AgreementStatusChanged(
            *_AT_ORGANISATION, agreement_id="pok-0a1b2c3d4e5f60718293a4b5", status="ended_early",
            end_reason="mismatch", place_id="plc-umcg-01"),
        "introduction.rejected": lambda: aftercare.IntroductionRejected(*_PLACEMENT_IDS, "team_fit", True, False),
        "contact.task_opened": lambda: aftercare.ContactTaskOpened(
            *_AT_ORGANISATION, task_id="tsk-0a1b2c3d4e5f60718293a4b5", kind="contact_reminder",
            reason_code="contact_due", addressee="school_contact"),
        "introduction.proposed": lambda: aftercare.IntroductionProposed(
            *_PLACEMENT_IDS, introduction_id="int-0a1b2c3d4e5f60718293a4b5", moment="2027-01-20T09:00:00+00:00"),
        "evaluation.opened": lambda: aftercare.EvaluationOpened(
            *_PLACEMENT_IDS, agreement_id="pok-0a1b2c3d4e5f60718293a4b5"),
        "demand.forecast_posted": lambda: planning.DemandForecast(
            "sch-noorderpoort", "reg-groningen", "2027-2028", "2027-p1", "zorg", "25480", 3, 2, 40),
        "supply.forecast_posted": lambda: planning.SupplyForecast(
            "org-umcg", "reg-groningen", "2027-2028", "2027-p1", "zorg", ["25480", "25491"], 12),
        "organisation.participation_set": lambda: planning.Participation(
            "org-umcg", "reg-groningen", "2027-2028", "opted_out", "no_supervisor"),
        "variant.set": lambda: variants.VariantSet("reg-groningen", "sch-noorderpoort", "25491", "2027-p1", 2, 3),
        "candidates.offered": lambda: variants.CandidatesOffered(
            _REF["round_id"], "reg-groningen", "2027-p1", "sch-noorderpoort", _REF["student_ref"],
            ["plc-umcg-01", "plc-martini-02"]),
        "dead_letter": lambda: deadletter.DeadLetter("stagepool.wishes.v1", 0, 17, "stagepool-matcher",
                                                     "not valid UTF-8 JSON", "InvalidEvent", "e30K", "reg-groningen"),
    }[event_type]()
