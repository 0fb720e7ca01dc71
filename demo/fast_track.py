"""The re-placement fast track in `make demo` (issue 20.3), as the matcher answers it: the rounds of kind
`fast_track` the matcher asked by itself for students who lost their place, approved by the students' schools.

`offer_places` has one organisation post a place that fits each given student's wish (intake's API), so that
there is free capacity for them. `re_place` waits until every given student is named in a settled fast-track
round (the matcher gathers queued students for FAST_TRACK_GATHER_S, 30 s, before it asks), has each proposed
one approved by the school staff and the support staff of its schools (the per-school rule of every round; the
approval that completes it releases the round at once) and waits for the release. It answers, per student,
whether the fast track placed them and the seconds from the moment they lost the place (the caller gives it,
e.g. reporting's record of the rejection) to the release of their fast track (the round's `release_at`).
Imports the standard library and demo.clients / demo.region.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime
from typing import Any, Iterable, Mapping

from . import region as demo_region
from .clients import Clients, Wait

KIND = "fast_track"  # the matcher's round kind of a re-placement fast track
SETTLED = ("proposed", "released", "failed")


def fast_track_rounds(rounds: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The region's fast-track rounds by status, as the matcher lists them."""
    return dict(Counter(r["status"] for r in rounds if r.get("kind") == KIND))


def median(seconds: Iterable[float]) -> float | None:
    values = list(seconds)
    return statistics.median(values) if values else None


def re_place(clients: Clients, area: demo_region.DemoRegion, refs: list[str], lost_at: Mapping[str, str],
             wait: Wait, timeout: float = 150) -> dict[str, tuple[bool, float]]:
    """Approve the fast tracks of these students and wait for their release; per student named in a released
    one: whether it placed them, and the seconds from losing the place to the release."""
    r = area.region_id
    coordinator = clients.as_("matcher", "coordinator-1", "regional_coordinator", r, r)
    found = wait(lambda: _rounds_naming(coordinator, r, set(refs)), timeout, "the fast track of the rejected students")
    for record in found:
        if record["status"] == "proposed":
            _approve(clients, r, record)
    released = [wait(lambda rid=record["round_id"]: _released(coordinator.round(rid)), 60, f"{record['round_id']} "
                     "released") for record in found if record["status"] != "failed"]
    return {o["student_ref"]: (o["status"] == "placed", _seconds(lost_at[o["student_ref"]], record["release_at"]))
            for record in released for o in record["outcomes"] if o["student_ref"] in lost_at}


def fitting_place(period_id: str, criteria: Mapping[str, Any], organisation_name: str) -> dict[str, Any]:
    """A place (intake's POST /api/v1/places body) that fits a wish's criteria (as intake shows them) on every
    hard criterion: sector, crebo, level, the student's own postcode area, every support offered."""
    return {"period_id": period_id, "organisation_name": organisation_name, "sector": criteria["sector"],
            "org_type": "herplaatsing", "location": {"postcode": criteria["home"]["pc4"]}, "address": "Dorpsstraat 2",
            "crebos": [criteria["crebo"]], "levels": [criteria["level"]], "slots": 1, "supervision_capacity": 1,
            "offers_allowance": True, "irregular_shifts": False, "min_age": 16,
            "support_offered": list(demo_region.SUPPORT)}


def offer_places(clients: Clients, area: demo_region.DemoRegion, students: Iterable[tuple[str, str]],
                 organisation_id: str = "org-herplaatsing") -> int:
    """One organisation posts a place fitting each (school, student)'s wish (read by the school's staff from
    intake), so the fast track has free capacity for them; returns how many were posted."""
    r, posted = area.region_id, 0
    organisation = clients.as_("intake", f"staff-{organisation_id}", "organisation_staff", organisation_id, r)
    for school_id, ref in students:
        school = clients.as_("intake", f"staff-{school_id}", "school_staff", school_id, r)
        criteria = school.student(ref)["wishes"][0]["criteria"]
        organisation.post_place(fitting_place(area.period_id, criteria, "Herplaatsing BV"))
        posted += 1
    return posted


def _rounds_naming(coordinator: Any, region_id: str, refs: set[str]) -> list[dict[str, Any]] | None:
    """The settled fast-track rounds naming these students, once every one of them is named in one."""
    found, named = [], set()
    for head in coordinator.rounds(region_id):
        if head.get("kind") != KIND or head["status"] not in SETTLED:
            continue
        record = coordinator.round(head["round_id"])
        students = {o["student_ref"] for o in record.get("outcomes", [])} & refs
        if students:
            found.append(record)
            named |= students
    return found if named == refs else None


def _approve(clients: Clients, region_id: str, record: Mapping[str, Any]) -> None:
    """Per school of the round: its school staff and its support staff approve (two staff, one support)."""
    for school in record["approval"]["schools"]:
        sid = school["school_id"]
        for user, role in ((f"staff-{sid}", "school_staff"), (f"support-{sid}", "support_staff")):
            clients.as_("matcher", user, role, sid, region_id).approve(record["round_id"])


def _released(record: dict[str, Any]) -> dict[str, Any] | None:
    return record if record["status"] == "released" else None


def _seconds(start: str, end: str) -> float:
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
