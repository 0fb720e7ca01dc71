"""Aftercare in `make demo` (issue 20): three placed students accept, and their placement agreements (POKs)
go as far as draft, sent and signed; the signed one's kennismaking ends in a rejection with an R106 reason.

Every step goes through the services' own APIs, each party with its own token: the student accepts at the
notifier; reporting makes the draft POK (`placement.accepted`); the school names its contact for the
organisation, fills the POK in and sends it; student, school and organisation sign; the organisation proposes
a kennismaking moment (two seconds ahead), the student confirms it, and once it has passed the organisation
records a rejection with a reason code, which opens a follow-up task for the school.

The figures are read back from reporting afterwards: each accepted student's POK status and kennismaking,
and every school's follow-up tasks (`GET /api/v1/aftercare/tasks`); from the matcher, the region's
fast-track re-placement rounds by status (`GET /api/v1/rounds`, kind `fast_track`), as many as exist when
the step ends. Contact-moment figures (issue 20.4) print nothing here yet.
Imports the standard library and demo.clients / demo.region (never a service).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable, Mapping

from . import region as demo_region
from .clients import ApiError, Clients

HOLDING = ("placed", "kept")
REJECTION_REASON = "competences_mismatch"
FAST_TRACK = "fast_track"  # the matcher's round kind of a re-placement fast track
Wait = Callable[[Callable[[], Any], float, str], Any]


@dataclass(frozen=True)
class Party:
    """One accepted placement and the clients of its three parties (student, school staff, organisation)."""

    student_ref: str
    school_id: str
    organisation_id: str
    student: Any
    student_reporting: Any
    school: Any
    organisation: Any


@dataclass(frozen=True)
class AftercareFigures:
    """What reporting answers afterwards: POKs by status, kennismakingen by status and reason, tasks."""

    accepted: int
    poks: Mapping[str, int] = field(default_factory=dict)
    rejections: Mapping[str, int] = field(default_factory=dict)
    tasks: Mapping[str, int] = field(default_factory=dict)
    task_reasons: Mapping[str, int] = field(default_factory=dict)
    fast_track: Mapping[str, int] = field(default_factory=dict)  # the matcher's fast-track rounds by status


def choose_students(record: Mapping[str, Any], count: int = 3) -> list[Mapping[str, Any]]:
    """The first `count` students (by pseudonym) holding a place in the round."""
    held = [o for o in record["outcomes"] if o["status"] in HOLDING and o.get("place_id") and o.get("organisation_id")]
    return sorted(held, key=lambda o: o["student_ref"])[:count]


def parties(clients: Clients, area: demo_region.DemoRegion, outcomes: Iterable[Mapping[str, Any]]) -> list[Party]:
    r = area.region_id
    return [Party(o["student_ref"], o["school_id"], o["organisation_id"],
                  clients.as_("notifier", o["student_ref"], "student", o["student_ref"], r),
                  clients.as_("reporting", o["student_ref"], "student", o["student_ref"], r),
                  clients.as_("reporting", f"staff-{o['school_id']}", "school_staff", o["school_id"], r),
                  clients.as_("reporting", f"staff-{o['organisation_id']}", "organisation_staff",
                              o["organisation_id"], r))
            for o in outcomes]


def _post(client: Any, path: str, body: Mapping[str, Any], expect: tuple[int, ...] = (200,)) -> Any:
    return client.call("POST", path, expect=expect, json=dict(body))


def _accepted(party: Party, round_id: str) -> bool:
    """Accept; False while the notifier has not yet taken in the release (404 / 409 not current)."""
    answer = party.student.raw("POST", f"/api/v1/placements/{round_id}/accept")
    if answer.status_code in (404, 409) and "already" not in answer.text:
        return False
    if answer.status_code != 200:
        raise ApiError("POST", answer.url, answer.status_code, answer.text)
    return True


def _pok(party: Party, period_id: str) -> dict | None:
    answer = party.school.raw("GET", f"/api/v1/aftercare/poks/{party.student_ref}", params={"period_id": period_id})
    return answer.json() if answer.status_code == 200 else None


def send(party: Party, period_id: str, area: demo_region.DemoRegion) -> None:
    """The school names its contact for the organisation, fills the POK in and sends it."""
    school = next(s for s in area.schools if s.school_id == party.school_id)
    party.school.call("PUT", f"/api/v1/aftercare/school-contacts/{party.organisation_id}",
                      json={"name": "Stagecoördinator", "email": school.contact_email})
    _post(party.school, f"/api/v1/aftercare/poks/{party.student_ref}/details",
          {"period_id": period_id, "start_date": demo_region.STARTS_ON.isoformat(),
           "end_date": demo_region.ENDS_ON.isoformat(), "hours": 640, "supervisor_name": "Werkbegeleider"})
    _post(party.school, f"/api/v1/aftercare/poks/{party.student_ref}/send", {"period_id": period_id})


def sign_and_reject(party: Party, period_id: str, wait: Wait) -> None:
    """All three sign; the kennismaking is proposed, confirmed, held and ends in a rejection with a reason."""
    for signer in (party.student_reporting, party.school, party.organisation):
        _post(signer, f"/api/v1/aftercare/poks/{party.student_ref}/sign", {"period_id": period_id})
    path = f"/api/v1/aftercare/introductions/{party.student_ref}"
    moment = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
    _post(party.organisation, path, {"period_id": period_id, "moment": moment.isoformat()}, expect=(201,))
    _post(party.student_reporting, f"{path}/confirm", {"period_id": period_id})
    outcome = {"period_id": period_id, "outcome": "rejected", "reason_code": REJECTION_REASON}
    wait(lambda: party.organisation.raw("POST", f"{path}/outcome", json=outcome).status_code == 200, 30,
         "the kennismaking's outcome recorded")


def run_aftercare(clients: Clients, area: demo_region.DemoRegion, record: Mapping[str, Any], wait: Wait,
                  timeout: float = 60) -> AftercareFigures:
    """Three students accept (draft, sent, signed + rejected kennismaking); the figures as reporting answers."""
    period_id, chosen = area.period_id, parties(clients, area, choose_students(record))
    for party in chosen:
        wait(lambda p=party: _accepted(p, record["round_id"]), timeout, f"{party.student_ref} accepted")
    for party in chosen:
        wait(lambda p=party: _pok(p, period_id), timeout, f"the draft POK of {party.student_ref}")
    for party in chosen[1:]:
        send(party, period_id, area)
    if len(chosen) == 3:
        sign_and_reject(chosen[2], period_id, wait)
    return figures(chosen, period_id, clients, area)


def figures(chosen: list[Party], period_id: str, clients: Clients, area: demo_region.DemoRegion) -> AftercareFigures:
    """POK statuses and kennismakingen of the accepted students, and every school's tasks, from reporting."""
    poks = Counter((_pok(p, period_id) or {}).get("state", "none") for p in chosen)
    intros = [p.school.call("GET", f"/api/v1/aftercare/introductions/{p.student_ref}",
                            params={"period_id": period_id}) for p in chosen]
    tasks = [task for s in area.schools for task in clients.as_(
        "reporting", f"staff-{s.school_id}", "school_staff", s.school_id, area.region_id).call(
        "GET", "/api/v1/aftercare/tasks")["tasks"]]
    r = area.region_id
    rounds = clients.as_("matcher", "coordinator-1", "regional_coordinator", r, r).rounds(r)
    return AftercareFigures(len(chosen), dict(poks), count_rejections(intros),
                            dict(Counter(t["status"] for t in tasks)), dict(Counter(t["reason_code"] for t in tasks)),
                            fast_track_rounds(rounds))


def fast_track_rounds(rounds: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """The region's fast-track re-placement rounds (issue 20.3) by status, as the matcher lists them."""
    return dict(Counter(r["status"] for r in rounds if r.get("kind") == FAST_TRACK))


def count_rejections(intros: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Rejected kennismakingen by R106 reason code."""
    return dict(Counter(i["reason_code"] for i in intros if i.get("status") == "rejected"))


def english_line(f: AftercareFigures) -> str:
    """One short line for the run's progress output."""
    poks = ", ".join(f"{n} {state}" for state, n in sorted(f.poks.items())) or "none"
    rejected = ", ".join(f"{n} {code}" for code, n in sorted(f.rejections.items())) or "none"
    fast = ", ".join(f"{n} {status}" for status, n in sorted(f.fast_track.items())) or "none"
    return (f"aftercare: {f.accepted} accepted; POKs {poks}; kennismaking rejected {rejected}; "
            f"follow-up tasks {f.tasks.get('open', 0)} open, {f.tasks.get('done', 0)} done; fast-track rounds {fast}")
