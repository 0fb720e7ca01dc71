"""What the coordinator's pages ask intake (issue 14): schools' display names, and a student of the region
found by school and student number.

Intake answers per request and nothing is kept. Schools are shown by name where intake names them, else by
their id, without an error (14.16). A student number gives the pseudonym only, never the name: the coordinator
opens the student's story as before (14.10). Imports the errors, the ports and the story commands.
"""

from __future__ import annotations

from typing import Iterable

from stagepool_shared.auth import Principal

from ..errors import IntakeUnavailable, NotFound
from ..ports import Deps
from .story import student_story


def school_names(deps: Deps, school_ids: Iterable[str]) -> dict[str, str]:
    """The display name of each school id; its id when intake does not name it, cannot answer or is not set."""
    ids = sorted({s for s in school_ids if s})
    found: dict[str, str] = {}
    if ids and deps.lookups is not None:
        try:
            found = deps.lookups.school_names(ids)
        except IntakeUnavailable:
            found = {}
    return {s: found.get(s) or s for s in ids}


def find_student(deps: Deps, principal: Principal | None, school_id: str, student_number: str) -> str:
    """The pseudonym of the student with `student_number` at `school_id` in the coordinator's region, whose
    story reporting has. NotFound when intake knows no such student there or reporting has no story of them;
    IntakeUnavailable when intake cannot answer or is not configured."""
    if principal is None or not principal.region_id:
        raise NotFound()
    if deps.lookups is None:
        raise IntakeUnavailable("no intake to ask (INTAKE_URL is not set)")
    ref = deps.lookups.student_ref(principal.region_id, school_id, student_number)
    if ref is None:
        raise NotFound()
    student_story(deps, principal, ref)  # NotFound when reporting knows nothing of the student in the region
    return ref
