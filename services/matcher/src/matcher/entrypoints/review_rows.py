"""The rows of the review page: each of the school's own students by name and student number, the place and
organisation by name, the outcome and its reason or hint in words; searched and paged on the server.

Names come from intake per page view (`commands.review_names`) and live only in this request; places and
organisations come from the round's frozen input (place events carry no personal data). No Flask here.
Imports the shared events, the domain's wording and the pages' words for codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from stagepool_shared.events.places import Place
from stagepool_shared.events.rounds import Hint, Outcome

from ..domain import wording
from ..ports import StudentName
from . import page_figures as pf
from .page_variants import choice_text

PAGE_SIZE = 50
REASON_WORDS = {
    "nl": {"travel": "Reistijd of bereikbaarheid past niet", "support": "Begeleiding of ondersteuning past niet",
           "earlier_experience": "Eerdere ervaring met deze organisatie",
           "student_situation": "Persoonlijke situatie van de student", "other": "Anders (licht toe)"},
    "en": {"travel": "Travel time or access does not suit", "support": "Guidance or support does not fit",
           "earlier_experience": "Earlier experience with this organisation",
           "student_situation": "The student's personal situation", "other": "Other (explain)"},
}


@dataclass(frozen=True)
class Listing:
    """One page of rows, with what the pager needs."""

    rows: list[dict[str, Any]]
    total: int
    page: int
    pages: int


def hint_text(hint: Hint, lang: str) -> str:
    """The nearest change that would have helped, as a sentence."""
    return wording.hint_text(hint.criterion, hint.change, hint.unit, hint.opens_places, lang, hint.free_places)


def place_words(place: Place | None, lang: str) -> tuple[str, str]:
    """A place by its address and its organisation by name ("no longer known" when the round lacks it)."""
    if place is None:
        unknown = "plaats niet meer bekend" if lang == "nl" else "place no longer known"
        return unknown, ""
    return place.address, place.organisation_name


def row(outcome: Outcome, name: StudentName | None, place: Place | None, lang: str,
        objected: bool = False) -> dict[str, Any]:
    """One student's line: who, where, and why in words; the pseudonym only as the form's hidden key."""
    placed = outcome.status in ("placed", "kept")
    place_name, organisation_name = place_words(place, lang) if placed else ("", "")
    return {
        "key": outcome.student_ref, "name": name.name if name else "",
        "student_number": name.student_number if name else "", "status": outcome.status,
        "status_text": pf.word(pf.STATUSES, lang, outcome.status), "placed": placed,
        "place": place_name, "organisation": organisation_name,
        "wish": pf.word(pf.MATCHES, lang, outcome.wish_match), "travel": outcome.travel_minutes,
        "criteria": [pf.criterion(lang, c, met=True) for c in outcome.criteria_met],
        "support": list(outcome.support_needs),
        "reason": pf.word(pf.REASONS, lang, outcome.reason_code) if outcome.reason_code else "",
        "binding": pf.criterion(lang, outcome.binding_constraint) if outcome.binding_constraint else "",
        "hints": [hint_text(h, lang) for h in outcome.hints], "choice": choice_text(outcome, lang),
        "objectable": outcome.status == "placed" and bool(outcome.place_id), "objected": objected,
    }


def matches(line: dict[str, Any], query: str) -> bool:
    """Whether a row's name, student number, place or organisation holds the query (case ignored)."""
    needle = query.casefold()
    return any(needle in str(line[k]).casefold() for k in ("name", "student_number", "place", "organisation"))


def ordered(rows: Sequence[dict[str, Any]], support_first: bool) -> list[dict[str, Any]]:
    """By name (unknown names last); support staff see the students with support needs first."""
    return sorted(rows, key=lambda r: (support_first and not r["support"], not r["name"], r["name"].casefold(),
                                       r["student_number"]))


def listing(rows: Sequence[dict[str, Any]], query: str, page: int, support_first: bool = False) -> Listing:
    """The rows that match `query`, ordered, cut to page `page` of PAGE_SIZE (clamped to the pages there are)."""
    found = ordered([r for r in rows if not query or matches(r, query)], support_first)
    pages = max(1, -(-len(found) // PAGE_SIZE))
    page = min(max(1, page), pages)
    return Listing(found[(page - 1) * PAGE_SIZE:page * PAGE_SIZE], len(found), page, pages)
