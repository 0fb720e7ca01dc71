"""Contact moments acted on (issue 20.4, R128-R132): a moment in the future marked held is a field error and
changes nothing; the school's contact is reminded before the mid-point and the end of the internship, a missed
checkpoint or planned moment escalates, each task once; a signal opens a task and, with the student's consent,
a desk report. Reporting built by its bootstrap over the doubles of tests/fakes/reporting.py."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, UTC

import pytest

from reporting.commands.contact_signals import remind_contacts
from reporting.commands.followup import add_contact
from reporting.domain.aftercare import Pok
from reporting.config import Settings
from reporting.domain.contact_plan import addressee, checkpoints
from reporting.domain.figures import PlacementFact
from reporting.errors import InvalidInput
from stagepool_shared.config import EnvReader
from tests.fakes import Clock, FakePublisher
from tests.fakes.reporting import (MARCH_1, ORG_PRINCIPAL, PERIOD, REGION, SCHOOL_PRINCIPAL, STUDENT,
                                   FakeAftercareStore, FakeDeskStore, FakeViews, bootstrap_with_doubles)

START, END = date(2027, 2, 1), date(2027, 5, 31)
MIDPOINT = checkpoints(START, END)[0][1]


@pytest.fixture
def world():
    views, store, desk, publisher, clock = FakeViews(), FakeAftercareStore(), FakeDeskStore(), FakePublisher(), \
        Clock(MARCH_1)
    views.placements[(REGION, PERIOD, STUDENT)] = PlacementFact(STUDENT, "sch-alfa", "placed", "top1", None, "rnd-1",
                                                                None, "org-umcg", "plc-umcg-01")
    store.save_pok(Pok("pok-1", REGION, PERIOD, STUDENT, "sch-alfa", "org-umcg", "plc-umcg-01", "rnd-1",
                       "2027-01-20T00:00:00+00:00", status="active", start_date=START.isoformat(),
                       end_date=END.isoformat(), hours=400), None)
    wiring = bootstrap_with_doubles(views=views, aftercare=store, desk_store=desk, publisher=publisher, clock=clock)
    return wiring, views, store, desk, publisher, clock


def on(clock: Clock, day: date) -> None:
    clock.now = datetime.combine(day, time(9), UTC)


def tasks(store: FakeAftercareStore) -> list[tuple[str, str]]:
    return sorted((t.kind, t.reason_code) for t in store.tasks(REGION, "sch-alfa"))


def test_a_contact_moment_in_the_future_marked_held_is_a_field_error_and_nothing_is_stored(world):
    wiring, views, store, *_ = world
    with pytest.raises(InvalidInput) as err:
        add_contact(wiring.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, "2027-03-02", "on_site", False, False, held=True)
    assert err.value.fields == {"held": ["contact_in_future_held"]}
    assert views.contact_moments(REGION, PERIOD, STUDENT) == []
    add_contact(wiring.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, "2027-03-01", "on_site", False, False, held=True)
    add_contact(wiring.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, "2027-03-20", "school", False, False)
    assert [m.held for m in views.contact_moments(REGION, PERIOD, STUDENT)] == [True, False]  # the later: planned


def test_the_api_answers_422_at_held(world):
    wiring, views, *_ = world
    token = wiring.tokens.issue("usr-bpv", "school_staff", "sch-alfa", region_id=REGION)
    answer = wiring.app().test_client().post(
        f"/api/v1/followup/placements/{STUDENT}/contacts?lang=en", headers={"Authorization": f"Bearer {token}"},
        json={"period_id": PERIOD, "date": "2027-04-01", "kind": "on_site", "held": True})
    assert answer.status_code == 422 and "held" in answer.get_json()["fields"]
    assert views.contact_moments(REGION, PERIOD, STUDENT) == []


def test_the_school_contact_is_reminded_before_the_mid_point_and_the_coordinator_after_it_once(world):
    wiring, views, store, _, _, clock = world
    on(clock, MIDPOINT - timedelta(days=10))
    assert remind_contacts(wiring.deps) == 0  # not yet
    on(clock, MIDPOINT - timedelta(days=3))
    assert remind_contacts(wiring.deps) == 1
    assert tasks(store) == [("contact_reminder", "contact_midpoint")]
    assert remind_contacts(wiring.deps) == 0  # fires once
    on(clock, MIDPOINT + timedelta(days=1))
    assert remind_contacts(wiring.deps) == 1
    assert tasks(store) == [("contact_escalation", "contact_midpoint"), ("contact_reminder", "contact_midpoint")]
    assert remind_contacts(wiring.deps) == 0


def test_a_placement_that_meets_the_rule_gets_no_reminder(world):
    wiring, views, store, _, _, clock = world
    for day, kind in (("2027-02-10", "on_site"), ("2027-02-20", "phone"), ("2027-02-27", "school")):
        add_contact(wiring.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, day, kind, False, False)
    on(clock, END - timedelta(days=2))
    assert remind_contacts(wiring.deps) == 0 and tasks(store) == []


def test_a_planned_moment_whose_day_passed_unheld_escalates(world):
    wiring, views, store, _, _, clock = world
    for day, kind in (("2027-02-10", "on_site"), ("2027-02-20", "phone")):
        add_contact(wiring.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, day, kind, False, False)
    add_contact(wiring.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, "2027-03-05", "school", False, False)  # planned
    on(clock, date(2027, 3, 5))
    assert remind_contacts(wiring.deps) == 1 and tasks(store) == [("contact_reminder", "contact_due")]
    on(clock, date(2027, 3, 6))
    assert remind_contacts(wiring.deps) == 1
    assert tasks(store) == [("contact_missed", "contact_missed"), ("contact_reminder", "contact_due")]
    assert addressee("contact_missed") == "school_coordinator"  # the escalation goes to the coordinator


def test_each_planned_moment_is_reminded_the_lead_before_its_day_once(world):
    wiring, views, store, _, _, clock = world
    for day, kind in (("2027-02-10", "on_site"), ("2027-02-20", "phone")):
        add_contact(wiring.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, day, kind, False, False)
    for day in ("2027-03-10", "2027-03-20"):
        add_contact(wiring.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, day, "school", False, False)  # planned
    on(clock, date(2027, 3, 6))
    assert remind_contacts(wiring.deps) == 0  # four days before: not yet (the lead is three days)
    on(clock, date(2027, 3, 7))
    assert remind_contacts(wiring.deps) == 1 and remind_contacts(wiring.deps) == 0  # once
    on(clock, date(2027, 3, 18))
    assert remind_contacts(wiring.deps) == 2  # the reminder of 20 March, and 10 March missed
    reminders = [t for t in store.tasks(REGION, "sch-alfa") if t.reason_code == "contact_due"]
    assert len(reminders) == 2 and {addressee(t.kind) for t in reminders} == {"school_contact"}


def test_the_lead_is_a_setting(world):
    wiring, views, store, _, _, clock = world
    wiring.deps.contact_remind_days = 10
    for day, kind in (("2027-02-10", "on_site"), ("2027-02-20", "phone")):
        add_contact(wiring.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, day, kind, False, False)
    add_contact(wiring.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, "2027-03-20", "school", False, False)
    on(clock, date(2027, 3, 10))
    assert remind_contacts(wiring.deps) == 1 and tasks(store) == [("contact_reminder", "contact_due")]
    assert Settings.read(EnvReader({"REPORTING_CONTACT_REMIND_DAYS": "5"}), None).contact_remind_days == 5


def test_a_signal_opens_a_task_and_with_the_student_s_consent_a_desk_report(world):
    wiring, views, store, desk, publisher, _ = world
    add_contact(wiring.deps, ORG_PRINCIPAL, PERIOD, STUDENT, "2027-02-25", "on_site", True, False)
    assert tasks(store) == [("contact_signal", "contact_signal")] and desk.cases(REGION) == []
    add_contact(wiring.deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, "2027-02-28", "school", True, False,
                desk_referral=True)
    [case] = desk.cases(REGION)
    assert case.organisation_id == "org-umcg" and case.school_id == "sch-alfa"
    assert publisher.events("desk.report_filed") and len(tasks(store)) == 2


def test_only_a_held_signal_of_school_staff_is_referred_to_the_desk(world):
    wiring, views, store, desk, *_ = world
    for principal, day, signal in ((ORG_PRINCIPAL, "2027-02-25", True), (SCHOOL_PRINCIPAL, "2027-02-25", False),
                                   (SCHOOL_PRINCIPAL, "2027-03-09", True)):
        with pytest.raises(InvalidInput) as err:
            add_contact(wiring.deps, principal, PERIOD, STUDENT, day, "on_site", signal, False, desk_referral=True)
        assert "desk_referral" in err.value.fields
    assert desk.cases(REGION) == [] and tasks(store) == [] and views.contact_moments(REGION, PERIOD, STUDENT) == []


def test_the_reminders_run_as_a_worker_of_their_own():
    assert "contact-reminders" in [w.name for w in bootstrap_with_doubles().workers()]


def test_each_new_reminder_and_escalation_is_published_with_ids_only_before_it_is_stored(world):
    wiring, views, store, _, publisher, clock = world
    on(clock, MIDPOINT - timedelta(days=3))
    remind_contacts(wiring.deps)
    on(clock, MIDPOINT + timedelta(days=1))
    remind_contacts(wiring.deps)
    remind_contacts(wiring.deps)  # nothing new: nothing published again
    opened = [e.payload for e in publisher.events("contact.task_opened")]
    assert [(p.kind, p.reason_code, p.addressee) for p in opened] == [
        ("contact_reminder", "contact_midpoint", "school_contact"),
        ("contact_escalation", "contact_midpoint", "school_coordinator")]
    assert {p.task_id for p in opened} == {t.task_id for t in store.tasks(REGION, "sch-alfa")}


def test_the_notifier_asks_reporting_for_the_contact_of_a_reminder_only(world):
    from reporting.commands.aftercare import set_school_contact
    wiring, views, store, _, _, clock = world
    set_school_contact(wiring.deps, SCHOOL_PRINCIPAL, "org-umcg", "Karin Bos", "k.bos@alfa.nl")
    on(clock, MIDPOINT + timedelta(days=1))
    remind_contacts(wiring.deps)  # an escalation only: for the coordinator
    on(clock, END - timedelta(days=2))
    remind_contacts(wiring.deps)
    by_kind = {t.kind: t.task_id for t in store.tasks(REGION, "sch-alfa")}
    client = wiring.app().test_client()

    def ask(token_scope: str, task_id: str, school: str = "sch-alfa"):
        token = wiring.tokens.issue("svc", "service", token_scope, region_id=REGION)
        return client.get(f"/internal/v1/aftercare/tasks/{task_id}/contact?region_id={REGION}&school_id={school}",
                          headers={"Authorization": f"Bearer {token}"})

    answer = ask("notifier", by_kind["contact_reminder"])
    assert answer.status_code == 200 and answer.get_json() == {"name": "Karin Bos", "email": "k.bos@alfa.nl"}
    assert ask("notifier", by_kind["contact_escalation"]).status_code == 404  # the coordinator's: not here
    assert ask("notifier", by_kind["contact_reminder"], "sch-beta").status_code == 404
    assert ask("matcher", by_kind["contact_reminder"]).status_code == 403
    assert client.get(f"/internal/v1/aftercare/tasks/{by_kind['contact_reminder']}/contact").status_code == 401
