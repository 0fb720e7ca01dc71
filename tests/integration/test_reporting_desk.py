"""The reporting desk on real Kafka and Redis: a filed report is readable by desk staff only, every access is
audited, its text never reaches a topic, a log line or Redis in clear, and its alternative-placement request
is published for the matcher.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from reporting import handlers
from reporting.bootstrap import bootstrap
from stagepool_shared import registry, topics
from stagepool_shared.envelope import new_envelope
from stagepool_shared.kafka import ensure_topics, read_log
from stagepool_shared.testing.samples import sample_payload
from tests.fakes.reporting import settings_for

pytestmark = pytest.mark.integration

PERIOD = "2027-p1"
LAST_WEEK = (date.today() - timedelta(days=7)).isoformat()


@pytest.fixture
def region() -> str:
    return "reg-" + uuid.uuid4().hex[:8]


@pytest.fixture
def reporting(kafka_bootstrap, redis_url, redis_client):
    ensure_topics(kafka_bootstrap)
    service = bootstrap(settings_for(kafka_bootstrap, redis_url), key_prefix="reporting-" + uuid.uuid4().hex[:6],
                        registry=None)
    yield service
    service.close()


@pytest.fixture
def client(reporting):
    return reporting.app().test_client()


@pytest.fixture
def tokens(reporting, region):
    issue = reporting.tokens.issue
    student = "stu_" + uuid.uuid4().hex
    project_wish(reporting, student, "sch-alfa", region)  # reporting knows the student's school (issue 19)
    return {
        "student_ref": student,
        "student": issue("usr-stu", "student", student, region),
        "school": issue("usr-bpv", "school_staff", "sch-alfa", region),
        "coordinator": issue("usr-coord", "regional_coordinator", region, region),
        "desk": issue("usr-desk", "desk_staff", region, region),
        "other_desk": issue("usr-desk-x", "desk_staff", "reg-other", "reg-other"),
    }


def project_wish(reporting, student: str, school: str, region: str) -> None:
    """Project the student's wish of PERIOD at the school, as reporting's consumer would."""
    wish = replace(sample_payload("wish.submitted"), student_ref=student, school_id=school, region_id=region,
                   period_id=PERIOD)
    handlers.handle(new_envelope("wish.submitted", wish, producer="intake", partition_key=region), reporting.deps)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def file(client, token: str, canary: str, **extra):
    body = {"description": f"{canary}: told I would not fit in the team", "incident_date": LAST_WEEK,
            "organisation_id": "org-umcg", "period_id": PERIOD, "school_id": "sch-alfa", **extra}
    return client.post("/api/v1/desk/reports", json=body, headers=bearer(token))


def test_a_filed_report_is_readable_by_desk_staff_only_and_every_access_is_audited(client, tokens, reporting):
    canary = "CANARY-" + uuid.uuid4().hex
    filed = file(client, tokens["student"], canary)
    assert filed.status_code == 201, filed.get_json()
    report_id = filed.get_json()["report_id"]

    read = client.get(f"/api/v1/desk/reports/{report_id}", headers=bearer(tokens["desk"]))
    assert read.status_code == 200
    assert canary in read.get_json()["content"]["description"]
    for who in ("student", "school", "coordinator", "other_desk"):
        denied = client.get(f"/api/v1/desk/reports/{report_id}", headers=bearer(tokens[who]))
        assert denied.status_code == 404 and canary not in denied.get_data(as_text=True)
    assert client.get(f"/api/v1/desk/reports/{report_id}").status_code == 404
    assert client.get("/api/v1/desk/reports", headers=bearer(tokens["school"])).status_code == 404

    trail = [(e["who"], e["action"], e["outcome"]) for e in reporting.deps.audit.entries()]
    assert trail == [("usr-desk", "read", "ok"), ("usr-stu", "read", "denied"), ("usr-bpv", "read", "denied"),
                     ("usr-coord", "read", "denied"), ("usr-desk-x", "read", "not_found"),
                     ("anonymous", "read", "denied"), ("usr-bpv", "list", "denied")]
    assert reporting.deps.audit.verify()


def test_the_report_text_never_reaches_a_topic_a_log_or_redis_in_clear(client, tokens, reporting, redis_client,
                                                                        kafka_bootstrap, caplog):
    canary = "CANARY-" + uuid.uuid4().hex
    caplog.set_level(logging.DEBUG)
    report_id = file(client, tokens["student"], canary).get_json()["report_id"]
    desk = bearer(tokens["desk"])
    assert client.get(f"/api/v1/desk/reports/{report_id}", headers=desk).status_code == 200
    for status in ("in_progress", "forwarded_to_sbb"):
        moved = client.post(f"/api/v1/desk/reports/{report_id}/status", headers=desk,
                            json={"status": status, "note": f"{canary} note"})
        assert moved.status_code == 200, moved.get_json()
    export = client.get("/api/v1/desk/sbb-export?format=csv", headers=desk).get_data(as_text=True)
    assert report_id in export and canary not in export

    messages = read_log(kafka_bootstrap, topics.ALL_TOPICS + topics.ALL_DLQ_TOPICS)
    ours = [m for m in messages if report_id.encode() in (m.value or b"")]
    assert {registry.decode(m.value).event_type for m in ours} == {"desk.report_filed", "desk.report_status_changed"}
    assert not [m for m in messages if canary.encode() in (m.value or b"")]
    assert canary not in caplog.text and report_id in caplog.text
    dumps = b"".join(redis_client.dump(key) or b"" for key in redis_client.scan_iter())
    assert canary.encode() not in dumps
    assert client.get("/metrics").status_code == 200 and canary not in client.get("/metrics").get_data(as_text=True)


def test_an_alternative_placement_request_is_published_for_the_student_excluding_the_organisation(
        client, tokens, kafka_bootstrap, region):
    filed = file(client, tokens["student"], "CANARY-" + uuid.uuid4().hex, alternative_placement_needed=True)
    assert filed.status_code == 201, filed.get_json()
    request_id = "req-" + filed.get_json()["report_id"]
    requests = [registry.decode(m.value) for m in read_log(kafka_bootstrap, [topics.PLACEMENTS])
                if request_id.encode() in (m.value or b"")]
    [request] = requests
    assert request.event_type == "placement.replacement_requested"
    assert request.payload.student_ref == tokens["student_ref"]
    assert (request.payload.region_id, request.payload.cause) == (region, "desk_report")
    assert request.payload.exclude_organisation_ids == ["org-umcg"]


def test_desk_staff_can_ask_for_an_alternative_place_later(client, tokens, kafka_bootstrap):
    report_id = file(client, tokens["school"], "CANARY-x", student_ref=tokens["student_ref"]).get_json()["report_id"]
    asked = client.post(f"/api/v1/desk/reports/{report_id}/alternative-placement", headers=bearer(tokens["desk"]),
                        json={"period_id": PERIOD})
    assert asked.status_code == 202, asked.get_json()
    request_id = asked.get_json()["request_id"]
    found = [m for m in read_log(kafka_bootstrap, [topics.PLACEMENTS]) if request_id.encode() in (m.value or b"")]
    assert len(found) == 1
    assert client.get("/api/v1/desk/reports", headers=bearer(tokens["desk"])).get_json()["reports"][0][
        "replacement_requested"] is True


def test_a_report_without_its_minimum_is_refused_with_field_messages_and_nothing_is_stored(client, tokens, reporting,
                                                                                           region):
    refused = client.post("/api/v1/desk/reports", json={"description": "", "period_id": PERIOD},
                          headers=bearer(tokens["student"]))
    assert refused.status_code == 422
    fields = refused.get_json()["fields"]
    assert set(fields) == {"description", "incident_date", "organisation_id"}
    assert fields["description"] == ["Dit veld is verplicht."]
    english = client.post("/api/v1/desk/reports?lang=en", json={"incident_date": LAST_WEEK},
                          headers=bearer(tokens["student"]))
    assert english.get_json()["fields"]["organisation_id"] == ["Name the organisation or the placement."]
    assert reporting.deps.desk_store.cases(region) == []
    unknown = file(client, tokens["student"], "x", status="closed")
    assert unknown.status_code == 422 and "status" in unknown.get_json()["fields"]


def test_staff_cannot_file_for_a_student_of_another_school_and_nothing_is_published(client, tokens, reporting,
                                                                                    region, kafka_bootstrap):
    other = "stu_" + uuid.uuid4().hex
    project_wish(reporting, other, "sch-beta", region)
    canary = "CANARY-" + uuid.uuid4().hex
    refused = file(client, tokens["school"], canary, student_ref=other, alternative_placement_needed=True)
    assert refused.status_code == 404, refused.get_json()
    assert not [m for m in read_log(kafka_bootstrap, [topics.PLACEMENTS, topics.DESK])
                if other.encode() in (m.value or b"")]


def test_forwarding_to_sbb_and_recording_its_answer_and_a_measure_on_real_redis_and_kafka(
        client, tokens, reporting, redis_client, kafka_bootstrap):
    """Issue 20.6: the forward publishes the status only, the export holds no text, SBB's answer and the measure
    are kept (the measure's text sealed), and a refused measure leaves Redis as it was."""
    canary = "CANARY-" + uuid.uuid4().hex
    report_id = file(client, tokens["student"], canary).get_json()["report_id"]
    desk, case = bearer(tokens["desk"]), f"/api/v1/desk/reports/{report_id}"
    client.post(case + "/status", headers=desk, json={"status": "in_progress"})
    forwarded = client.post(case + "/sbb-forward", headers=desk)
    assert forwarded.status_code == 200, forwarded.get_json()
    assert canary not in forwarded.get_data(as_text=True)
    today = datetime.now(ZoneInfo("Europe/Amsterdam")).date()
    answered = client.post(case + "/sbb-answer", headers=desk, json={
        "answered_on": today.isoformat(), "reference": "SBB-INT-1", "outcome": "improvement_agreements"})
    assert answered.status_code == 200, answered.get_json()
    measure = {"description": f"{canary} measure", "owner_role": "organisation_staff",
               "deadline": (today + timedelta(days=30)).isoformat()}
    assert client.post(case + "/sbb-measures", headers=desk, json=measure).status_code == 201
    stored = redis_client.hgetall(reporting.deps.desk_store.keys.desk_case(report_id))
    refused = client.post(case + "/sbb-measures", headers=desk, json={**measure, "deadline": LAST_WEEK})
    assert refused.status_code == 422 and "deadline" in refused.get_json()["fields"]
    assert redis_client.hgetall(reporting.deps.desk_store.keys.desk_case(report_id)) == stored

    file_ = reporting.deps.desk_store.case(report_id).sbb
    assert (file_.answer.reference, [m.owner_role for m in file_.measures]) == ("SBB-INT-1", ["organisation_staff"])
    assert client.get(case, headers=desk).get_json()["sbb"]["measures"][0]["description"] == f"{canary} measure"
    dumps = b"".join(redis_client.dump(key) or b"" for key in redis_client.scan_iter())
    assert canary.encode() not in dumps
    steps = [registry.decode(m.value).payload.status for m in read_log(kafka_bootstrap, [topics.DESK])
             if report_id.encode() in (m.value or b"")
             and registry.decode(m.value).event_type == "desk.report_status_changed"]
    assert steps == ["in_progress", "forwarded_to_sbb"]
    assert client.get("/api/v1/desk/sbb-overdue", headers=desk).get_json() == {"overdue": []}
