"""Placement follow-up on real Kafka and Redis: a rejection after the introduction talk is published as
placement.failed, counted, and escalates the organisation for the coordinator; contact moments are
registered and missing ones flagged; outsiders get 404.
"""

from __future__ import annotations

import uuid

import pytest

from reporting.bootstrap import bootstrap
from reporting.handlers import handle
from stagepool_shared import registry, topics
from stagepool_shared.kafka import ensure_topics, read_log
from tests.fakes.reporting import settings_for

from test_reporting_metrics import PERIOD, placed_with_active_pok, round_events, students

pytestmark = pytest.mark.integration


def test_a_rejection_after_introduction_is_published_counted_and_escalated(kafka_bootstrap, redis_url, redis_client):
    ensure_topics(kafka_bootstrap)
    region = "reg-" + uuid.uuid4().hex[:8]
    service = bootstrap(settings_for(kafka_bootstrap, redis_url, threshold=1), registry=None)
    try:
        wish_list = students(region)
        for event in round_events(region, wish_list):
            handle(event, service.deps)
        student = wish_list[0].student_ref
        client = service.app().test_client()
        issue = service.tokens.issue
        org = {"Authorization": "Bearer " + issue("usr-org", "organisation_staff", "org-m", region)}
        other = {"Authorization": "Bearer " + issue("usr-x", "organisation_staff", "org-x", region)}
        school = {"Authorization": "Bearer " + issue("usr-bpv", "school_staff", "sch-alfa", region)}
        coordinator = {"Authorization": "Bearer " + issue("usr-c", "regional_coordinator", region, region)}

        url = f"/api/v1/followup/placements/{student}/not-suitable"
        assert client.post(url, json={"period_id": PERIOD}, headers=org).status_code == 422
        assert client.post(url, json={"period_id": PERIOD, "reason_code": "not_suitable"},
                           headers=other).status_code == 404
        flagged = client.post(url, json={"period_id": PERIOD, "reason_code": "rejected_after_introduction",
                                         "after_introduction": True}, headers=org)
        assert flagged.status_code == 202 and flagged.get_json()["follow_up"] is True
        event_id = flagged.get_json()["event_id"]
        [message] = [m for m in read_log(kafka_bootstrap, [topics.PLACEMENTS]) if event_id.encode() in (m.value or b"")]
        failed = registry.decode(message.value)
        assert (failed.payload.student_ref, failed.payload.after_introduction) == (student, True)

        handle(failed, service.deps)  # what the consumer does with it
        signals = client.get("/api/v1/signals", headers=coordinator).get_json()
        assert signals["escalated"] == 1
        assert signals["organisations"] == [{"organisation_id": "org-m", "rejections_after_introduction": "<5",
                                             "desk_reports": "<5", "discrimination_in_evaluations": "<5",
                                             "escalated": True}]
        assert client.get("/api/v1/signals", headers=org).status_code == 403
    finally:
        service.close()


def test_contact_moments_are_registered_and_missing_ones_flagged(kafka_bootstrap, redis_url, redis_client):
    region = "reg-" + uuid.uuid4().hex[:8]
    service = bootstrap(settings_for(kafka_bootstrap, redis_url), registry=None)
    try:
        wish_list = students(region)
        for event in round_events(region, wish_list):
            handle(event, service.deps)
        client = service.app().test_client()
        school = {"Authorization": "Bearer " + service.tokens.issue("usr-bpv", "school_staff", "sch-alfa", region)}
        student = wish_list[0].student_ref
        url = f"/api/v1/followup/placements/{student}/contacts"
        for day, kind in (("2027-02-01", "school"), ("2027-03-01", "online")):
            answer = client.post(url, json={"period_id": PERIOD, "date": day, "kind": kind}, headers=school)
            assert answer.status_code == 201
        assert answer.get_json() == {"contacts": 2, "on_site": 0, "compliant": False,
                                     "missing": ["contacts:1", "on_site"]}
        missing = client.get(f"/api/v1/followup/{PERIOD}/missing-contacts", headers=school).get_json()
        assert {"student_ref": student, "missing": ["contacts:1", "on_site"]} in missing["placements"]
        assert len(missing["placements"]) == 6  # every sch-alfa placement still misses contacts
        assert client.post(url, json={"period_id": PERIOD, "date": "2027-04-01", "kind": "on_site"},
                           headers=school).get_json()["compliant"] is True
    finally:
        service.close()


def test_contact_reminders_fire_once_on_one_of_two_instances_under_the_lease(kafka_bootstrap, redis_url):
    """Issue 20.4 on real Redis: two reporting instances share the `contact-reminders` lease; the one holding it
    opens the reminder before the mid-point once, the other does nothing meanwhile."""
    from datetime import UTC, date, datetime, time, timedelta

    from reporting.domain.contact_plan import checkpoints

    ensure_topics(kafka_bootstrap)  # the reminder is published as contact.task_opened
    region, prefix = "reg-" + uuid.uuid4().hex[:8], "reporting-" + uuid.uuid4().hex[:6]
    now = {"at": datetime(2027, 2, 2, 9, tzinfo=UTC)}
    one, two = (bootstrap(settings_for(kafka_bootstrap, redis_url), key_prefix=prefix, registry=None,
                          clock=lambda: now["at"]) for _ in range(2))
    step = lambda wiring: next(w for w in wiring.workers() if w.name == "contact-reminders").step()  # noqa: E731
    try:
        student, fact = placed_with_active_pok(one.deps, region)
        assert step(one) == 0  # nothing due yet; instance one holds the lease from now on
        midpoint = checkpoints(date(2027, 2, 1), date(2027, 5, 31))[0][1]
        now["at"] = datetime.combine(midpoint - timedelta(days=2), time(9), UTC)
        assert step(two) == 0  # the lease is instance one's
        assert step(one) == 1 and step(one) == 0
        [task] = [t for t in one.deps.aftercare.tasks(region, fact.school_id) if t.student_ref == student]
        assert (task.kind, task.reason_code, task.status) == ("contact_reminder", "contact_midpoint", "open")
    finally:
        one.close()
        two.close()
