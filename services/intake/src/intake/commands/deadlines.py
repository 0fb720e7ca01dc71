"""The students whose window before a period's deadline is still open (issue 15.4), for the notifier's reminders.

Two deadlines per period, each the end of its day in Amsterdam:

- `wishes` (`wishes_until`): the students with an active wish in the period who have no top 3 yet (a variant-2
  student who was already offered candidates chooses among them instead, so is not listed here);
- `choices` (`choices_until`): the variant-2 students who were offered candidates and chose none of them.

Only windows whose deadline has not passed and comes within `within` of now are listed, and per student only
what the e-mail needs: the pseudonym and the e-mail address (intake keeps no language of a student; the
reminder is written in Dutch and English). A student without an e-mail address is left out. This is the one
place where intake names students who are not (yet) in a released round to the notifier; the route answers
the notifier's service token only. Imports the domain and the ports.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from ..domain.model import WISH_ACTIVE, Period, WishRecord
from ..domain.variants import end_of_day, variant_key
from ..ports import Deps
from .forecasts import planning_store
from .variants import chosen_candidates

WISHES, CHOICES = "wishes", "choices"
MAX_WITHIN = timedelta(days=31)


def open_windows(deps: Deps, within: timedelta) -> list[dict[str, Any]]:
    """Every deadline that has not passed and comes within `within`, with the students who still have to act:
    [{"period_id", "deadline": "wishes"|"choices", "until": ISO 8601 with offset, "students": [...]}]."""
    now = deps.clock()
    found = []
    for period in deps.store.list_periods():
        for kind, until in _deadlines(period):
            if until is not None and now < until <= now + within:
                found.append({"period_id": period.period_id, "region_id": period.region_id, "deadline": kind,
                              "until": until.isoformat(), "students": _waiting(deps, period.period_id, kind)})
    return found


def _deadlines(period: Period) -> list[tuple[str, datetime | None]]:
    return [(WISHES, end_of_day(period.wishes_until)), (CHOICES, end_of_day(period.choices_until))]


def _waiting(deps: Deps, period_id: str, kind: str) -> list[dict[str, str]]:
    """The students of the period who have not acted on this deadline, with their e-mail address."""
    variants: dict[str, dict[str, Any]] = {}
    students = []
    for wish in deps.store.wishes_of_period(period_id):
        if wish.status != WISH_ACTIVE or not _still_to_act(deps, wish, kind, variants):
            continue
        student = deps.store.get_student(wish.student_ref)
        if student is not None and student.email:
            students.append({"student_ref": wish.student_ref, "email": student.email})
    return students


def _still_to_act(deps: Deps, wish: WishRecord, kind: str, variants: dict[str, dict[str, Any]]) -> bool:
    """Wishes: no top 3 and no candidates to choose from; choices: candidates offered, none chosen."""
    offered = _offered(deps, wish, variants)
    if kind == WISHES:
        return not offered and not wish.payload.get("top_places")
    return bool(offered) and not chosen_candidates(wish, offered)


def _offered(deps: Deps, wish: WishRecord, variants: dict[str, dict[str, Any]]) -> list[str]:
    """The candidates offered to a variant-2 student ([] for variants 1 and 3, or before the offer). The
    school's settings are read once per school for the whole list."""
    if wish.school_id not in variants:
        variants[wish.school_id] = planning_store(deps).variants(wish.school_id)
    line = variants[wish.school_id].get(variant_key(wish.period_id, wish.payload.get("crebo", "")))
    if line is None or line.get("variant") != 2:
        return []
    return planning_store(deps).candidates(wish.student_ref, wish.period_id)
