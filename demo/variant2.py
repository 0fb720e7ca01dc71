"""Variant 2 in `make demo` (issue 15.3): one school lets its students choose one of k candidate places.

The region's first school (variant 3 is the last one's) sets variant 2 with k = 3 for every programme (crebo)
of its students (`PUT /api/v1/variants`, its school staff). Before the season's first round the coordinator
requests a candidates round (`kind: candidates`): the matcher solves the pool under the rule and offers each
of the school's placed students three candidates, every one achievable (`candidates.offered`; the round is
never released). Up to `SCRIPTED` of those students, each with a student token, read their offer on intake
(`GET /api/v1/choices/{period}`) and choose one (`POST /api/v1/choices/{period}`): a seeded choice among their
candidates, so some choose the same place and the rule decides. Then the final round (`kind: final`, naming
the candidates round) treats the choices as their top wishes; its outcomes say per student what became of
the choice. The summary prints how many chose and how many got their choice. The final round is the season's
first round: the demo approves and releases it like any round (the whole pool, every school).
Imports the standard library, stagepool_shared's pseudonym and the demo's clients and region.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

from stagepool_shared.auth import pseudonym

from .clients import Clients, IntakeClient
from .region import DemoRegion, School

VARIANT, K = 2, 3
SCRIPTED = 40  # students who choose among their candidates through intake's API
GRANTED = "CHOICE_GRANTED"
SENTENCES = {
    "nl": ("Variant 2 (k = {k} kandidaten, de student kiest) bij {school}: {offered} studenten kregen kandidaten "
           "aangeboden, {chose} kozen via de API van intake; {got} van hen kregen hun keuze in de eindronde "
           "({final})."),
    "en": ("Variant 2 (k = {k} candidates, the student chooses) at {school}: {offered} students were offered "
           "candidates, {chose} chose through intake's API; {got} of them got their choice in the final round "
           "({final})."),
}
Wait = Callable[..., Any]


@dataclass
class Variant2Run:
    """The school that uses variant 2, its rounds, the offers and each scripted student's choice."""

    school_id: str
    school_name: str
    crebos: tuple[str, ...]
    candidates_round: str = ""
    final_round: str = ""
    offered: int = 0
    choices: dict[str, str] = field(default_factory=dict)  # pseudonym -> the place chosen
    got: int | None = None  # granted their choice in the final round


def variant2_school(area: DemoRegion) -> School:
    """The school that uses variant 2: the region's first (variant 3 is the last school's)."""
    return area.schools[0]


def set_variant2(school_client: IntakeClient, area: DemoRegion) -> Variant2Run:
    """The school's staff set variant 2 (k = 3) for every programme of its students in the demo period."""
    school = variant2_school(area)
    crebos = tuple(sorted({s.crebo for s in school.students}))
    for crebo in crebos:
        school_client.call("PUT", "/api/v1/variants", expect=(202,),
                           json={"period_id": area.period_id, "crebo": crebo, "variant": VARIANT, "candidates": K})
    return Variant2Run(school.school_id, school.name, crebos)


def script_choices(clients: Clients, area: DemoRegion, run: Variant2Run, secret: bytes, offered_refs: set[str],
                   wait: Wait, seed: int = 152, limit: int = SCRIPTED) -> int:
    """Up to `limit` of the school's students offered candidates (`offered_refs`, from the candidates round) each
    choose one of them (seeded: the pick or another one); the number who chose.

    Each waits until intake holds its own offer: the offers reach intake over several partitions, in no fixed
    order, so a student skipped for an offer not there yet would make the demo's choices differ run to run."""
    rng = random.Random(seed)
    for student in variant2_school(area).students:
        if len(run.choices) >= limit:
            break
        ref = pseudonym(secret, student.school_id, student.number)
        if ref not in offered_refs:
            continue  # unplaced by the candidates round: no offer
        client = clients.as_("intake", ref, "student", ref, area.region_id)
        offered = wait(lambda: client.call("GET", f"/api/v1/choices/{area.period_id}").get("offered"), 60,
                       f"intake holding the offer of {ref}")
        chosen = offered[0] if rng.random() < 0.3 else rng.choice(offered)
        client.call("POST", f"/api/v1/choices/{area.period_id}", expect=(202,), json={"choice": [chosen]})
        run.choices[ref] = chosen
    return len(run.choices)


def _state(matcher: Any, round_id: str, status: str) -> Mapping[str, Any] | None:
    record = matcher.round(round_id)
    if record["status"] == "failed":
        raise RuntimeError(f"round {round_id} failed: {record.get('failure')}")
    return record if record["status"] == status and record.get("proposal_published") else None


def run_variant2(clients: Clients, cast: Any, area: DemoRegion, secret: bytes, timings: Any, wait: Wait,
                 consumed: Callable[..., int]) -> Variant2Run:
    """Before the first round: variant 2 at one school, its candidates round, the scripted choices (intake's
    API) and the final round. `cast` is the demo's scenario.Cast, `timings` its Timings, `wait` its waiting
    helper and `consumed(*event_types)` how many such events the matcher has handled."""
    school = variant2_school(area)
    matcher = cast.coordinator_matcher
    with timings.step(f"variant 2 at {school.school_id}: candidates round -> offers -> choices (intake API) -> final"):
        settings = consumed("variant.set")
        run = set_variant2(cast.schools[school.school_id], area)
        wait(lambda: consumed("variant.set") >= settings + len(run.crebos), 60, "the matcher took the variant")
        run.candidates_round = matcher.request_round(area.region_id, area.period_id, kind="candidates", seed=3)
        record = wait(lambda: _state(matcher, run.candidates_round, "offered"), 300, "the candidates round's offers")
        refs = [o["student_ref"] for o in record.get("outcomes", []) if o["school_id"] == school.school_id
                and o["status"] == "placed"]
        run.offered = len(refs)
        before = consumed("wish.updated")
        chose = script_choices(clients, area, run, secret, set(refs), wait)
        wait(lambda: consumed("wish.updated") >= before + chose, 120, "the matcher took the choices")
        run.final_round = matcher.request_round(area.region_id, area.period_id, kind="final",
                                                previous_round_id=run.candidates_round)
        final = wait(lambda: _state(matcher, run.final_round, "proposed"), 300, "the final round's proposal")
        run.got = sum(1 for o in final.get("outcomes", []) if o["student_ref"] in run.choices
                      and o.get("choice") == GRANTED)
    print(f"  variant 2 at {school.school_id}: {run.offered} offered, {len(run.choices)} chose, {run.got} got "
          "their choice", flush=True)
    return run


def summary_line(run: Variant2Run | None, lang: str = "nl") -> list[str]:
    """The summary's line on variant 2 (none when the demo did not run it)."""
    if run is None:
        return []
    got = "-" if run.got is None else run.got
    return [SENTENCES[lang].format(k=K, school=run.school_name, offered=run.offered, chose=len(run.choices), got=got,
                                   final=run.final_round)]
