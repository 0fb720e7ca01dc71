"""How students move between two rounds (issue 14, 1.1): keep, gain, lose or change a place, in words."""

from __future__ import annotations

from stagepool_shared.events.rounds import Outcome

from matcher.rounds.movement import Movement, movement


def placed(ref: str, place_id: str, status: str = "placed") -> Outcome:
    return Outcome(ref, "sch-a", status, place_id, f"org-{place_id}")


def unplaced(ref: str) -> Outcome:
    return Outcome(ref, "sch-a", "unplaced", reason_code="NO_ELIGIBLE_PLACE")


def test_every_student_is_counted_once_as_keep_gain_lose_or_change():
    before = [placed("stu-1", "plc-1"), placed("stu-2", "plc-2"), placed("stu-3", "plc-3"), unplaced("stu-4"),
              placed("stu-gone", "plc-4")]
    after = [placed("stu-1", "plc-1", "kept"), placed("stu-2", "plc-9"), unplaced("stu-3"),
             placed("stu-4", "plc-3"), placed("stu-new", "plc-4"), unplaced("stu-new-2")]
    assert movement(before, after) == Movement(keep=1, gain=2, lose=2, change=1)


def test_the_same_outcomes_keep_everyone_and_move_nobody():
    outcomes = [placed("stu-1", "plc-1"), unplaced("stu-2")]
    assert movement(outcomes, outcomes) == Movement(keep=1)


def test_the_movement_reads_as_a_sentence_in_dutch_and_english_with_one_and_many():
    moved = Movement(keep=5, gain=1, lose=0, change=2)
    assert moved.text() == ("5 studenten houden dezelfde plaats, 1 student krijgt een plaats, "
                            "0 studenten verliezen hun plaats en 2 studenten krijgen een andere plaats.")
    assert moved.text("en") == ("5 students keep the same place, 1 student gains a place, "
                                "0 students lose their place and 2 students change place.")
    assert moved.as_dict() == {"keep": 5, "gain": 1, "lose": 0, "change": 2,
                               "text": {"nl": moved.text("nl"), "en": moved.text("en")}}
