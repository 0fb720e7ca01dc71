"""Issue 20, "Shown in": the aftercare path end to end, on the four services as real processes (Kafka, Redis).

The module fixture imports a small demo region through intake, runs the first round, has each school approve it
and releases it (as test_pipeline does). Then FOLLOWED students go the whole way, each party through its own
HTTP API with its own token: accept (notifier) -> POK draft, filled, sent and signed by the student, the school
and the organisation (reporting) -> kennismaking proposed by the organisation and confirmed by the student ->
rejection with an R106 reason (a rejection without one is a 422 and changes nothing) -> the school's call task
-> fast-track re-placement (matcher: requested, computed from free capacity, approved by two staff of each
school, released at once; the student finds it in the notifier's inbox), accepted, a fresh POK at the new
organisation signed and started after a kennismaking there that went well -> three contact moments,
one on site and one a signal, which opens a task -> the school ends the POK -> evaluations by the student, the
organisation and the school -> the period report counts all this. Five students, so that the report's small-cell
rule (a count under five reads "<5") shows the numbers.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from demo import aftercare, fast_track
from demo import region as demo_region
from demo import scenario
from demo.clients import Clients
from stagepool_shared.testing import wait_until

pytestmark = pytest.mark.e2e
STUDENTS, FOLLOWED = 60, 5
REASON = "competences_mismatch"
NEW_ORGANISATION = "org-herplaatsing"


@dataclass
class Released:
    """The first round of a small demo region, released, and the students this module follows."""

    area: demo_region.DemoRegion
    cast: scenario.Cast
    record: dict[str, Any]
    parties: list[aftercare.Party]
    clients: Clients

    @property
    def period_id(self) -> str:
        return self.area.period_id


@pytest.fixture(scope="module")
def released(platform, clients: Clients) -> Released:
    area = demo_region.generate(STUDENTS, seed=23)
    cast, record = scenario.proposed_region(clients, area)
    scenario.approve(cast, record["round_id"])
    scenario.release(cast, record["round_id"], ahead_s=1)
    record = wait_until(lambda: _status(cast.coordinator_matcher.round(record["round_id"]), "released"), 60,
                        message="the first round released")
    chosen = aftercare.choose_students(record, FOLLOWED)
    assert len(chosen) == FOLLOWED and all(o["status"] == "placed" for o in chosen)
    return Released(area, cast, record, aftercare.parties(clients, area, chosen), clients)


def _status(record: dict[str, Any], status: str) -> dict[str, Any] | None:
    return record if record["status"] == status else None


def _post(client: Any, path: str, body: dict[str, Any], expect: tuple[int, ...] = (200,)) -> Any:
    return client.call("POST", path, expect=expect, json=body)


def _inbox_rounds(party: aftercare.Party) -> list[str]:
    return [m["round_id"] for m in party.student.inbox()]


def test_an_accepted_placement_goes_from_pok_to_evaluation_and_the_period_report_counts_it(
        released: Released, mailbox) -> None:  # noqa: ANN001
    for party in released.parties:
        accept_and_sign(released, party, released.record["round_id"])
        asked_to_sign(mailbox, party)
    places_are_offered(released)
    reject_after_kennismaking(released)
    for party in released.parties:
        asked_to_confirm(mailbox, party, released.period_id)
    round_id = request_fast_track(released)
    school_calls_the_organisations(released)
    ftr = approve_fast_track(released, round_id)
    moved = [placed_anew(released, party, ftr) for party in released.parties]
    for party in moved:
        accept_and_sign(released, party, ftr["round_id"])
    new_kennismaking_goes_well(released, moved)
    for party in moved:
        assert _post(party.school, f"/api/v1/aftercare/poks/{party.student_ref}/start",
                     {"period_id": released.period_id})["state"] == "active"
        contact_moments(released, party)
        evaluations(released, party)
    period_report_counts(released, ftr)


def accept_and_sign(released: Released, party: aftercare.Party, round_id: str) -> None:
    """The student finds the round in the inbox and accepts; reporting's draft POK names the organisation; the
    school fills it in and sends it; student, school and organisation sign."""
    period = released.period_id
    wait_until(lambda: round_id in _inbox_rounds(party), 60, message=f"{party.student_ref} told of {round_id}")
    assert party.student.accept(round_id)["answer"] == "accepted"
    path = f"/api/v1/aftercare/poks/{party.student_ref}"
    draft = wait_until(lambda: _draft_at(party, path, period), 60,
                       message=f"the draft POK of {party.student_ref} at {party.organisation_id}")
    assert (draft["state"], draft["signedBy"], draft["approvedHours"]) == ("draft", [], None)
    aftercare.send(party, period, released.area)
    states = [_post(signer, f"{path}/sign", {"period_id": period})
              for signer in (party.student_reporting, party.school, party.organisation)]
    assert [s["state"] for s in states] == ["sent", "sent", "signed"]
    assert sorted(states[-1]["signedBy"]) == ["organisation", "school", "student"]
    assert (states[-1]["approvedHours"], states[-1]["schoolContact"]["name"]) == (640, "Stagecoördinator")


def asked_to_sign(mailbox, party: aftercare.Party) -> None:  # noqa: ANN001
    """Once the school sent the POK, the notifier e-mailed the organisation's contact for the place that it is
    ready to sign (and the student: their address is intake's, the subject says "Je praktijkovereenkomst")."""
    subject = f"Praktijkovereenkomst van student {party.student_ref} klaar om te ondertekenen"
    asked = wait_until(lambda: [m for m in list(mailbox.messages) if subject in str(m["Subject"])], 60,
                       message=f"the organisation of {party.student_ref} was not asked to sign")
    assert len(asked) == 1 and "/pages/aftercare/" in asked[0].get_body().get_content()


def asked_to_confirm(mailbox, party: aftercare.Party, period: str) -> None:  # noqa: ANN001
    """The organisation's proposed kennismaking moment reached the student by e-mail, with the link to confirm."""
    link = f"/pages/aftercare/{period}/{party.student_ref}"
    wait_until(lambda: [m for m in list(mailbox.messages) if "Kennismakingsgesprek" in str(m["Subject"])
                        and link in m.get_body().get_content()], 60,
               message=f"{party.student_ref} was not asked to confirm the kennismaking")


def _draft_at(party: aftercare.Party, path: str, period: str) -> dict[str, Any] | None:
    """The POK as the school sees it, once it is the draft of this party's organisation."""
    answer = party.school.raw("GET", path, params={"period_id": period})
    pok = answer.json() if answer.status_code == 200 else None
    return pok if pok and pok["leerbedrijfID"] == party.organisation_id and pok["state"] == "draft" else None


def reject_after_kennismaking(released: Released) -> None:
    """Each organisation proposes a moment, the student confirms, the school sends a teacher along (R107); once
    it passed, a rejection without a reason code is a 422 that changes nothing, and one with a code stands."""
    period = released.period_id
    moment = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
    for party in released.parties:
        path = f"/api/v1/aftercare/introductions/{party.student_ref}"
        proposed = _post(party.organisation, path, {"period_id": period, "moment": moment.isoformat()},
                         expect=(201,))
        assert (proposed["status"], proposed["organisation_id"]) == ("proposed", party.organisation_id)
        assert _post(party.student_reporting, f"{path}/confirm", {"period_id": period})["status"] == "confirmed"
        assert _post(party.school, f"{path}/accompany", {"period_id": period, "accompanied": True})["accompanied"]
    wait_until(lambda: datetime.now(timezone.utc) > moment, 10, message="the kennismaking's moment passed")
    for party in released.parties:
        path = f"/api/v1/aftercare/introductions/{party.student_ref}"
        bare = _post(party.organisation, f"{path}/outcome", {"period_id": period, "outcome": "rejected"},
                     expect=(422,))
        assert "reason_code" in bare["fields"]
        assert party.school.call("GET", path, params={"period_id": period})["status"] == "confirmed"
        rejected = _post(party.organisation, f"{path}/outcome",
                         {"period_id": period, "outcome": "rejected", "reason_code": REASON})
        assert (rejected["status"], rejected["reason_code"], rejected["desk_route"]) == (
            "rejected", REASON, "/pages/report")


def school_calls_the_organisations(released: Released) -> None:
    """Every rejection gave the student's school an open task to call the organisation, naming the school's
    contact for it (R105); the school calls and closes each."""
    refs = sorted(p.student_ref for p in released.parties)
    calls = [t for t in _tasks(released) if t["kind"] == "call_organisation" and t["student_ref"] in refs]
    assert sorted(t["student_ref"] for t in calls) == refs
    assert {(t["status"], t["reason_code"], t["school_contact"]) for t in calls} == {
        ("open", REASON, "Stagecoördinator")}
    schools = {p.student_ref: p.school for p in released.parties}
    done = [_post(schools[t["student_ref"]], f"/api/v1/aftercare/tasks/{t['task_id']}/done", {}) for t in calls]
    assert [d["status"] for d in done] == ["done"] * FOLLOWED


def _tasks(released: Released) -> list[dict[str, Any]]:
    schools = {p.school_id: p.school for p in released.parties}
    return [task for school in schools.values() for task in school.call("GET", "/api/v1/aftercare/tasks")["tasks"]]


def places_are_offered(released: Released) -> None:
    """A new organisation posts a place fitting each followed student's wish (free capacity for the fast track)."""
    matcher = released.cast.coordinator_matcher
    posted = scenario.matcher_consumed(matcher, "place.posted")
    students = [(p.school_id, p.student_ref) for p in released.parties]
    assert fast_track.offer_places(released.clients, released.area, students, NEW_ORGANISATION) == FOLLOWED
    wait_until(lambda: scenario.matcher_consumed(matcher, "place.posted") >= posted + FOLLOWED, 60,
               message="the matcher took in the new places")


def request_fast_track(released: Released) -> str:
    """As soon as the matcher took in the rejections, the coordinator asks the fast track for the five (well
    within the 30 s after which the matcher would ask one by itself)."""
    matcher, refs = released.cast.coordinator_matcher, sorted(p.student_ref for p in released.parties)
    wait_until(lambda: scenario.matcher_consumed(matcher, "placement.failed") >= FOLLOWED, 60,
               message="the matcher took in the rejections")
    answer = _post(matcher, "/api/v1/rounds/fast-track", {"region_id": released.area.region_id,
                                                          "period_id": released.period_id, "student_refs": refs},
                   expect=(202,))
    assert answer["kind"] == "fast_track"
    return answer["round_id"]


def approve_fast_track(released: Released, round_id: str) -> dict[str, Any]:
    """The fast track places every student elsewhere; their schools approve and it is released at once."""
    matcher, refs = released.cast.coordinator_matcher, sorted(p.student_ref for p in released.parties)
    proposed = wait_until(lambda: _status(matcher.round(round_id), "proposed"), 60, message="the fast track proposed")
    outcomes = {o["student_ref"]: o for o in proposed["outcomes"]}
    assert (proposed["kind"], sorted(outcomes), proposed["summary"]["placed"]) == ("fast_track", refs, FOLLOWED)
    assert all(outcomes[p.student_ref]["organisation_id"] not in (None, p.organisation_id) for p in released.parties)
    assert scenario.approve(released.cast, round_id)["complete"]
    return wait_until(lambda: _status(matcher.round(round_id), "released"), 60,
                      message="the approved fast track released")


def placed_anew(released: Released, party: aftercare.Party, ftr: dict[str, Any]) -> aftercare.Party:
    """The party with the organisation of the student's fast-track place (and that organisation's client)."""
    outcome = next(o for o in ftr["outcomes"] if o["student_ref"] == party.student_ref)
    org = outcome["organisation_id"]
    client = released.clients.as_("reporting", f"staff-{org}", "organisation_staff", org, released.area.region_id)
    return replace(party, organisation_id=org, organisation=client)


def new_kennismaking_goes_well(released: Released, moved: list[aftercare.Party]) -> None:
    """The new organisation holds a kennismaking of its own (the rejected one closed only the old placement's)."""
    period = released.period_id
    moment = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=2)
    for party in moved:
        path = f"/api/v1/aftercare/introductions/{party.student_ref}"
        proposed = _post(party.organisation, path, {"period_id": period, "moment": moment.isoformat()},
                         expect=(201,))
        assert (proposed["status"], proposed["organisation_id"]) == ("proposed", party.organisation_id)
        assert _post(party.student_reporting, f"{path}/confirm", {"period_id": period})["status"] == "confirmed"
    wait_until(lambda: datetime.now(timezone.utc) > moment, 10, message="the new kennismaking's moment passed")
    for party in moved:
        held = _post(party.organisation, f"/api/v1/aftercare/introductions/{party.student_ref}/outcome",
                     {"period_id": period, "outcome": "continue"})
        assert (held["status"], held["reason_code"], "desk_route" in held) == ("held", None, False)


def contact_moments(released: Released, party: aftercare.Party) -> None:
    """Three moments at the new place: on site (recorded by the organisation), a phone call that is a signal and
    an online one (by the school); compliant (R128), and the signal opened a task for the school (R130)."""
    period, path = released.period_id, f"/api/v1/followup/placements/{party.student_ref}/contacts"
    today = date.today()
    moments = [(party.organisation, today - timedelta(days=14), "on_site", False),
               (party.school, today - timedelta(days=7), "phone", True), (party.school, today, "online", False)]
    statuses = [_post(who, path, {"period_id": period, "date": day.isoformat(), "kind": kind, "signal": signal},
                      expect=(201,)) for who, day, kind, signal in moments]
    assert [(s["contacts"], s["on_site"], s["compliant"]) for s in statuses] == [
        (1, 1, False), (2, 1, False), (3, 1, True)]
    assert statuses[-1]["missing"] == []
    signals = [t for t in _tasks(released) if t["kind"] == "contact_signal" and t["student_ref"] == party.student_ref]
    assert [(t["status"], t["organisation_id"]) for t in signals] == [("open", party.organisation_id)]


def evaluations(released: Released, party: aftercare.Party) -> None:
    """At the end (the school ends the POK: the evaluation opens then, or shortly before its end date) the student
    (with the discrimination question per phase), the organisation and the school evaluate."""
    ended = _post(party.school, f"/api/v1/aftercare/poks/{party.student_ref}/end", {"period_id": released.period_id})
    assert ended["state"] == "ended"
    path = f"/api/v1/followup/placements/{party.student_ref}/evaluation"
    common = {"period_id": released.period_id, "satisfaction": 4, "would_again": True}
    student = {**common, "discrimination_searching": True, "discrimination_introduction": False,
               "discrimination_during": False}
    answers = [_post(who, path, body, expect=(201,)) for who, body in (
        (party.student_reporting, student), (party.organisation, common), (party.school, common))]
    assert [a["by"] for a in answers] == ["student", "organisation", "school"]


def period_report_counts(released: Released, ftr: dict[str, Any]) -> None:
    """The coordinator's period report (CSV) counts the rejections, the fast track, the contact moments and the
    evaluations (each count at least five, so the small-cell rule shows it)."""
    r = released.area.region_id
    report = released.clients.as_("reporting", "coordinator-1", "regional_coordinator", r, r)
    rows = report_rows(report.period_report(r, released.period_id, "csv"))
    follow = {key: rows[("follow_up", key, "", "value")] for key in (
        "rejected_after_introduction", "failed", "placements_followed", "contact_compliance")}
    placed = released.record["summary"]["placed"]
    assert follow == {"rejected_after_introduction": str(FOLLOWED), "failed": str(FOLLOWED),
                      "placements_followed": str(placed), "contact_compliance": f"{FOLLOWED / placed * 100:.1f}%"}
    rid = ftr["round_id"]
    assert (rows[("rounds", rid, "fast_track", "students")], rows[("rounds", rid, "fast_track", "placed")]) == (
        str(FOLLOWED), str(FOLLOWED))
    response = {(key, column): value for (section, key, _, column), value in rows.items()
                if section == "evaluation_response"}
    assert {response[(by, "evaluated")] for by in ("student", "organisation", "school")} == {str(FOLLOWED)}
    assert {response[(by, "response_share")] for by in ("student", "organisation", "school")} == {"100.0%"}
    assert rows[("evaluation_discrimination", "searching", "", "experienced")] == str(FOLLOWED)


def report_rows(text: str) -> dict[tuple[str, str, str, str], str]:
    """The period report's CSV as (section, key, key2, column) -> value."""
    return {(r["section"], r["key"], r["key2"], r["column"]): r["value"] for r in csv.DictReader(io.StringIO(text))}
