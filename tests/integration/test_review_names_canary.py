"""The canary on the review page's path for names (issue 14.6), on the real broker and Redis with intake as a
real HTTP server: a student's name that the matcher's review page shows (asked of intake over the
authenticated internal call) appears in no Kafka topic, no log line, no metric and no matcher Redis key; and
the look-ups of the coordinator's pages (schools by name, a student by number: issue 14.16, 14.10) answer the
matcher and reporting no student name at all; and the printed placement agreement (issue 20.1), whose student
name reporting asks of intake the same way, shows it to the POK's three parties only and keeps it nowhere."""

from __future__ import annotations

import copy
import json
import logging
import uuid
from datetime import date
from typing import Any, Iterator

import pytest
import requests

from intake.bootstrap import bootstrap as intake_bootstrap
from intake.config import Settings as IntakeSettings
from matcher import commands, handlers
from matcher.bootstrap import bootstrap as matcher_bootstrap
from matcher.config import Settings as MatcherSettings
from matcher.errors import StudentNamesUnavailable
from stagepool_shared import kafka, registry, topics
from stagepool_shared.auth import Principal, TokenStore
from stagepool_shared.runtime import BackgroundServer
from stagepool_shared.testing.canaries import stored_bytes
from stagepool_shared.web.accounts import Accounts

pytestmark = pytest.mark.integration

WISH = {"sector": "zorg", "crebo": "25491", "level": 3, "study_year": 1, "pathway": "bol",
        "home": {"postcode": "9711 AB"}, "max_travel_minutes": 45, "transport_mode": "bike"}
PLACE = {"organisation_name": "Zorggroep Kanarie", "sector": "zorg", "org_type": "vvt",
         "location": {"postcode": "9711"}, "address": "Kanarieweg 1, Groningen", "crebos": ["25491"],
         "levels": [3], "slots": 1, "supervision_capacity": 1}


@pytest.fixture
def world(kafka_bootstrap: str, redis_url: str) -> Iterator[dict[str, Any]]:
    """Intake (real HTTP) and a matcher wired from its settings to ask that intake, in a region of their own."""
    kafka.ensure_topics(kafka_bootstrap)
    tag = uuid.uuid4().hex[:10]
    region, period, school = f"r-cn-{tag}", f"p-cn-{tag}", f"sch-cn-{tag}"
    intake = intake_bootstrap(IntakeSettings.from_env({
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url, "PUBLISH_TIMEOUT_S": "5",
        "INTAKE_PSEUDONYM_SECRET": "integration-secret-" + tag}), key_prefix=f"it-{tag}")
    server = BackgroundServer(intake.app()).start()
    tokens = TokenStore(intake.redis_client)
    service_token = tokens.issue("svc-matcher", "service", "matcher")
    matcher = matcher_bootstrap(MatcherSettings.from_env({
        "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url, "PUBLISH_TIMEOUT_S": "5",
        "INTAKE_URL": server.url, "MATCHER_SERVICE_TOKEN": service_token, "STAGEPOOL_ENV": "dev"}))
    headers = {who: {"Authorization": "Bearer " + tokens.issue(f"u-{who}", role, scope, region_id=region)}
               for who, role, scope in (("coord", "regional_coordinator", region), ("school", "school_staff", school),
                                        ("org", "organisation_staff", f"org-cn-{tag}"))}
    period_body = {"period_id": period, "name": "Kanarie", "starts_on": "2031-02-01", "ends_on": "2031-06-30",
                   "sectors": ["zorg"]}
    assert requests.put(f"{server.url}/api/v1/periods/{period}", json=period_body, headers=headers["coord"],
                        timeout=30).status_code == 200
    yield {"intake": server.url, "matcher": matcher, "headers": headers, "region": region, "period": period,
           "school": school, "redis": intake.redis_client, "bootstrap": kafka_bootstrap, "tokens": tokens}
    server.stop()
    matcher.close()
    intake.close()


def post_student(world: dict[str, Any], number: str, name: str, who: str = "school") -> str:
    student = {"student_number": number, "name": name, "email": f"{number.lower()}@example.org",
               "date_of_birth": "2009-03-15"}
    wish = {**copy.deepcopy(WISH), "period_id": world["period"]}
    posted = requests.post(f"{world['intake']}/api/v1/wishes", json={"student": student, "wish": wish},
                           headers=world["headers"][who], timeout=30)
    assert posted.status_code == 202, posted.text
    return posted.json()["student_ref"]


def apply_logged(world: dict[str, Any], event_ids: set[str]) -> None:
    """Hand the matcher the events intake logged (as its consumer would)."""
    for message in kafka.read_log(world["bootstrap"], (topics.WISHES, topics.PLACES)):
        if message.value and any(e.encode() in message.value for e in event_ids):
            handlers.handle(registry.decode(message.value), world["matcher"].deps)


def matcher_values(client) -> bytes:
    """Everything the matcher keeps in Redis, as one blob."""
    out = []
    for key in client.scan_iter("matcher:*", count=1000):
        kind = client.type(key)
        if kind == b"hash":
            out.extend(client.hvals(key))
        elif kind == b"string":
            out.append(client.get(key) or b"")
        elif kind == b"list":
            out.extend(client.lrange(key, 0, -1))
        elif kind in (b"set", b"zset"):
            out.extend(client.smembers(key) if kind == b"set" else client.zrange(key, 0, -1))
        out.append(key)
    return b"\n".join(out)


def test_a_name_shown_on_the_review_page_is_in_no_topic_log_metric_or_matcher_key(world, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    tag = uuid.uuid4().hex[:8]
    name, number = f"CANARY-{tag} Kwibus", f"CN{tag}"
    student = {"student_number": number, "name": name, "email": f"canary-{tag}@example.org",
               "date_of_birth": "2009-03-15", "phone": "0612345678", "address": "Kanariestraat 1"}
    wish = {**copy.deepcopy(WISH), "period_id": world["period"]}
    posted = requests.post(f"{world['intake']}/api/v1/wishes", json={"student": student, "wish": wish},
                           headers=world["headers"]["school"], timeout=30)
    assert posted.status_code == 202, posted.text
    place = requests.post(f"{world['intake']}/api/v1/places", json={**PLACE, "period_id": world["period"]},
                          headers=world["headers"]["org"], timeout=30)
    assert place.status_code == 202, place.text
    apply_logged(world, {posted.json()["event_id"], place.json()["event_id"]})

    deps = world["matcher"].deps
    coordinator = Principal("u-coord", "regional_coordinator", world["region"], world["region"])
    round_id = commands.request_round(deps, coordinator, world["region"], world["period"], "initial", seed=3)
    [requested] = [registry.decode(m.value) for m in kafka.read_log(world["bootstrap"], (topics.ROUNDS,))
                   if m.value and round_id.encode() in m.value and b"round.requested" in m.value]
    handlers.handle(requested, deps)
    assert deps.store.get_round(round_id).status == "proposed"

    staff = Principal("u-staff", "school_staff", world["school"], world["region"])
    session = Accounts(world["redis"]).start_session(staff)
    client = world["matcher"].app().test_client()
    client.set_cookie("sp_session", session.session_id)
    page = client.get("/pages/review").get_data(as_text=True)
    assert name in page and number in page and "Zorggroep Kanarie" in page

    everything = topics.ALL_TOPICS + topics.ALL_DLQ_TOPICS
    for canary in (name, number):
        assert not [m for m in kafka.read_log(world["bootstrap"], everything)
                    if m.value and canary.encode() in m.value]
        assert canary not in caplog.text
        assert canary.encode() not in matcher_values(world["redis"])
        assert canary not in client.get("/metrics").get_data(as_text=True)
        assert canary not in requests.get(f"{world['intake']}/metrics", timeout=30).text
    out, err = capfd.readouterr()
    assert name not in out + err


def test_intake_answers_the_matcher_over_http_only_for_the_asked_school_s_own_students(world):
    world["headers"]["other"] = {"Authorization": "Bearer " + world["tokens"].issue(
        "u-other", "school_staff", world["school"] + "-b", region_id=world["region"])}
    own = post_student(world, "OWN1", "Eigen Student")
    foreign = post_student(world, "OTHER1", "Andere Student", who="other")
    directory = world["matcher"].deps.directory
    names = directory.names(world["school"], [own, "stu_" + "0" * 32])
    assert [(n.name, n.student_number) for n in names.values()] == [("Eigen Student", "OWN1")]
    with pytest.raises(StudentNamesUnavailable):
        directory.names(world["school"], [own, foreign])
    notifier = world["tokens"].issue("svc-n", "service", "notifier")
    refused = requests.post(f"{world['intake']}/internal/v1/schools/{world['school']}/student-names",
                            json={"student_refs": [own]}, headers={"Authorization": "Bearer " + notifier}, timeout=30)
    assert refused.status_code == 403 and "Eigen Student" not in refused.text


def test_school_names_and_the_search_by_number_carry_no_student_name_to_the_matcher_or_reporting(
        world, caplog, capfd):
    """Issue 14.16 and 14.10: the routes the coordinator's pages ask answer a school's name and a pseudonym,
    never the canary student's name or e-mail, and neither lands in a topic, a log line or a metric."""
    from cryptography.fernet import Fernet

    from reporting.bootstrap import bootstrap as reporting_bootstrap
    from reporting.config import Settings as ReportingSettings

    caplog.set_level(logging.DEBUG)
    tag = uuid.uuid4().hex[:8]
    name, number, school, region = f"CANARY-{tag} Kwibus", f"CN{tag}", world["school"], world["region"]
    ref = post_student(world, number, name)
    registration = {"school_id": school, "name": "ROC Kanarie", "contact_email": "stage@kanarie.example"}
    registered = requests.put(f"{world['intake']}/api/v1/schools/{school}", headers=world["headers"]["coord"],
                              json=registration, timeout=30)
    assert registered.status_code == 200, registered.text
    assert commands.school_names(world["matcher"].deps, [school, "sch-onbekend"]) == {
        school: "ROC Kanarie", "sch-onbekend": "sch-onbekend"}

    token = world["tokens"].issue("svc-reporting", "service", "reporting")
    reporting = reporting_bootstrap(ReportingSettings.from_env({
        "KAFKA_BOOTSTRAP_SERVERS": world["bootstrap"], "REDIS_URL": "redis://127.0.0.1:9/0", "STAGEPOOL_ENV": "dev",
        "REPORTING_DESK_KEY": Fernet.generate_key().decode(), "INTAKE_URL": world["intake"],
        "REPORTING_SERVICE_TOKEN": token}), registry=None)
    lookups = reporting.deps.lookups
    assert lookups.school_names([school]) == {school: "ROC Kanarie"}
    assert lookups.student_ref(region, school, number) == ref
    assert lookups.student_ref(region, school, "CN-none") is None
    assert lookups.student_ref("r-other", school, number) is None

    bearer = {"Authorization": "Bearer " + token}
    answers = [requests.post(f"{world['intake']}/internal/v1/student-refs", headers=bearer, timeout=30,
                             json={"region_id": region, "school_id": school, "student_number": number}),
               requests.get(f"{world['intake']}/internal/v1/school-names", params={"school_id": school},
                            headers=bearer, timeout=30)]
    assert [a.status_code for a in answers] == [200, 200]
    for answer in answers:
        assert name not in answer.text and "@example.org" not in answer.text
    matcher_token = {"Authorization": "Bearer " + world["tokens"].issue("svc-m2", "service", "matcher")}
    assert requests.post(f"{world['intake']}/internal/v1/student-refs", headers=matcher_token, timeout=30,
                         json={"region_id": region, "school_id": school, "student_number": number}).status_code == 403

    everything = topics.ALL_TOPICS + topics.ALL_DLQ_TOPICS
    assert not [m for m in kafka.read_log(world["bootstrap"], everything) if m.value and name.encode() in m.value]
    for canary in (name, number):
        assert canary not in caplog.text
        assert canary not in requests.get(f"{world['intake']}/metrics", timeout=30).text
    out, err = capfd.readouterr()
    assert name not in out + err and number not in out + err
    reporting.close()


def test_a_name_on_the_printed_pok_is_shown_to_its_three_parties_and_kept_nowhere(world, redis_url, caplog, capfd):
    """Issue 20.1's path for names: reporting asks intake (real HTTP, reporting's service token) for the
    student's name on the printed placement agreement. The canary name shows on the POK page for the student,
    the school's staff and the organisation's staff, not for anyone else; after the POK was filled, sent and
    signed (`agreement.status_changed` on the real broker) the name, the supervisor's and the school contact's
    are in no Kafka topic, no log line, no metric and in no reporting Redis value in clear."""
    from cryptography.fernet import Fernet
    from prometheus_client import CollectorRegistry, generate_latest

    from reporting.bootstrap import bootstrap as reporting_bootstrap
    from reporting.commands import aftercare
    from reporting.config import Settings as ReportingSettings
    from stagepool_shared.events.placements import PlacementAccepted

    caplog.set_level(logging.DEBUG)
    tag = uuid.uuid4().hex[:8]
    name, supervisor, contact = f"CANARY-{tag} Kwibus", f"SUPERVISOR-{tag} Mus", f"CONTACT-{tag} Vink"
    ref, school = post_student(world, f"CP{tag}", name), world["school"]
    region, period = world["region"], world["period"]
    prefix, registry = f"rp-cn-{tag}", CollectorRegistry()
    reporting = reporting_bootstrap(ReportingSettings.from_env({
        "KAFKA_BOOTSTRAP_SERVERS": world["bootstrap"], "REDIS_URL": redis_url, "STAGEPOOL_ENV": "dev",
        "PUBLISH_TIMEOUT_S": "10", "REPORTING_DESK_KEY": Fernet.generate_key().decode(),
        "INTAKE_URL": world["intake"], "REPORTING_SERVICE_TOKEN": world["tokens"].issue("svc-rp", "service",
                                                                                         "reporting")}),
        key_prefix=prefix, registry=registry)
    try:
        deps, org = reporting.deps, f"org-cn-{tag}"
        accepted = PlacementAccepted(f"rnd-cn-{tag}", region, ref, school, f"plc-cn-{tag}", org)
        placed = {"school_id": school, "status": "placed", "wish_match": 1.0, "reason_code": None,
                  "organisation_id": org, "place_id": accepted.place_id, "named_places": []}
        deps.projections.add_released_part(f"rel-{tag}", accepted.round_id, region, period,
                                           "2031-01-10T09:00:00+00:00", 1, 1, {ref: json.dumps(placed)})
        assert aftercare.create_pok_draft(deps, f"evt-{tag}", accepted, period)
        parties = {"student": Principal(f"u-{ref}", "student", ref, region),
                   "school": Principal("u-staff", "school_staff", school, region),
                   "organisation": Principal("u-org", "organisation_staff", org, region)}
        aftercare.set_school_contact(deps, parties["school"], org, contact, f"contact-{tag}@kanarie.example")
        aftercare.fill_pok(deps, parties["school"], period, ref, date(2031, 2, 1), date(2031, 6, 30), 400, supervisor)
        aftercare.send_pok(deps, parties["school"], period, ref)
        for principal in parties.values():
            aftercare.sign_pok(deps, principal, period, ref)

        app, accounts = reporting.app(), Accounts(world["redis"])
        page = f"/pages/aftercare/{period}/{ref}"
        for principal in parties.values():
            client = app.test_client()
            client.set_cookie("sp_session", accounts.start_session(principal).session_id)
            shown = client.get(page)
            assert shown.status_code == 200 and name in shown.get_data(as_text=True), principal.role
        for outsider in (Principal("u-x", "school_staff", school + "-b", region),
                         Principal("u-y", "organisation_staff", org + "-b", region)):
            client = app.test_client()
            client.set_cookie("sp_session", accounts.start_session(outsider).session_id)
            refused = client.get(page)
            assert refused.status_code == 404 and name not in refused.get_data(as_text=True)

        logged = [m.value for m in kafka.read_log(world["bootstrap"], topics.ALL_TOPICS + topics.ALL_DLQ_TOPICS)
                  if m.value]
        assert any(ref.encode() in value and b"agreement.status_changed" in value for value in logged)
        stored = stored_bytes(world["redis"], f"{prefix}:*")
        assert ref.encode() in stored  # the scan reads reporting's records
        metrics = generate_latest(registry).decode() + app.test_client().get("/metrics").get_data(as_text=True)
        out, err = capfd.readouterr()
        for canary in (name, supervisor, contact, f"CP{tag}"):
            assert not [value for value in logged if canary.encode() in value], canary
            assert canary not in caplog.text and canary not in out + err, canary
            assert canary not in metrics and canary.encode() not in stored, canary
            assert canary not in requests.get(f"{world['intake']}/metrics", timeout=30).text
    finally:
        reporting.close()

