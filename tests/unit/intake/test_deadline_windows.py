"""Intake names the students whose window before a period's deadline is still open (issue 15.4), for the
notifier's reminders: the wish deadline lists the students without a top 3, the choice deadline the variant-2
students offered candidates who chose none; pseudonym and e-mail only, for the notifier's token only."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from notifier.adapters.directory import window_from
from notifier.domain.model import Contact
from stagepool_shared.i18n import LOCAL_ZONE

from tests.fakes.intake import CANARY_EMAIL, CANARY_NAME, PERIOD
from tests.unit.intake.test_student_catalogue import choose, student  # noqa: F401  (the fixture)
from tests.unit.intake.test_variant_choice import bearer, offer, set_variant

WINDOWS = "/internal/v1/open-windows"


def _today() -> date:
    return datetime.now(LOCAL_ZONE).date()


def _deadlines(api, wishes_in: int | None = 2, choices_in: int | None = 3) -> None:
    days = {"wishes_until": wishes_in, "choices_until": choices_in}
    period = {**PERIOD, **{k: (_today() + timedelta(days=n)).isoformat() for k, n in days.items() if n is not None}}
    answer = api.client.put("/api/v1/periods/p2027a", json=period, headers=api.as_("coordinator"))
    assert answer.status_code == 200, answer.get_json()


def _windows(api, hours: int = 24 * 5) -> dict[str, list[dict]]:
    answer = api.client.get(f"{WINDOWS}?within_hours={hours}", headers=api.as_("notifier"))
    assert answer.status_code == 200, answer.get_json()
    assert CANARY_NAME not in answer.get_data(as_text=True)  # the name never leaves intake here
    return {w["deadline"]: w["students"] for w in answer.get_json()["windows"]}


def test_a_student_without_a_top_3_is_listed_before_the_wish_deadline_with_the_e_mail_only(student):
    _deadlines(student, choices_in=None)
    answer = student.client.get(f"{WINDOWS}?within_hours=96", headers=student.as_("notifier")).get_json()
    [window] = answer["windows"]
    assert (window["period_id"], window["deadline"]) == ("p2027a", "wishes")
    until = datetime.fromisoformat(window["until"])
    assert until.utcoffset() is not None  # the end of the deadline's day in Amsterdam, with its offset
    assert until.astimezone(LOCAL_ZONE).date() == _today() + timedelta(days=2)
    assert window["students"] == [{"student_ref": student.ref, "email": CANARY_EMAIL}]
    read = window_from(window)  # what the notifier reads of intake's answer (the two sides agree)
    assert (read.period_id, read.deadline, read.until, read.students) == (
        "p2027a", "wishes", until, ((student.ref, Contact(email=CANARY_EMAIL)),))


def test_a_student_who_made_a_top_3_is_no_longer_listed(student):
    _deadlines(student)
    assert choose(student, student.places["best"]).status_code == 302
    assert _windows(student) == {"wishes": [], "choices": []}


def test_a_variant_2_student_offered_candidates_is_listed_for_the_choice_until_they_choose(student):
    _deadlines(student)
    set_variant(student, 2)
    assert [s["student_ref"] for s in _windows(student)["wishes"]] == [student.ref]  # no offer yet: the top 3
    best, _ = offer(student, "best", "near")
    assert _windows(student) == {"wishes": [], "choices": [{"student_ref": student.ref, "email": CANARY_EMAIL}]}
    chose = student.client.post("/api/v1/choices/p2027a", json={"choice": [best]}, headers=bearer(student))
    assert chose.status_code == 202, chose.get_json()
    assert _windows(student)["choices"] == []


def test_a_top_3_made_before_the_offer_is_no_choice_the_student_is_reminded_and_shown_none_chosen(student):
    _deadlines(student)
    set_variant(student, 2)
    assert choose(student, student.places["best"]).status_code == 302  # the page invites a top 3 before the offer
    offer(student, "near", "best")  # the matcher's pick first, then the student's earlier top 1
    assert [s["student_ref"] for s in _windows(student)["choices"]] == [student.ref]
    view = student.client.get("/api/v1/choices/p2027a", headers=bearer(student)).get_json()
    assert view["chosen"] == [] and student.store.get_wish(student.ref, "p2027a").payload["candidate_choice"] == []


def test_a_variant_3_student_is_reminded_of_the_top_3_and_never_of_a_choice(student):
    _deadlines(student)
    set_variant(student, 3)
    assert [s["student_ref"] for s in _windows(student)["wishes"]] == [student.ref]
    assert _windows(student)["choices"] == []


def test_a_passed_deadline_or_one_beyond_the_horizon_lists_no_window(student):
    _deadlines(student, wishes_in=-1, choices_in=10)
    assert _windows(student, hours=24 * 5) == {}
    assert "choices" in _windows(student, hours=24 * 12)


def test_only_the_notifier_may_ask_and_within_hours_is_checked(student):
    _deadlines(student)
    for who in ("other_service", "school_a", "coordinator"):
        assert student.client.get(f"{WINDOWS}?within_hours=24", headers=student.as_(who)).status_code == 403
    assert student.client.get(f"{WINDOWS}?within_hours=24").status_code == 401
    for bad in ("", "0", "745", "-3", "1.5", "abc", "99999"):
        answer = student.client.get(f"{WINDOWS}?within_hours={bad}", headers=student.as_("notifier"))
        assert answer.status_code == 400, bad
