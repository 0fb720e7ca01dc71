"""The hard criteria of the rule for one (student, place) pair: may this student be placed there at all?

The one reference the matcher's validator, its explanations and intake's student catalogue (issue 15.2) all
call, so a student's catalogue shows exactly the places the matcher may place them at. The matcher's fast
numpy versions (`matcher.domain.eligibility`) are cross-checked against it by tests. The criteria, in the
order of the rule (the first failing one is the one reported):

    programme         the place recognises the student's crebo
    level             the place offers the student's level
    pathway           the place takes the student's leerweg (bol/bbl); a place naming none takes both
    study_year        the place takes the student's study year; a place naming none takes every year
    period            same period
    travel_time       travel minutes (see `travel`) <= the student's max_travel_minutes
    support           every support need is among the support offered
    allowance         a student who needs an allowance only goes to a place that pays one
    irregular_shifts  a place with irregular shifts only for a student who accepts them
    min_age           the student's age at the start >= the place's legal minimum age
    no_slots          the place has at least one effective slot (min(slots, supervision_capacity))
    excluded          the student refused the place, or a desk exclusion names it or its organisation

A wish and a place are anything with the fields of the contract's Wish and Place (the event payloads or the
matcher's records). Imports numpy (through `travel`) and the plain-Python contract only.
"""

from __future__ import annotations

from typing import Any, Callable

from .travel import travel_minutes



def effective_slots(place: Any) -> int:
    """Slots that can really be filled: min(slots, supervision_capacity), never negative."""
    return max(0, min(place.slots, place.supervision_capacity))


#: Each criterion as a check of one pair, in rule order: True = the pair passes it.
CHECKS: tuple[tuple[str, Callable[[Any, Any, bool], bool]], ...] = (
    ("programme", lambda w, p, x: w.crebo in p.crebos),
    ("level", lambda w, p, x: w.level in p.levels),
    ("pathway", lambda w, p, x: not p.pathways or w.pathway in p.pathways),
    ("study_year", lambda w, p, x: not p.study_years or w.study_year in p.study_years),
    ("period", lambda w, p, x: w.period_id == p.period_id),
    ("travel_time", lambda w, p, x: travel_minutes(w.home, p.location, w.transport_mode) <= w.max_travel_minutes),
    ("support", lambda w, p, x: set(w.support_needs) <= set(p.support_offered)),
    ("allowance", lambda w, p, x: p.offers_allowance or not w.needs_allowance),
    ("irregular_shifts", lambda w, p, x: w.irregular_shifts_ok or not p.irregular_shifts),
    ("min_age", lambda w, p, x: w.age_at_start >= p.min_age),
    ("no_slots", lambda w, p, x: effective_slots(p) > 0),
    ("excluded", lambda w, p, x: not x),
)
CRITERIA = tuple(name for name, _ in CHECKS)


def pair_failures(wish: Any, place: Any, excluded: bool = False) -> tuple[str, ...]:
    """Every criterion this pair fails, in rule order (empty tuple = eligible)."""
    return tuple(name for name, passes in CHECKS if not passes(wish, place, excluded))


def first_failure(wish: Any, place: Any, excluded: bool = False) -> str | None:
    """The first criterion (rule order) this pair fails, or None when it is eligible; stops at the first, so
    the travel time is computed only for a pair that passes the criteria before it."""
    return next((name for name, passes in CHECKS if not passes(wish, place, excluded)), None)


def is_eligible(wish: Any, place: Any, excluded: bool = False) -> bool:
    """May this student be placed at this place at all?"""
    return first_failure(wish, place, excluded) is None
