"""Issue 20.4 on real Kafka, Redis, HTTP and SMTP: reporting's reminder step opens a reminder before a planned
contact moment and publishes `contact.task_opened` (ids only: no name, no address on Kafka); the notifier
consumes it, asks reporting's internal API (real HTTP, the notifier's service token) for the school's contact
for the organisation, and e-mails that contact once. Issue 20.5 on the same path: when the end evaluation opens,
the same worker step publishes `evaluation.opened` (ids only) and the notifier invites the student, the
organisation's contact for the place and the school, each once."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, date, datetime, time

import pytest

from notifier.adapters.directory import InMemoryDirectory
from notifier.bootstrap import bootstrap as notifier_bootstrap
from notifier.config import Settings as NotifierSettings
from notifier.domain.model import Contact
from reporting.bootstrap import bootstrap
from reporting.commands.aftercare import set_school_contact
from reporting.commands.followup import add_contact
from stagepool_shared import registry, topics
from stagepool_shared.auth import Principal, TokenStore
from stagepool_shared.kafka import ConsumerOptions, ensure_topics, read_log
from stagepool_shared.runtime import BackgroundServer
from stagepool_shared.testing import wait_until
from tests.fakes.notifier import smtp_server
from tests.fakes.reporting import settings_for

from test_reporting_metrics import PERIOD, placed_with_active_pok

pytestmark = pytest.mark.integration


def test_a_contact_reminder_and_later_the_evaluation_invitations_reach_their_addressees_by_e_mail(
        kafka_bootstrap, redis_url):
    ensure_topics(kafka_bootstrap)
    tag = uuid.uuid4().hex[:8]
    region = f"reg-ct-{tag}"
    now = {"at": datetime(2027, 2, 2, 9, tzinfo=UTC)}
    reporting = bootstrap(settings_for(kafka_bootstrap, redis_url), key_prefix=f"rp-ct-{tag}", registry=None,
                          clock=lambda: now["at"])
    server = BackgroundServer(reporting.app()).start()
    stop = threading.Event()
    with smtp_server() as (inbox, port):
        try:
            student, fact = placed_with_active_pok(reporting.deps, region)
            school = Principal("usr-bpv", "school_staff", fact.school_id, region_id=region)
            set_school_contact(reporting.deps, school, fact.organisation_id, "Karin Bos", f"k.bos.{tag}@alfa.example")
            for day, kind in (("2027-02-01", "on_site"), ("2027-02-02", "phone")):
                add_contact(reporting.deps, school, PERIOD, student, day, kind, False, False)
            add_contact(reporting.deps, school, PERIOD, student, "2027-02-20", "school", False, False)  # planned

            token = TokenStore(reporting.client).issue("svc-notifier", "service", "notifier")
            notifier = notifier_bootstrap(NotifierSettings.from_env({
                "KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url, "INTAKE_URL": "http://127.0.0.1:9",
                "NOTIFIER_SERVICE_TOKEN": token, "NOTIFIER_WEBHOOK_SECRET": "hook-secret", "STAGEPOOL_ENV": "dev",
                "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "NOTIFIER_KEY_PREFIX": f"nt-ct-{tag}",
                "NOTIFIER_CONSUMER_GROUP": f"test-notifier-ct-{tag}", "NOTIFIER_TOPICS": topics.PLACEMENTS,
                "REPORTING_URL": server.url, "REPORTING_PUBLIC_URL": "https://reporting.example"}),
                directory=InMemoryDirectory(
                    students={student: Contact(name="Anna", email=f"anna.{tag}@student.example")},
                    schools={fact.school_id: Contact(name="Alfa", email=f"stage.{tag}@alfa.example")},
                    places={fact.place_id: Contact(name="Petra", email=f"petra.{tag}@org.example")}))
            loop = notifier.consumer(stop, ConsumerOptions(poll_timeout_ms=100))
            threading.Thread(target=loop.run, daemon=True).start()

            now["at"] = datetime.combine(date(2027, 2, 18), time(9), UTC)  # two days before the planned moment
            step = next(w for w in reporting.workers() if w.name == "contact-reminders").step
            assert step() == 1 and step() == 0
            [task] = reporting.deps.aftercare.tasks(region, fact.school_id)
            assert (task.kind, task.reason_code) == ("contact_reminder", "contact_due")

            [message] = wait_until(lambda: inbox.to(f"k.bos.{tag}@alfa.example"), timeout=60,
                                   message="the school's contact was never e-mailed")
            assert message["Subject"].startswith("Herinnering: contactmoment stage")
            assert f"/pages/aftercare/tasks/{task.task_id}" in message.get_payload(decode=True).decode()
            raw = [m.value for m in read_log(kafka_bootstrap, [topics.PLACEMENTS])
                   if task.task_id.encode() in (m.value or b"")]
            assert registry.decode(raw[0]).event_type == "contact.task_opened"
            assert b"Karin" not in raw[0] and b"alfa.example" not in raw[0]

            now["at"] = datetime.combine(date(2027, 5, 17), time(9), UTC)  # 14 days before the end: it opens
            step()
            step()  # once: the POK is remembered as announced
            for address in (f"anna.{tag}@student.example", f"petra.{tag}@org.example", f"stage.{tag}@alfa.example"):
                [invite] = wait_until(lambda: invites(inbox, address), timeout=60, message=f"{address} not invited")
                assert f"/pages/aftercare/{PERIOD}/{student}" in invite.get_payload(decode=True).decode()
            opened = [registry.decode(m.value) for m in read_log(kafka_bootstrap, [topics.PLACEMENTS])
                      if m.key == region.encode() and b"evaluation.opened" in (m.value or b"")]
            assert [e.payload.student_ref for e in opened] == [student]
            assert not any(name in m.value for m in read_log(kafka_bootstrap, [topics.PLACEMENTS])
                           if m.key == region.encode() for name in (b"Anna", b"Petra", b"example"))
        finally:
            stop.set()
            server.stop()
            reporting.close()


def invites(inbox, address: str) -> list:  # noqa: ANN001
    """The evaluation invitations e-mailed to `address` (the school's address also gets the escalations)."""
    return [m for m in inbox.to(address) if "valuat" in m["Subject"]]
