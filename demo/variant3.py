"""Variant 3 in `make demo` (issue 15.3): one school lets its students make their own top 3, and the school makes
the final match through its review.

The last school of the region sets variant 3 for every programme (crebo) of its students
(`PUT /api/v1/variants`, its school staff). Then up to `SCRIPTED` of its students, each with a student token,
read their catalogue (`GET /api/v1/catalogue/{period}`: the places they are eligible for, best fit first) and
make a ranked top 3 from its first places (`PUT /api/v1/catalogue/{period}/top3`, the same command as the
catalogue page's form). This happens before the first round, so the round takes the top 3 as their wishes.
The summary prints how many chose and how many of them were placed at one of their top 3 in the latest
released round (the period report's row of variant 3 is in the table of figures per variant). Imports the
standard library, stagepool_shared's pseudonym and the demo's clients and region.
"""

from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass, field
from typing import Any, Mapping

from stagepool_shared.auth import pseudonym

from .clients import Clients, IntakeClient
from .region import DemoRegion, School
from .rematch import placed
from .summary import WIDTH

VARIANT = 3
SCRIPTED = 40  # students who make their top 3 through the API (each reads a catalogue of every eligible place)
SENTENCES = {
    "nl": ("Variant 3 (eigen top 3, de school maakt de match) bij {school}: {chose} van de {students} studenten "
           "maakten hun top 3 via de API van intake; {got} van hen kregen een plaats uit hun top 3 (laatste "
           "vrijgegeven ronde)."),
    "en": ("Variant 3 (own top 3, the school makes the match) at {school}: {chose} of the {students} students made "
           "their top 3 through intake's API; {got} of them got a place from their top 3 (latest released round)."),
}


@dataclass
class Variant3Run:
    """The school that uses variant 3, its programmes, and each scripted student's top 3 (pseudonym -> places)."""

    school_id: str
    school_name: str
    students: int
    crebos: tuple[str, ...]
    tops: dict[str, list[str]] = field(default_factory=dict)
    got_top3: int | None = None  # filled in from the latest released round


def variant3_school(area: DemoRegion) -> School:
    """The school that uses variant 3: the region's last (variant 2, if any, is another school's)."""
    return area.schools[-1]


def set_variant3(school_client: IntakeClient, area: DemoRegion) -> Variant3Run:
    """The school's staff set variant 3 for every programme of its students in the demo period."""
    school = variant3_school(area)
    crebos = tuple(sorted({s.crebo for s in school.students}))
    for crebo in crebos:
        school_client.call("PUT", "/api/v1/variants", expect=(202,),
                           json={"period_id": area.period_id, "crebo": crebo, "variant": VARIANT})
    return Variant3Run(school.school_id, school.name, len(school.students), crebos)


def script_top3(clients: Clients, area: DemoRegion, run: Variant3Run, secret: bytes, seed: int = 15,
                limit: int = SCRIPTED) -> int:
    """Up to `limit` students of the school make a ranked top 3 from the first places of their catalogue; the
    number who did (a student with an empty catalogue has nothing to choose)."""
    rng = random.Random(seed)
    school = variant3_school(area)
    for student in school.students[:limit]:
        ref = pseudonym(secret, student.school_id, student.number)
        client = clients.as_("intake", ref, "student", ref, area.region_id)
        offered = [p["place_id"] for p in client.call("GET", f"/api/v1/catalogue/{area.period_id}")["places"][:6]]
        if not offered:
            continue
        top = sorted(rng.sample(offered, min(3, len(offered))), key=offered.index)  # ranked as the catalogue shows
        client.call("PUT", f"/api/v1/catalogue/{area.period_id}/top3", expect=(202,), json={"top_places": top})
        run.tops[ref] = top
    return len(run.tops)


def run_variant3(clients: Clients, schools: Mapping[str, IntakeClient], area: DemoRegion, secret: bytes,
                 timings: Any) -> Variant3Run:
    """Before the first round: one school uses variant 3 and its scripted students make their top 3 (API);
    `schools` are the school staff's clients by school id, `timings` the run's `scenario.Timings`."""
    school = variant3_school(area)
    with timings.step(f"variant 3 at {school.school_id}: students make their top 3 (intake API)"):
        run = set_variant3(schools[school.school_id], area)
        script_top3(clients, area, run, secret)
    print(f"  variant 3 at {school.school_id}: {len(run.tops)} students made their top 3", flush=True)
    return run


def count_got_top3(run: Variant3Run, record: Mapping[str, Any]) -> int:
    """How many scripted students hold a place from their own top 3 in this (released) round."""
    run.got_top3 = sum(1 for ref, outcome in placed(record).items()
                       if ref in run.tops and outcome["place_id"] in run.tops[ref])
    return run.got_top3


def summary_line(run: Variant3Run | None, lang: str = "nl") -> list[str]:
    """The summary's line on variant 3 (none when the demo did not run it)."""
    if run is None:
        return []
    got = "-" if run.got_top3 is None else run.got_top3
    text = SENTENCES[lang].format(school=run.school_name, chose=len(run.tops), students=run.students, got=got)
    return [textwrap.fill(text, WIDTH)]
