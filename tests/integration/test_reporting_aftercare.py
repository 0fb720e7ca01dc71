"""Aftercare on real Kafka and Redis (issue 20): a student's accept travels through Kafka into reporting's
consumer, which creates the placement agreement (POK) draft; the school names its contact, sends it (a missing
contact is a 422 first), and `agreement.status_changed` reaches Kafka with ids and codes only, while the people
on the POK are sealed in Redis. Retention (20.7) leaves nothing in Redis that links back to the student.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import uuid
from datetime import UTC, datetime

import pytest

from reporting.bootstrap import bootstrap
from reporting.domain.aftercare import Pok, PokPeople, SchoolContact, pok_id_of
from reporting.domain.aftercare_intro import Introduction, task_for
from reporting.domain.desk import CaseMeta, ReportContent, StatusStep
from reporting.domain.figures import WishFact
from reporting.domain.followup import ContactMoment
from reporting.entrypoints.consumer import make_consumer
from reporting.handlers import handle
from stagepool_shared import registry, topics
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.placements import PlacementAccepted
from stagepool_shared.events.students import StudentErased
from stagepool_shared.kafka import ConsumerOptions, EventPublisher, ensure_topics, read_log
from stagepool_shared.testing import wait_until
from reporting.jobs import apply_retention
from tests.fakes import FakePublisher
from tests.fakes.reporting import settings_for

from test_reporting_metrics import PERIOD, round_events, students

pytestmark = pytest.mark.integration


def test_an_accepted_placement_becomes_a_pok_that_is_sent_without_personal_data(kafka_bootstrap, redis_url,
                                                                                   redis_client):
    ensure_topics(kafka_bootstrap)
    region = "reg-" + uuid.uuid4().hex[:8]
    prefix = "reporting-" + uuid.uuid4().hex[:6]
    service = bootstrap(settings_for(kafka_bootstrap, redis_url), key_prefix=prefix, registry=None)
    stop = threading.Event()
    group = topics.ConsumerGroup("test-aftercare-" + uuid.uuid4().hex[:8], topics.REPORTING.topics)
    thread = threading.Thread(target=make_consumer(service, stop, ConsumerOptions(poll_timeout_ms=200), group).run,
                              name="reporting-consumer", daemon=True)
    thread.start()
    publisher = EventPublisher(kafka_bootstrap, "reporting-aftercare-test")
    try:
        wish_list = students(region)
        events = round_events(region, wish_list)
        round_id = events[-1].payload.round_id
        student = wish_list[0].student_ref
        accepted = PlacementAccepted(round_id, region, student, "sch-alfa", "plc-m-01", "org-m")
        publisher.publish_all(events)  # the proposal first: topics are not ordered among each other
        wait_until(lambda: service.deps.projections.period_of_round(round_id), timeout=60,
                   message="reporting never saw the round's proposal")
        publisher.publish_all([new_envelope("placement.accepted", accepted, producer="test", partition_key=region)])
        store = service.deps.aftercare
        pok = wait_until(lambda: store.pok(region, PERIOD, student), timeout=60,
                         message="the accepted placement never became a POK draft")
        assert (pok.status, pok.organisation_id, pok.round_id) == ("draft", "org-m", round_id)

        client = service.app().test_client()
        school = {"Authorization": "Bearer " + service.tokens.issue("usr-bpv", "school_staff", "sch-alfa", region)}
        url = f"/api/v1/aftercare/poks/{student}"
        details = {"period_id": PERIOD, "start_date": "2027-09-01", "end_date": "2028-01-31", "hours": 400,
                   "supervisor_name": "Petra Jansen"}
        assert client.post(url + "/details", json=details, headers=school).status_code == 200
        refused = client.post(url + "/send", json={"period_id": PERIOD}, headers=school)
        assert refused.status_code == 422 and "school_contact" in refused.get_json()["fields"]
        assert store.pok(region, PERIOD, student).status == "draft"
        named = client.put("/api/v1/aftercare/school-contacts/org-m", headers=school,
                           json={"name": "Karin Bos", "email": "k.bos@alfa.example"})
        assert named.status_code == 200
        sent = client.post(url + "/send", json={"period_id": PERIOD}, headers=school)
        assert sent.status_code == 200 and sent.get_json()["leerbedrijfID"] == "org-m"

        raw = wait_until(lambda: [m.value for m in read_log(kafka_bootstrap, [topics.PLACEMENTS])
                                  if pok.pok_id.encode() in (m.value or b"")], timeout=30,
                         message="agreement.status_changed never reached Kafka")
        changed = registry.decode(raw[0])
        assert (changed.event_type, changed.payload.status) == ("agreement.status_changed", "sent")
        assert b"Karin" not in raw[0] and b"Petra" not in raw[0] and b"alfa.example" not in raw[0]
        stored = b"".join(redis_client.dump(k) or b"" for k in redis_client.scan_iter(f"{prefix}:aftercare:*"))
        assert stored and b"Karin" not in stored and b"Petra" not in stored
    finally:
        stop.set()
        thread.join(timeout=15)
        publisher.close()
        service.close()


def test_retention_leaves_nothing_in_redis_that_links_back_to_the_student(kafka_bootstrap, redis_url, redis_client):
    """R155 on real Redis: a closed desk case and an ended placement's follow-up, past the region's period, are
    anonymised; no key or value under reporting's prefix holds the pseudonym, the old POK id or a name."""
    prefix = "reporting-" + uuid.uuid4().hex[:6]
    region, student = "reg-" + uuid.uuid4().hex[:8], "stu_" + uuid.uuid4().hex
    later = datetime(2029, 1, 1, tzinfo=UTC)
    service = bootstrap(settings_for(kafka_bootstrap, redis_url), key_prefix=prefix, registry=None,
                        publisher=FakePublisher(), clock=lambda: later)
    try:
        deps = service.deps
        pok = Pok(pok_id_of(region, PERIOD, student), region, PERIOD, student, "sch-alfa", "org-m", "plc-m-01",
                  "rnd-1", "2027-01-20T09:00:00+00:00", status="ended", hours=400,
                  updated_at="2027-06-30T12:00:00+00:00")
        deps.aftercare.save_pok(pok, PokPeople(SchoolContact("Karin Bos", "k.bos@alfa.example"), "Petra Jansen"))
        intro = Introduction(region, PERIOD, student, "sch-alfa", "org-m", "plc-m-01", "2027-01-25T09:00:00+00:00",
                             "held")
        deps.aftercare.save_introduction(intro)
        task = task_for(intro, "team_fit", "2027-01-26T09:00:00+00:00")
        deps.aftercare.save_task(task)
        deps.views.add_contact_moment(region, PERIOD, student, ContactMoment("2027-03-01", "on_site", "school_staff"),
                                      False)
        deps.views.put_evaluation(region, PERIOD, student, "student", {"satisfaction": 5})
        case = CaseMeta("rep-" + uuid.uuid4().hex[:8], region, "org-m", "sch-alfa", "discrimination", "introduction",
                        False, "student", "2027-02-01T10:00:00+00:00",
                        (StatusStep("closed", "2027-04-01T10:00:00+00:00"),))
        deps.desk_store.add(case, ReportContent("Petra zei iets over mijn naam", "2027-01-30", student, student))
        redis_client.sadd(f"{prefix}:periods", f"{region}|{PERIOD}")

        assert apply_retention(deps) == 2
        everything = b" ".join(k + b" " + (redis_client.dump(k) or b"") for k in redis_client.scan_iter(f"{prefix}:*"))
        for secret in (student.encode(), pok.pok_id.encode(), task.task_id.encode(), b"Karin", b"Petra"):
            assert secret not in everything, secret
        assert deps.desk_store.content(case.report_id) == ReportContent("", "", None, None)
        [anonymous] = deps.aftercare.poks(region)
        assert anonymous.student_ref.startswith("anon-") and anonymous.hours == 400
        assert len(deps.views.contact_moments(region, PERIOD, anonymous.student_ref)) == 1
    finally:
        service.close()


def test_after_retention_nothing_joins_the_student_back_and_a_later_erasure_leaves_nothing(kafka_bootstrap,
                                                                                          redis_url, redis_client):
    """R155 on real Redis (issue 20.7): a student with a wish, a released round and an ended placement in an old
    period, and a wish, a round and a draft POK in a recent one. Retention moves the old period under a random
    reference without place or round, so no record left holds the pseudonym next to what names the place; the
    recent period stays in the student's index, and `student.erased` then removes every trace of the student."""
    prefix = "reporting-" + uuid.uuid4().hex[:6]
    region, student = "reg-" + uuid.uuid4().hex[:8], "stu_" + uuid.uuid4().hex
    recent, old_round, new_round = "2028-p9", "rnd-" + uuid.uuid4().hex[:8], "rnd-" + uuid.uuid4().hex[:8]
    service = bootstrap(settings_for(kafka_bootstrap, redis_url), key_prefix=prefix, registry=None,
                        publisher=FakePublisher(), clock=lambda: datetime(2029, 1, 1, tzinfo=UTC))
    try:
        deps = service.deps
        for period, round_id, place, released in ((PERIOD, old_round, "plc-m-01", "2027-01-10T00:00:00+00:00"),
                                                   (recent, new_round, "plc-n-02", "2028-12-20T00:00:00+00:00")):
            deps.projections.put_wish(str(uuid.uuid4()), region, period, WishFact(
                student, "sch-alfa", "zorg", 3, submitted_at="2026-12-01T10:11:12+00:00"))
            deps.projections.put_round_meta(str(uuid.uuid4()), round_id, {"kind": "initial", "period_id": period})
            outcome = {"school_id": "sch-alfa", "status": "placed", "organisation_id": "org-m", "place_id": place}
            deps.projections.add_released_part(str(uuid.uuid4()), round_id, region, period, released, 0, 1,
                                               {student: json.dumps(outcome)})
        ended = Pok(pok_id_of(region, PERIOD, student), region, PERIOD, student, "sch-alfa", "org-m", "plc-m-01",
                    old_round, "2027-01-20T09:00:00+00:00", status="ended", hours=400,
                    updated_at="2027-06-30T12:00:00+00:00")
        deps.aftercare.save_pok(ended, PokPeople(None, "Petra Jansen"))
        deps.views.add_contact_moment(region, PERIOD, student, ContactMoment(
            "2027-03-01", "on_site", "school_staff", place_id="plc-m-01"), False)
        draft = Pok(pok_id_of(region, recent, student), region, recent, student, "sch-alfa", "org-m", "plc-n-02",
                    new_round, "2028-12-21T09:00:00+00:00", updated_at="2028-12-21T09:00:00+00:00")
        deps.aftercare.save_pok(draft, PokPeople(None, "Jan de Vries"))

        assert apply_retention(deps) == 1
        index, poks = f"{prefix}:student:{student}:periods".encode(), f"{prefix}:aftercare:poks:{region}".encode()
        left = {k for k in redis_client.scan_iter(f"{prefix}:*")
                if student.encode() in k + (redis_client.dump(k) or b"")}
        assert left and all(recent.encode() in k or new_round.encode() in k or k in (index, poks) for k in left), \
            " ".join(k.decode() for k in left)
        assert all(recent.encode() in m for m in redis_client.smembers(poks) if student.encode() in m)
        assert redis_client.smembers(index) == {f"{region}|{recent}".encode()}
        [anonymous] = [pok for pok in deps.aftercare.poks(region) if pok.period_id == PERIOD]
        assert anonymous.student_ref.startswith("anon-") and (anonymous.place_id, anonymous.round_id) == ("", "")
        moved = deps.views.placement(region, PERIOD, anonymous.student_ref)
        assert (moved.place_id, moved.round_id, moved.released_at, moved.organisation_id) == (None, None, None,
                                                                                              "org-m")
        assert deps.views.wish(region, PERIOD, anonymous.student_ref).submitted_at is None
        old_period = b" ".join(k + b" " + (redis_client.dump(k) or b"") for k in redis_client.scan_iter(f"{prefix}:*")
                               if PERIOD.encode() in k or old_round.encode() in k)
        assert old_period and student.encode() not in old_period and b"plc-m-01" not in old_period
        assert len(deps.views.snapshot(region, PERIOD, {}).contacts) == 1  # the figures still count the student

        moved_on = Pok(pok_id_of(region, recent, student, "evt-q"), region, recent, student, "sch-alfa", "org-q",
                       "plc-q-03", new_round, "2028-12-28T09:00:00+00:00")
        assert deps.aftercare.create_pok("evt-q", moved_on)  # accepted elsewhere: the draft goes to the history
        assert [p.pok_id for p in deps.aftercare.pok_history(region, recent, student)] == [draft.pok_id]
        assert deps.aftercare.pok_people(draft.pok_id).supervisor_name == "Jan de Vries"
        assert deps.aftercare.pok(region, recent, student) == moved_on

        handle(new_envelope("student.erased", StudentErased(student, "sch-alfa", region), producer="test",
                            partition_key=region), deps)
        everything = b" ".join(k + b" " + (redis_client.dump(k) or b"") for k in redis_client.scan_iter(f"{prefix}:*"))
        for secret in (student.encode(), draft.pok_id.encode(), b"Jan de Vries", b"Petra"):
            assert secret not in everything, secret
    finally:
        service.close()


def test_evaluations_on_real_redis_reach_the_period_report_and_the_signals(kafka_bootstrap, redis_url,
                                                                           redis_client):
    """Issue 20.5 on real Redis: five students and their school evaluate placements that started, through the
    API; a placement that never started is a 422 that stores nothing; the coordinator's CSV report carries the
    response per evaluator, and the students' discrimination during the placement escalates the organisation."""
    prefix = "reporting-" + uuid.uuid4().hex[:6]
    region = "reg-" + uuid.uuid4().hex[:8]
    near_the_end = datetime(2027, 6, 20, 9, 0, tzinfo=UTC)  # the placements end on 2027-06-30: evaluation is open
    service = bootstrap(settings_for(kafka_bootstrap, redis_url), key_prefix=prefix, registry=None,
                        publisher=FakePublisher(), clock=lambda: near_the_end)
    try:
        client, refs = service.app().test_client(), ["stu_" + uuid.uuid4().hex for _ in range(6)]
        for n, ref in enumerate(refs):
            service.deps.aftercare.save_pok(Pok(
                pok_id_of(region, PERIOD, ref), region, PERIOD, ref, "sch-alfa", "org-m", "plc-m-01", "rnd-1",
                "2027-01-20T09:00:00+00:00", "active" if n < 5 else "signed", "2027-02-01", "2027-06-30", 400))
        redis_client.sadd(f"{prefix}:periods", f"{region}|{PERIOD}")

        def auth(role: str, scope: str) -> dict[str, str]:
            return {"Authorization": "Bearer " + service.tokens.issue(f"usr-{scope}", role, scope, region_id=region)}

        body, school = {"period_id": PERIOD, "satisfaction": 4, "would_again": True}, auth("school_staff", "sch-alfa")
        for ref in refs[:5]:
            url = f"/api/v1/followup/placements/{ref}/evaluation"
            own = client.post(url, json={**body, "discrimination_during": True}, headers=auth("student", ref))
            assert own.status_code == 201 and client.post(url, json=body, headers=school).status_code == 201
        refused = client.post(f"/api/v1/followup/placements/{refs[5]}/evaluation", json=body, headers=school)
        assert refused.status_code == 422 and list(refused.get_json()["fields"]) == ["placement"]
        stored = b" ".join(redis_client.dump(k) or b"" for k in redis_client.scan_iter(f"{prefix}:p:*:evaluations"))
        assert refs[0].encode() in stored and refs[5].encode() not in stored

        coordinator = auth("regional_coordinator", region)
        report = client.get(f"/api/v1/reports/{region}/{PERIOD}.csv", headers=coordinator)
        shown = {(line["key"], line["column"]): line["value"] for line in csv.DictReader(io.StringIO(report.text))
                 if line["section"] == "evaluation_response"}
        assert shown[("student", "response_share")] == "100.0%" and shown[("school", "evaluated")] == "5"
        assert shown[("organisation", "response_share")] == "0.0%"
        [signal] = client.get("/api/v1/signals", headers=coordinator).get_json()["organisations"]
        assert signal["organisation_id"] == "org-m" and signal["discrimination_in_evaluations"] == "5"
        assert signal["escalated"]
        assert service.deps.projections.erase_student("evt-erase-" + refs[0], refs[0])  # student.erased
        stored = b" ".join(redis_client.dump(k) or b"" for k in redis_client.scan_iter(f"{prefix}:p:*:evaluations"))
        assert refs[0].encode() not in stored and refs[1].encode() in stored  # the school's evaluation too
    finally:
        service.close()
