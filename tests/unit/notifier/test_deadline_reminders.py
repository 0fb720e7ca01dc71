"""Reminders before a period's wish and choice deadlines (issue 15.4): every student intake names as not having
acted gets one e-mail per deadline and lead (3 and 1 day before by default), in Dutch with English, with the
deadline in Amsterdam time and what happens without a choice; never twice, never after the deadline."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from prometheus_client import REGISTRY

from notifier.adapters.directory import window_from
from notifier.bootstrap import bootstrap
from notifier.config import Settings
from notifier.domain.deadlines import CHOICES, WISHES, Window
from notifier.domain.model import Contact
from notifier.ports import AbstractDeadlineMarks
from stagepool_shared.config import ConfigError
from tests.fakes import Clock, FakePublisher
from tests.fakes.notifier import FakeChannel, FakeDeadlineMarks, FakeStore, FakeWindows
from tests.unit.notifier.conftest import ENV

AMS = ZoneInfo("Europe/Amsterdam")
UNTIL = datetime.combine(datetime(2027, 1, 17).date(), time.max, tzinfo=AMS)  # the end of 17 January, Amsterdam
SANNE = ("s1", Contact(email="sanne@mail.example"))
DAAN = ("s2", Contact(email="daan@mail.example"))


class Reminders:
    """A notifier on doubles with intake's open windows, the marks and a clock the test moves."""

    def __init__(self, *windows: Window, marks: AbstractDeadlineMarks | None = None, **env: str) -> None:
        self.clock = Clock(UNTIL - timedelta(days=3, hours=1))
        self.windows, self.email = FakeWindows(windows), FakeChannel("email")
        self.marks = marks or FakeDeadlineMarks()
        settings = Settings.from_env({**ENV, "INTAKE_PUBLIC_URL": "https://intake.example", **env})
        self.wiring = bootstrap(settings, store=FakeStore(), publisher=FakePublisher(), clock=self.clock,
                                channels={"email": self.email, "webhook": FakeChannel("webhook")},
                                windows=self.windows, deadline_marks=self.marks)

    def at(self, moment: datetime) -> int:
        self.clock.now = moment
        return self.wiring.deadlines.run_once()

    def to(self, address: str) -> list:
        return self.email.to(address)


def wishes(*students: tuple[str, Contact], until: datetime = UNTIL) -> Window:
    return Window("2027-p1", WISHES, until, tuple(students))


def sent(metric_outcome: str, deadline: str = WISHES) -> float:
    return REGISTRY.get_sample_value("stagepool_notifier_deadline_reminders_total",
                                     {"deadline": deadline, "outcome": metric_outcome}) or 0.0


def test_three_days_before_the_wish_deadline_each_student_without_a_top_3_gets_one_reminder():
    r = Reminders(wishes(SANNE, DAAN))
    before = sent("sent")
    assert r.at(UNTIL - timedelta(days=3, minutes=1)) == 0  # not yet
    assert r.at(UNTIL - timedelta(days=2, hours=23)) == 2
    assert r.at(UNTIL - timedelta(days=2, hours=20)) == 0  # never twice
    [message] = r.to("sanne@mail.example")
    assert message.subject == ("Herinnering: maak je top 3 uiterlijk 17-01-2027 23:59 CET / "
                               "Reminder: make your top 3 by 17-01-2027 23:59 CET")
    dutch, english = message.body.split("-" * 60)
    assert "tot en met 17-01-2027 23:59 CET, over 2 dagen" in dutch
    assert "Maak je geen top 3, dan maakt je school de match" in dutch
    assert "Without a top 3 your school makes the match" in english and "in 2 days" in english
    assert "https://intake.example/pages/student/catalogue?period_id=2027-p1" in dutch
    assert "UTC" not in message.body
    assert sent("sent") - before == 2


def test_the_one_day_reminder_follows_and_nothing_goes_out_after_the_deadline():
    r = Reminders(wishes(SANNE))
    assert r.at(UNTIL - timedelta(days=2)) == 1
    assert r.at(UNTIL - timedelta(hours=23)) == 1
    assert r.at(UNTIL - timedelta(hours=1)) == 0
    assert r.at(UNTIL + timedelta(seconds=1)) == 0
    assert len(r.to("sanne@mail.example")) == 2
    assert "over" not in r.to("sanne@mail.example")[1].body.split("\n\n")[1]  # less than a day left: no "over 0"
    assert r.windows.asked[-1] == timedelta(days=3)  # intake is asked for the longest lead


def test_a_student_who_comes_into_the_window_late_gets_only_the_latest_reminder():
    r = Reminders(wishes(SANNE))
    r.at(UNTIL - timedelta(days=2))
    r.windows.windows = [wishes(SANNE, DAAN)]  # Daan's wish arrived later
    assert r.at(UNTIL - timedelta(hours=12)) == 2
    assert len(r.to("daan@mail.example")) == 1 and len(r.to("sanne@mail.example")) == 2


def test_the_choice_reminder_says_the_student_keeps_the_matchers_pick():
    r = Reminders(Window("2027-p1", CHOICES, UNTIL, (SANNE,)))
    assert r.at(UNTIL - timedelta(days=1)) == 1
    [message] = r.to("sanne@mail.example")
    assert message.subject.startswith("Herinnering: kies je stageplaats uiterlijk 17-01-2027 23:59 CET")
    assert "Kies je niet op tijd, dan houd je de plaats die de matcher voor je koos." in message.body
    assert "If you do not choose in time, you keep the place the matcher picked for you." in message.body


def test_a_student_whose_language_is_english_reads_english_first():
    r = Reminders(wishes(("s3", Contact(email="sam@mail.example", lang="en"))))
    r.at(UNTIL - timedelta(days=1))
    [message] = r.to("sam@mail.example")
    assert message.lang == "en" and message.subject.startswith("Reminder: make your top 3")
    assert message.body.index("Dear student") < message.body.index("Beste student")


def test_a_transient_mail_failure_gives_the_reminder_back_and_a_refused_address_is_not_repeated():
    r = Reminders(wishes(SANNE, DAAN, ("s4", Contact(email="not an address"))))
    r.email.fail_times, r.email.fail_only = 1, "sanne@mail.example"
    failed = sent("failed")
    assert r.at(UNTIL - timedelta(days=2)) == 0  # the SMTP server is away: the step stops, nothing is lost
    assert r.marks.marks == {}
    assert r.at(UNTIL - timedelta(days=2)) == 2
    assert sent("failed") - failed == 1
    r.email.fail_times, r.email.permanent, r.email.fail_only = 1, True, "daan@mail.example"
    assert r.at(UNTIL - timedelta(hours=20)) == 1  # Daan's address is refused: counted, not tried again
    assert r.at(UNTIL - timedelta(hours=19)) == 0
    assert [len(r.to(a)) for a in ("sanne@mail.example", "daan@mail.example")] == [2, 1]


def test_a_mark_is_kept_as_long_as_the_notifiers_retention_after_the_deadline():
    r = Reminders(wishes(SANNE), NOTIFIER_RETENTION_DAYS="30")
    r.at(UNTIL - timedelta(days=1))
    assert r.marks.marks == {("s1", "2027-p1:wishes:24h"): (UNTIL + timedelta(days=30)).timestamp()}


def test_the_leads_and_the_interval_are_settings_and_the_worker_runs_under_its_lease():
    r = Reminders(wishes(SANNE), NOTIFIER_DEADLINE_REMINDER_DAYS="2,0.5", NOTIFIER_DEADLINE_INTERVAL_S="120")
    assert r.at(UNTIL - timedelta(days=2, hours=1)) == 0
    assert r.at(UNTIL - timedelta(days=1)) == 1 and r.at(UNTIL - timedelta(hours=11)) == 1
    [worker] = [w for w in r.wiring.workers() if w.name == "deadlines"]
    assert worker.idle_s == 120.0 and worker.step.__name__ == "leased_run_once"
    for bad in ("0", "x", "3,40"):
        with pytest.raises(ConfigError, match="NOTIFIER_DEADLINE_REMINDER_DAYS"):
            Settings.from_env({**ENV, "NOTIFIER_DEADLINE_REMINDER_DAYS": bad})
    assert Settings.from_env(ENV).deadline_reminder_days == (3.0, 1.0)


def test_intakes_answer_is_read_leniently_and_a_malformed_window_is_left_out():
    good = {"period_id": "2027-p1", "deadline": "wishes", "until": UNTIL.isoformat(),
            "students": [{"student_ref": "s1", "email": "sanne@mail.example"}, "junk"]}
    window = window_from(good)
    assert window == Window("2027-p1", WISHES, UNTIL, (("s1", Contact(email="sanne@mail.example")),))
    for bad in ({**good, "until": "2027-01-17T23:59:59"}, {**good, "deadline": "other"}, {**good, "until": "x"},
                {"period_id": "p"}, "junk"):
        assert window_from(bad) is None
