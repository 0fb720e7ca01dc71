"""Aftercare in `make demo` (issue 20): ten students holding a place accept it and go different ways.

Every step goes through the services' own APIs, each party with its own token. The student accepts at the
notifier; reporting makes the draft POK (`placement.accepted`). One POK stays a draft; for the other nine the
school names its contact for the organisation, fills the POK in and sends it; eight are signed by the student,
the school and the organisation. Each of those eight organisations proposes a kennismaking moment (two seconds
ahead) and the student confirms it; once it passed, two organisations record a rejection with an R106 reason
(the school calls the first organisation and closes that task) and six record that it went well. The six POKs
start, and the organisation and the school record contact moments: four placements get the three of the rule
(one on site; one of them a signal), one gets two and one gets one. Five of the six are evaluated by the
student, the organisation and the school. Before the rejections, a new organisation posts a place that fits
each rejected student's wish; the matcher queues both students for the fast track and asks a fast-track round
about half a minute later; their schools approve it (staff and support staff), so it is released at once
(demo.fast_track).

The figures are read back afterwards: each student's POK status and kennismaking, every school's tasks and the
six placements' contact status (reporting), the fast-track rounds and re-placements with their median time
(the matcher, demo.fast_track), and the evaluation response of the period report's `evaluation_response`
section (empty when the report has no such section). Imports the standard library and demo.clients /
demo.region / demo.fast_track (never a service).
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any, Iterable, Mapping

from . import fast_track
from . import region as demo_region
from .clients import ApiError, Clients, Wait
from .fast_track import fast_track_rounds

HOLDING = ("placed", "kept")
FOLLOWED = 10
REJECTION_REASONS = ("competences_mismatch", "team_fit")
#: Per started placement: the contact moments recorded, as (days ago, kind, signal, by the organisation).
CONTACT_PLANS = (
    ((21, "on_site", False, True), (14, "phone", False, False), (7, "online", False, False)),
    ((21, "on_site", False, True), (14, "phone", True, False), (7, "school", False, False)),
    ((20, "on_site", False, True), (10, "phone", False, False), (3, "online", False, False)),
    ((18, "on_site", False, True), (11, "online", False, False), (4, "phone", False, False)),
    ((15, "on_site", False, True), (6, "phone", False, False)),
    ((9, "phone", False, False),),
)
EVALUATION_SECTION = "evaluation_response"


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
    """What the services answer afterwards (every count from an API answer of the run)."""

    accepted: int
    poks: Mapping[str, int] = field(default_factory=dict)  # POKs by status
    rejections: Mapping[str, int] = field(default_factory=dict)  # rejected kennismakingen by R106 reason
    tasks: Mapping[str, int] = field(default_factory=dict)  # the schools' call tasks (R105) by status
    task_reasons: Mapping[str, int] = field(default_factory=dict)  # every task of the schools by kind
    fast_track: Mapping[str, int] = field(default_factory=dict)  # the matcher's fast-track rounds by status
    re_placed: int = 0  # rejected students placed anew by a released fast track
    median_fast_track_s: float | None = None  # rejection -> release of the student's fast track, median (placed
    # or not: the fast track's answer)
    contacts: Mapping[str, int] = field(default_factory=dict)  # followed, compliant, missing moments
    evaluations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # evaluator -> report cells


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


def sign(party: Party, period_id: str) -> None:
    """Student, school and organisation sign the sent POK."""
    for signer in (party.student_reporting, party.school, party.organisation):
        _post(signer, f"/api/v1/aftercare/poks/{party.student_ref}/sign", {"period_id": period_id})


def kennismaking(rejected: list[Party], held: list[Party], period_id: str, wait: Wait) -> None:
    """Each organisation proposes a moment two seconds ahead and the student confirms it; once it passed, the
    first organisations reject with an R106 reason and the others record that it went well."""
    moment = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
    for party in rejected + held:
        path = f"/api/v1/aftercare/introductions/{party.student_ref}"
        _post(party.organisation, path, {"period_id": period_id, "moment": moment.isoformat()}, expect=(201,))
        _post(party.student_reporting, f"{path}/confirm", {"period_id": period_id})
    outcomes = [(p, "rejected", reason) for p, reason in zip(rejected, REJECTION_REASONS)]
    for party, outcome, reason in outcomes + [(p, "continue", None) for p in held]:
        body = {"period_id": period_id, "outcome": outcome, "reason_code": reason}
        path = f"/api/v1/aftercare/introductions/{party.student_ref}/outcome"
        wait(lambda p=party, b=body, u=path: p.organisation.raw("POST", u, json=b).status_code == 200, 30,
             "the kennismaking's outcome recorded")


def call_back(party: Party) -> None:
    """The school called the organisation that rejected the student, and closes the task (R105)."""
    for task in party.school.call("GET", "/api/v1/aftercare/tasks")["tasks"]:
        if task["kind"] == "call_organisation" and task["student_ref"] == party.student_ref:
            _post(party.school, f"/api/v1/aftercare/tasks/{task['task_id']}/done", {})


def follow(party: Party, period_id: str, plan: Iterable[tuple[int, str, bool, bool]], evaluates: bool) -> None:
    """The school starts the POK; the contact moments of `plan` are recorded; at the end (the school ends the POK:
    the evaluation opens only then or shortly before its end date, issue 20.5) the three parties evaluate."""
    _post(party.school, f"/api/v1/aftercare/poks/{party.student_ref}/start", {"period_id": period_id})
    path = f"/api/v1/followup/placements/{party.student_ref}"
    for days_ago, kind, signal, by_organisation in plan:
        who = party.organisation if by_organisation else party.school
        _post(who, f"{path}/contacts", {"period_id": period_id, "kind": kind, "signal": signal,
                                        "date": (date.today() - timedelta(days=days_ago)).isoformat()}, expect=(201,))
    if evaluates:
        _post(party.school, f"/api/v1/aftercare/poks/{party.student_ref}/end", {"period_id": period_id})
        for who in (party.student_reporting, party.organisation, party.school):
            _post(who, f"{path}/evaluation", {"period_id": period_id, "satisfaction": 4, "would_again": True},
                  expect=(201,))


def run_aftercare(clients: Clients, area: demo_region.DemoRegion, record: Mapping[str, Any], wait: Wait,
                  timeout: float = 60) -> AftercareFigures:
    """The ten students' aftercare (the module's story); the figures as the services answer them."""
    period_id, chosen = area.period_id, parties(clients, area, choose_students(record, FOLLOWED))
    for party in chosen:
        wait(lambda p=party: _accepted(p, record["round_id"]), timeout, f"{party.student_ref} accepted")
    for party in chosen:
        wait(lambda p=party: _pok(p, period_id), timeout, f"the draft POK of {party.student_ref}")
    for party in chosen[1:]:
        send(party, period_id, area)
    for party in chosen[2:]:
        sign(party, period_id)
    rejected, held = chosen[2:4], chosen[4:]
    fast_track.offer_places(clients, area, [(p.school_id, p.student_ref) for p in rejected])
    kennismaking(rejected, held, period_id, wait)
    if rejected:
        call_back(rejected[0])
    for i, (party, plan) in enumerate(zip(held, CONTACT_PLANS)):
        follow(party, period_id, plan, evaluates=i < len(CONTACT_PLANS) - 1)
    times = fast_track.re_place(clients, area, [p.student_ref for p in rejected], _rejected_at(rejected, period_id),
                                wait) if rejected else {}
    return figures(chosen, held, times, clients, area)


def _rejected_at(rejected: list[Party], period_id: str) -> dict[str, str]:
    """When reporting recorded each rejection (its answer's updated_at)."""
    return {p.student_ref: p.school.call("GET", f"/api/v1/aftercare/introductions/{p.student_ref}",
                                         params={"period_id": period_id})["updated_at"] for p in rejected}


def figures(chosen: list[Party], held: list[Party], times: Mapping[str, tuple[bool, float]], clients: Clients,
            area: demo_region.DemoRegion) -> AftercareFigures:
    """Every figure from the services: POKs, kennismakingen, tasks, contact status, fast track, evaluations."""
    period_id, r = area.period_id, area.region_id
    poks = Counter((_pok(p, period_id) or {}).get("state", "none") for p in chosen)
    intros = [p.school.call("GET", f"/api/v1/aftercare/introductions/{p.student_ref}",
                            params={"period_id": period_id}) for p in chosen]
    tasks = [task for s in area.schools for task in clients.as_(
        "reporting", f"staff-{s.school_id}", "school_staff", s.school_id, r).call(
        "GET", "/api/v1/aftercare/tasks")["tasks"]]
    calls = Counter(t["status"] for t in tasks if t["kind"] == "call_organisation")
    rounds = clients.as_("matcher", "coordinator-1", "regional_coordinator", r, r).rounds(r)
    report = clients.as_("reporting", "coordinator-1", "regional_coordinator", r, r).period_report(r, period_id, "csv")
    return AftercareFigures(len(chosen), dict(poks), count_rejections(intros), dict(calls),
                            dict(Counter(t["kind"] for t in tasks)), fast_track_rounds(rounds),
                            sum(1 for placed, _ in times.values() if placed),
                            fast_track.median(seconds for _, seconds in times.values()),
                            contact_figures(held, period_id), evaluation_response(report))


def contact_figures(held: list[Party], period_id: str) -> dict[str, int]:
    """The followed placements' contact status (R128): how many meet the rule and how many moments are missing."""
    statuses = [p.school.call("GET", f"/api/v1/followup/placements/{p.student_ref}/contacts",
                              params={"period_id": period_id}) for p in held]
    missing = sum(int(code.split(":")[1]) if code.startswith("contacts:") else 1
                  for s in statuses for code in s["missing"])
    return {"followed": len(statuses), "compliant": sum(1 for s in statuses if s["compliant"]), "missing": missing}


def evaluation_response(report_csv: str) -> dict[str, dict[str, str]]:
    """Per evaluator, the period report's evaluation response cells (placements started, evaluated, share)."""
    cells: dict[str, dict[str, str]] = {}
    for row in csv.DictReader(io.StringIO(report_csv)):
        if row["section"] == EVALUATION_SECTION:
            cells.setdefault(row["key"], {})[row["column"]] = row["value"]
    return cells


def count_rejections(intros: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Rejected kennismakingen by R106 reason code."""
    return dict(Counter(i["reason_code"] for i in intros if i.get("status") == "rejected"))


def english_line(f: AftercareFigures) -> str:
    """One short line for the run's progress output (the parts after the fast-track rounds only when measured)."""
    poks = ", ".join(f"{n} {state}" for state, n in sorted(f.poks.items())) or "none"
    rejected = ", ".join(f"{n} {code}" for code, n in sorted(f.rejections.items())) or "none"
    fast = ", ".join(f"{n} {status}" for status, n in sorted(f.fast_track.items())) or "none"
    line = (f"aftercare: {f.accepted} accepted; POKs {poks}; kennismaking rejected {rejected}; "
            f"follow-up tasks {f.tasks.get('open', 0)} open, {f.tasks.get('done', 0)} done; fast-track rounds {fast}")
    if f.median_fast_track_s is not None:
        line += f", {f.re_placed} re-placed (median {f.median_fast_track_s:.0f} s from rejection to release)"
    if f.contacts:
        line += (f"; contact rule met {f.contacts.get('compliant', 0)} of {f.contacts.get('followed', 0)}, "
                 f"{f.contacts.get('missing', 0)} moments missing")
    if f.evaluations:
        line += "; evaluated " + ", ".join(f"{by} {cells.get('evaluated', '?')} ({cells.get('response_share', '?')})"
                                           for by, cells in f.evaluations.items())
    return line
