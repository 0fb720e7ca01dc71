"""One student's whole story for the regional coordinator (issue 14.10): per period of the coordinator's
region, the wish, every released round with the student's outcome in it, the current outcome with the
student's answer, and the follow-up (contact moments). And the search that finds a student of the region by
pseudonym, school, organisation or place.

Reporting holds no names: the coordinator sees pseudonyms and codes only. A student of another region, or
one reporting has never seen in the coordinator's region, is NotFound (the page answers 404). Reads only.
Imports the domain, the errors and the ports.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from stagepool_shared.auth import Principal

from ..domain.figures import PlacementFact, RoundFact, WishFact
from ..domain.followup import ContactMoment
from ..errors import NotFound
from ..ports import Deps

COORDINATOR = "regional_coordinator"


@dataclass(frozen=True)
class PeriodStory:
    """What happened to the student in one period."""

    period_id: str
    wish: WishFact | None
    rounds: list[tuple[RoundFact, dict]]
    placement: PlacementFact | None
    contacts: list[ContactMoment]


@dataclass(frozen=True)
class StudentLine:
    """A student found by the search: pseudonym, school, periods, and the latest outcome's status and place."""

    student_ref: str
    school_id: str
    periods: list[str]
    status: str
    organisation_id: str = ""
    place_id: str = ""
    reason_code: str = ""


@dataclass(frozen=True)
class StudentStory:
    student_ref: str
    region_id: str
    periods: list[PeriodStory] = field(default_factory=list)


def _region(principal: Principal | None) -> str:
    if principal is None or principal.role != COORDINATOR or not principal.region_id:
        raise NotFound()
    return principal.region_id


def student_story(deps: Deps, principal: Principal | None, student_ref: str) -> StudentStory:
    """The story of `student_ref` in the coordinator's region; NotFound when there is none there."""
    region = _region(principal)
    periods = []
    for region_id, period_id in deps.views.periods():
        if region_id != region:
            continue
        wish = deps.views.wish(region, period_id, student_ref)
        placement = deps.views.placement(region, period_id, student_ref)
        rounds = deps.views.student_rounds(region, period_id, student_ref)
        if wish is None and placement is None and not rounds:
            continue
        periods.append(PeriodStory(period_id, wish, rounds, placement,
                                   deps.views.contact_moments(region, period_id, student_ref)))
    if not periods:
        raise NotFound()
    return StudentStory(student_ref, region, periods)


def students_of_region(deps: Deps, principal: Principal | None) -> list[StudentLine]:
    """Every student reporting knows in the coordinator's region, with their latest period's outcome."""
    region = _region(principal)
    lines: dict[str, StudentLine] = {}
    for region_id, period_id in deps.views.periods():
        if region_id != region:
            continue
        snapshot = deps.views.snapshot(region, period_id, {})
        placements = {p.student_ref: p for p in snapshot.placements}
        wishes = {w.student_ref: w for w in snapshot.wishes}
        for ref in set(wishes) | set(placements):
            lines[ref] = _line(lines.get(ref), ref, period_id, wishes.get(ref), placements.get(ref))
    return sorted(lines.values(), key=lambda line: line.student_ref)


def _line(before: StudentLine | None, ref: str, period_id: str, wish: WishFact | None,
          placement: PlacementFact | None) -> StudentLine:
    """The student's line after one more period (periods come sorted, so the latest outcome wins)."""
    school = (placement.school_id if placement else "") or (wish.school_id if wish else "") or \
        (before.school_id if before else "")
    status = placement.status if placement else (wish.status if wish else "")
    return StudentLine(ref, school, (before.periods if before else []) + [period_id], status,
                       (placement.organisation_id or "") if placement else "",
                       (placement.place_id or "") if placement else "",
                       (placement.reason_code or "") if placement else "")
