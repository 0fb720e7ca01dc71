"""The season's second step in `make demo`: after the release, 3 late students sign up, one student refuses,
one organisation withdraws a released place, and the coordinator asks for a re-match.

The actions go through the services' own APIs (intake's wish import and place withdrawal, the notifier's
answer as the student); the figures come from the matcher's comparison of the two rounds (`movement`) and a
check, student by student, that every placement still binding at the re-match kept its place. The
orchestration (approval, release, waiting) lives in demo.scenario, which passes what it needs.
Imports the standard library and demo.clients / demo.region / demo.mailbox (never a service).
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from . import region as demo_region
from .clients import Clients, IntakeClient
from .mailbox import Mailbox

HOLDING = ("placed", "kept")
LINK = re.compile(r"https?://\S+/s/[A-Za-z0-9_\-]+")


@dataclass(frozen=True)
class Disruption:
    """What changes after the release: the student who refuses and the place an organisation withdraws."""

    refusing_student: str
    withdrawn_place: str
    organisation_id: str


@dataclass(frozen=True)
class RematchFigures:
    """The re-match in three numbers: binding placements kept, binding placements moved, students placed anew."""

    round_id: str
    kept: int
    moved_binding: int
    placed_new: int


def placed(record: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """student_ref -> outcome, for every student holding a place in the round."""
    return {o["student_ref"]: o for o in record["outcomes"] if o["status"] in HOLDING and o.get("place_id")}


def choose_disruption(record: Mapping[str, Any]) -> Disruption:
    """The place to withdraw (the first placed outcome's) and a student placed elsewhere who refuses."""
    holders = sorted(placed(record).values(), key=lambda o: o["student_ref"])
    if len(holders) < 2:
        raise ValueError("the released round places fewer than two students")
    place = holders[0]
    refuser = next(o for o in holders if o["place_id"] != place["place_id"])
    return Disruption(refuser["student_ref"], place["place_id"], place["organisation_id"])


def binding_after(record: Mapping[str, Any], disruption: Disruption) -> dict[str, str]:
    """student_ref -> place_id of the released placements that still bind at the re-match: every placement
    except the refused one and those at the withdrawn place (the demo answers nothing else)."""
    return {ref: o["place_id"] for ref, o in placed(record).items()
            if ref != disruption.refusing_student and o["place_id"] != disruption.withdrawn_place}


def moved(binding: Mapping[str, str], rematch: Mapping[str, Any]) -> int:
    """How many binding placements the re-match does not keep at their place."""
    holding = {ref: o["place_id"] for ref, o in placed(rematch).items()}
    return sum(1 for ref, place_id in binding.items() if holding.get(ref) != place_id)


def figures(round_id: str, movement: Mapping[str, int], moved_binding: int) -> RematchFigures:
    """The comparison's `movement` in the demo's terms: kept = same place in both rounds, placed new = a place
    the student did not hold before (gained or changed)."""
    return RematchFigures(round_id, movement["keep"], moved_binding, movement["gain"] + movement["change"])


def import_late_students(school: IntakeClient, area: demo_region.DemoRegion, offered: dict[str, dict[str, Any]],
                         count: int = 3) -> int:
    """The first school imports `count` late students' wishes (XLSX); returns how many intake accepted."""
    late = demo_region.late_students(area, count)
    rng = random.Random(14)
    top = {s.number: demo_region.choose_top_places(s, offered, rng) for s in late}
    content = demo_region.xlsx(demo_region.WISH_HEADERS, demo_region.wish_rows(late, area.period_id, top))
    answer = school.import_wishes(content, "late-aanmeldingen.xlsx", idempotency_key="demo-late-students")
    return int(answer["accepted"])


def disrupt(clients: Clients, area: demo_region.DemoRegion, round_id: str, disruption: Disruption) -> None:
    """The student refuses (the notifier, as that student) and the organisation withdraws the place (intake)."""
    student = clients.as_("notifier", disruption.refusing_student, "student", disruption.refusing_student,
                          area.region_id)
    student.refuse(round_id, "own_place_found")
    organisation = clients.as_("intake", f"staff-{disruption.organisation_id}", "organisation_staff",
                               disruption.organisation_id, area.region_id)
    organisation.call("DELETE", f"/api/v1/places/{disruption.withdrawn_place}", expect=(202,),
                      headers={"Idempotency-Key": f"demo-withdraw-{disruption.withdrawn_place}"})


def sign_in_links(mailbox: Mailbox, count: int = 3) -> list[str]:
    """The first `count` distinct student sign-in links (`…/s/<token>`) found in the delivered e-mails."""
    return first_links((_plain(m) for m in list(mailbox.messages)), count)


def first_links(bodies: Iterable[str], count: int) -> list[str]:
    """The first `count` distinct personal links in these mail bodies, in order."""
    found: list[str] = []
    for body in bodies:
        for link in LINK.findall(body):
            if link not in found:
                found.append(link)
            if len(found) == count:
                return found
    return found


def _plain(message: Any) -> str:
    part = message.get_body(("plain", "html"))
    return part.get_content() if part is not None else ""
