"""A hint in a round outcome carries both counts (issue 17): K places open, F of them with a free slot."""

from __future__ import annotations

from stagepool_shared.events.rounds import Hint

from matcher.adapters.ortools_solver import _hints
from matcher.domain.model import Explanation, Relaxation
from matcher.domain.wording import hint_text


def test_an_outcome_hint_carries_the_places_opened_and_those_with_a_free_slot() -> None:
    e = Explanation("stu-1", "ALL_TAKEN_UNDER_FAIR_SHARE", None, (), None, None, 2,
                    nearest_change=Relaxation("travel_time", 135, 4, 15),
                    relaxations=(Relaxation("travel_time", 135, 4, 15), Relaxation("allowance", 3, 0)))
    assert _hints(e) == [Hint("travel_time", 15.0, "minutes", 135, 4), Hint("allowance", 1.0, "", 3, 0)]


def test_the_review_page_says_how_many_opened_places_have_a_free_slot() -> None:
    assert hint_text("travel_time", 15.0, "minutes", 135, "nl", free_places=4) == (
        "15 minuten meer reistijd opent 135 plaatsen (4 met een vrije plek)")
    assert hint_text("allowance", 1.0, "", 3, "en", free_places=0) == (
        "without the 'allowance' requirement 3 places come into view (none with a free slot, so this may not "
        "be enough)")
    # an outcome from before issue 17 has no count of free slots: the sentence claims none
    assert hint_text("allowance", 1.0, "", 3, "en") == "without the 'allowance' requirement 3 places come into view"
