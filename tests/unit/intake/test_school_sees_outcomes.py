"""After release the school sees every student's current status (issue 14.8): placed where (the organisation
and address by name), or why not; the answer (accepted, or refused with its reason); and the follow-up. Intake
learns it from round.released and the placement events (codes and ids only: no name travels). Built through
bootstrap with the fakes; the events are handed to intake's handlers as its consumer would."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from intake import handlers
from stagepool_shared import topics
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events import placements, rounds
from tests.fakes.intake import PLACE, submission
from tests.unit.intake.test_pages_school import school  # noqa: F401 (fixture)

RELEASED = datetime.now(UTC) - timedelta(hours=1)
PERIOD = "p2027a"


def world(school):
    """A student of school-a with a wish, and a place of org-1; returns (student_ref, place_id)."""
    answer = school.client.post("/api/v1/wishes", json=submission(), headers=school.as_("school_a"))
    assert answer.status_code == 202, answer.get_json()
    ref = answer.get_json()["student_ref"]
    posted = school.client.post("/api/v1/places", json=PLACE, headers=school.as_("org_1"))
    assert posted.status_code == 202, posted.get_json()
    return ref, school.publisher.events("place.posted")[-1].payload.place_id


def feed(school, event_type: str, payload) -> None:
    handlers.handle(new_envelope(event_type, payload, producer="test", partition_key="r-noord"), school.wiring.deps)


def release(school, ref: str, place_id: str | None, round_id: str = "rnd-1", at: datetime = RELEASED,
            respond_by: datetime | None = None, reason: str | None = None, status: str = "placed") -> None:
    outcome = rounds.Outcome(ref, "school-a", status if place_id else "unplaced", place_id,
                             "org-1" if place_id else None, reason_code=reason)
    feed(school, "round.released", rounds.RoundReleased(round_id, "r-noord", PERIOD, at.isoformat(),
                                                        (respond_by or at + timedelta(days=7)).isoformat(), 1, 1,
                                                        [outcome]))


def ref_of(ref: str, place_id: str, round_id: str = "rnd-1") -> dict:
    return dict(round_id=round_id, region_id="r-noord", student_ref=ref, school_id="school-a", place_id=place_id,
                organisation_id="org-1")


def status_cell(school) -> str:
    body = school.client.get("/pages/school").get_data(as_text=True)
    return body.split('<table id="students">')[1].split("</table>")[0]


def test_before_release_the_school_sees_the_wish_and_after_release_where_the_student_is_placed(school):
    ref, place_id = world(school)
    assert "Wens ingediend" in status_cell(school)
    release(school, ref, place_id)
    cell = status_cell(school)
    assert "Geplaatst bij Zorggroep Noord" in cell and "Nog geen antwoord" in cell and "Wens ingediend" not in cell
    assert place_id not in cell and "org-1" not in cell
    detail = school.client.get(f"/pages/school/students/{ref}").get_data(as_text=True)
    assert "Zorgweg 2, Assen" in detail and "Uitslag na vrijgeven" in detail and "CET" in detail


def test_the_school_sees_the_acceptance(school):
    ref, place_id = world(school)
    release(school, ref, place_id)
    feed(school, "placement.accepted", placements.PlacementAccepted(**ref_of(ref, place_id)))
    cell = status_cell(school)
    assert "Geaccepteerd" in cell and "de stage gaat door" in cell
    english = school.client.get("/pages/school?lang=en").get_data(as_text=True)
    assert "Placed at Zorggroep Noord" in english and "Accepted" in english


def test_the_school_sees_a_refusal_with_its_reason_and_that_a_new_place_is_sought(school):
    ref, place_id = world(school)
    release(school, ref, place_id)
    feed(school, "placement.refused", placements.PlacementRefused(**ref_of(ref, place_id), reason_code="travel"))
    cell = status_cell(school)
    assert "Geweigerd: de reistijd is te lang" in cell and "Neem contact op met de student" in cell
    feed(school, "placement.replacement_requested", placements.ReplacementRequested(
        "req-1", "r-noord", PERIOD, ref, "school-a", "refusal", ["org-1"], [place_id]))
    assert "nieuwe plaats gezocht in de volgende herronde" in status_cell(school)


def test_an_unplaced_student_shows_why_in_words_and_the_next_step(school):
    ref, _ = world(school)
    release(school, ref, None, reason="ALL_TAKEN_UNDER_FAIR_SHARE")
    cell = status_cell(school)
    assert "Niet geplaatst: passende plaatsen allemaal bezet bij eerlijke verdeling" in cell
    assert "Doet mee aan de volgende herronde" in cell and "ALL_TAKEN" not in cell


def test_a_deadline_that_passed_without_an_answer_asks_the_school_to_contact_the_student(school):
    ref, place_id = world(school)
    release(school, ref, place_id, at=RELEASED - timedelta(days=9), respond_by=RELEASED - timedelta(days=2))
    cell = status_cell(school)
    assert "Geen antwoord binnen de termijn" in cell and "Neem contact op met de student" in cell


def test_the_latest_round_is_current_an_older_one_or_a_redelivery_changes_nothing(school):
    ref, place_id = world(school)
    release(school, ref, place_id, round_id="rnd-2", at=RELEASED)
    feed(school, "placement.accepted", placements.PlacementAccepted(**ref_of(ref, place_id, "rnd-2")))
    release(school, ref, None, round_id="rnd-1", at=RELEASED - timedelta(days=3), reason="NO_ELIGIBLE_PLACE")
    assert "Geaccepteerd" in status_cell(school)
    feed(school, "placement.refused", placements.PlacementRefused(**ref_of(ref, place_id, "rnd-1"),
                                                                  reason_code="travel"))
    assert "Geaccepteerd" in status_cell(school) and "Geweigerd" not in status_cell(school)
    release(school, ref, place_id, round_id="rnd-3", at=RELEASED + timedelta(minutes=5), status="kept")
    assert "Geaccepteerd" in status_cell(school)  # a later round that keeps the place keeps the answer


def test_intake_reads_the_placement_events_and_publishes_nothing_when_it_does(school):
    assert topics.PLACEMENTS in topics.INTAKE.topics
    ref, place_id = world(school)
    published = len(school.publisher.events())
    release(school, ref, place_id)
    feed(school, "placement.accepted", placements.PlacementAccepted(**ref_of(ref, place_id)))
    assert len(school.publisher.events()) == published
    school.wiring.deps.store.erase_student(ref)
    assert school.wiring.deps.store.placement_statuses(ref) == {}


def test_an_answer_read_before_its_release_is_kept_and_shown_once_the_release_arrives(school):
    """The rounds and placements topics are read side by side: a consumer catching up may see the refusal
    before the release it answers. The answer waits (never on the page alone) and is applied to its round."""
    ref, place_id = world(school)
    feed(school, "placement.refused", placements.PlacementRefused(**ref_of(ref, place_id), reason_code="travel"))
    assert school.wiring.deps.store.placement_statuses(ref) == {}
    assert "Wens ingediend" in status_cell(school)
    release(school, ref, place_id)
    [status] = school.wiring.deps.store.placement_statuses(ref).values()
    assert (status.round_id, status.answer, status.answer_reason) == ("rnd-1", "refused", "travel")
    assert "Geweigerd: de reistijd is te lang" in status_cell(school)
