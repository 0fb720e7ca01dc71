"""The whole pipeline across the four service processes on real Kafka and Redis, with a small demo region.

One platform for the module (tests/e2e/conftest.py). The module fixture imports the region through
intake (XLSX files, school and organisation tokens), runs the first round, approves it per school (two
staff of each school) and releases it a few seconds ahead; the tests then follow one student each (refusal
and re-match, a desk report leading to re-placement, erasure) and one unhappy path. The tests use different students,
so their order does not matter.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
import redis
import requests

from demo import region as demo_region
from demo import scenario
from demo.clients import Clients, metric
from demo.mailbox import Mailbox
from stagepool_shared import topics
from stagepool_shared.kafka import read_log
from stagepool_shared.testing import wait_until
from stagepool_shared.testing.canaries import found, stored_bytes

pytestmark = pytest.mark.e2e
STUDENTS = 150


@dataclass
class Released:
    """The first round of the demo region, released."""

    area: demo_region.DemoRegion
    cast: scenario.Cast
    round: dict[str, Any]
    mail_before: int
    inbox_before_release: list[dict]


@pytest.fixture(scope="module")
def released(platform, clients: Clients, mailbox: Mailbox) -> Released:
    area = demo_region.generate(STUDENTS, seed=11)
    cast, record = scenario.proposed_region(clients, area)
    scenario.approve(cast, record["round_id"])
    before = mailbox.count()
    scenario.release(cast, record["round_id"], ahead_s=4)
    first = _placed(record)[0]
    early = student(clients, area, first["student_ref"]).inbox()
    wait_until(lambda: cast.coordinator_matcher.round(record["round_id"])["status"] == "released", 60,
               message="round released")
    return Released(area, cast, record, before, early)


def student(clients: Clients, area: demo_region.DemoRegion, ref: str) -> Any:
    """A notifier client acting as the student with this pseudonym."""
    return clients.as_("notifier", f"user-{ref}", "student", ref, area.region_id)


def _placed(record: dict[str, Any]) -> list[dict[str, Any]]:
    return [o for o in record["outcomes"] if o["status"] == "placed"]


def _outcome(record: dict[str, Any], ref: str) -> dict[str, Any] | None:
    return next((o for o in record["outcomes"] if o["student_ref"] == ref), None)


def _consumed(released: Released, *event_types: str) -> int:
    return scenario.matcher_consumed(released.cast.coordinator_matcher, *event_types)


def _rematch(released: Released, seed: int) -> dict[str, Any]:
    return scenario.run_round(released.cast, released.area, kind="rematch", seed=seed, timeout=120)


def test_a_released_round_reaches_every_student_school_and_organisation_exactly_once(
        released: Released, clients: Clients, mailbox: Mailbox, platform) -> None:
    record, area = released.round, released.area
    assert record["summary"]["students"] == len(area.students)
    assert released.inbox_before_release == [], "nothing is visible before the release moment"
    expected = scenario.expected_messages(record)
    wait_until(lambda: mailbox.count() - released.mail_before >= expected, 120,
               message=f"{expected} e-mails delivered")
    per_address = Counter(str(m["To"]) for m in mailbox.messages[released.mail_before:])
    assert {s.email: per_address[s.email] for s in area.students} == {s.email: 1 for s in area.students}
    assert all(per_address[s.contact_email] == 1 for s in area.schools)
    receiving = {o["organisation_id"] for o in _placed(record)}
    contacts = {o.organisation_id: o.places[0].contact_email for o in area.organisations}
    assert all(per_address[contacts[org]] == 1 for org in receiving)
    placed = _placed(record)[0]
    inbox = student(clients, area, placed["student_ref"]).inbox()
    assert [m["round_id"] for m in inbox] == [record["round_id"]]
    school_inbox = clients.as_("notifier", "staff-x", "school_staff", placed["school_id"], area.region_id).inbox()
    assert any(m["kind"] == "school_overview" for m in school_inbox)
    reporting = clients.reporting()
    labels = {"region": area.region_id, "period": area.period_id}
    wait_until(lambda: metric(reporting.metrics_text(), "stagepool_students_placed", **labels)
               == record["summary"]["placed"], 60, message="reporting's figures follow the released round")


def test_contact_persons_and_students_are_kept_in_no_topic_log_metric_matcher_or_notifier_key(
        released: Released, mailbox: Mailbox, platform, clients: Clients) -> None:
    """Canaries (issue 19.4): the places' contact persons reach the placed students by e-mail, and after the
    round is delivered no Kafka topic, service log, metric, matcher key or notifier key holds a contact
    person's or a released student's name or e-mail address (intake keeps them; the notifier asked at
    delivery time and kept nothing)."""
    record, area = released.round, released.area
    wait_until(lambda: mailbox.count() - released.mail_before >= scenario.expected_messages(record), 120,
               message="the round was delivered")
    persons = {(p.contact_name, p.contact_email) for o in area.organisations for p in o.places}
    told = [m.get_body(preferencelist=("plain",)).get_content() for m in mailbox.messages[released.mail_before:]]
    assert any(name in text for name, _ in persons for text in told), "no student was told a contact person"
    students = {(s.name, s.email, s.phone) for s in area.students}  # every one of them is in the round
    canaries = sorted({c for person in persons | students for c in person if len(c) > 6})
    client = redis.Redis.from_url(platform.redis.url)
    kept = stored_bytes(client, "matcher:*") + stored_bytes(client, "notifier:*")
    logs = b"".join(service.log_path.read_bytes() for service in platform.services.values())
    metrics = "".join(getattr(clients, name)().metrics_text() for name in platform.services)
    logged = [m.value or b"" for m in read_log(platform.kafka.bootstrap, topics.ALL_TOPICS + topics.ALL_DLQ_TOPICS)]
    assert b"notifier:inbox:" in kept and b"matcher:round:" in kept and logs and logged  # the scans read data
    assert found(canaries, kept, logs, metrics, *logged) == []


def test_a_refusal_is_never_offered_again_and_an_acceptance_is_kept_in_the_rematch(
        released: Released, clients: Clients) -> None:
    record, area = released.round, released.area
    accepting, refusing = _placed(record)[1], _placed(record)[2]
    answers = _consumed(released, "placement.accepted", "placement.refused")
    student(clients, area, accepting["student_ref"]).accept(record["round_id"])
    student(clients, area, refusing["student_ref"]).refuse(record["round_id"], "travel")
    wait_until(lambda: _consumed(released, "placement.accepted", "placement.refused") >= answers + 2, 60,
               message="the matcher consumed both answers")
    again = _rematch(released, seed=2)
    kept = _outcome(again, accepting["student_ref"])
    assert kept["status"] == "kept" and kept["place_id"] == accepting["place_id"]
    assert _outcome(again, refusing["student_ref"])["place_id"] != refusing["place_id"]


def test_a_desk_report_with_alternative_placement_places_the_student_elsewhere(
        released: Released, clients: Clients) -> None:
    record, area = released.round, released.area
    reporter = _placed(record)[3]
    wish = _criteria_of(released, reporter)
    alternative = _alternative_place(area, wish)
    org = clients.as_("intake", "staff-org-alt", "organisation_staff", "org-alternative", area.region_id)
    before = _consumed(released, "placement.replacement_requested", "place.posted")
    org.post_place(alternative)
    filed = clients.as_("reporting", f"user-{reporter['student_ref']}", "student", reporter["student_ref"],
                        area.region_id).file_report(
        description="Bij de kennismaking werd ik om mijn afkomst afgewezen.", incident_date=date.today().isoformat(),
        organisation_id=reporter["organisation_id"], place_id=reporter["place_id"], period_id=area.period_id,
        alternative_placement_needed=True)
    assert filed["replacement_requested"] is True
    wait_until(lambda: _consumed(released, "placement.replacement_requested", "place.posted") >= before + 2, 60,
               message="the matcher consumed the re-placement request and the new place")
    again = _rematch(released, seed=3)
    outcome = _outcome(again, reporter["student_ref"])
    assert outcome["status"] == "placed"
    assert outcome["organisation_id"] != reporter["organisation_id"]


def _criteria_of(released: Released, outcome: dict[str, Any]) -> dict[str, Any]:
    """The wish criteria intake published for this student (read by their school's staff)."""
    school = released.cast.schools[outcome["school_id"]]
    return school.student(outcome["student_ref"])["wishes"][0]["criteria"]


def _alternative_place(area: demo_region.DemoRegion, wish: dict[str, Any]) -> dict[str, Any]:
    """A place that fits this student on every criterion, posted by a new organisation."""
    return {"period_id": area.period_id, "organisation_name": "Alternatief Leerbedrijf", "sector": wish["sector"],
            "org_type": "alternatief", "location": {"postcode": wish["home"]["pc4"]}, "address": "Dorpsstraat 1",
            "crebos": [wish["crebo"]], "levels": [wish["level"]], "slots": 3, "supervision_capacity": 3,
            "offers_allowance": True, "irregular_shifts": False, "min_age": 16,
            "support_offered": list(demo_region.SUPPORT)}


def test_an_erased_student_disappears_from_intake_the_matcher_and_the_notifier(
        released: Released, clients: Clients) -> None:
    record, area = released.round, released.area
    erased = _placed(record)[4]
    school = released.cast.schools[erased["school_id"]]
    assert school.student(erased["student_ref"])["student"]["name"]
    erasures = _notifier_consumed(clients, "student.erased")
    school.erase_student(erased["student_ref"])
    school.student(erased["student_ref"], expect=(404,))
    coordinator = released.cast.coordinator_matcher
    wait_until(lambda: _outcome(coordinator.round(record["round_id"]), erased["student_ref"]) is None, 60,
               message="the matcher dropped the pseudonym from the stored outcomes")
    wait_until(lambda: _notifier_consumed(clients, "student.erased") >= erasures + 1, 60,
               message="the notifier consumed student.erased")
    as_student = student(clients, area, erased["student_ref"])
    assert as_student.accept(record["round_id"], expect=(404,))["error"] == "not_found"
    assert as_student.inbox() == []


def _notifier_consumed(clients: Clients, event_type: str) -> float:
    return metric(clients.notifier().metrics_text(), "stagepool_events_consumed_total",
                  group=topics.NOTIFIER.group_id, event_type=event_type)


def test_an_import_with_one_bad_row_changes_nothing_anywhere(released: Released, platform) -> None:
    area = released.area
    school = released.cast.schools[area.schools[0].school_id]
    newcomers = demo_region.generate(8, seed=99).schools[0].students[:3]
    rows = demo_region.wish_rows(newcomers, area.period_id)
    rows[1][12] = "0000"  # not a postcode
    students_before = school.students()
    wishes_before = len(read_log(platform.kafka.bootstrap, [topics.WISHES]))
    consumed_before = _consumed(released, "wish.submitted", "wish.updated")
    answer = school.import_wishes(demo_region.xlsx(demo_region.WISH_HEADERS, rows), expect=(422,))
    assert [e["row"] for e in answer["errors"]] == [3]
    assert school.students() == students_before
    assert len(read_log(platform.kafka.bootstrap, [topics.WISHES])) == wishes_before
    assert _consumed(released, "wish.submitted", "wish.updated") == consumed_before
    assert requests.get(platform.services["intake"].url + "/readyz", timeout=5).status_code == 200
