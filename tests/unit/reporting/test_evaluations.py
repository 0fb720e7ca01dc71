"""End evaluations (issue 20.5, R133-R137): the rule of who evaluates what and when (at the end: from 14 days
before the POK's end date, or once it ended), the period's figures, and the command behind the API and the pages
(a placement that never started, or one whose evaluation has not opened yet, is a field error and stores
nothing)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from reporting.commands.evaluations import evaluate, evaluation_response, evaluations_of_period
from reporting.domain.aftercare import Pok
from reporting.commands.evaluations import announce_open_evaluations, invitation
from reporting.config import Settings
from reporting.domain.evaluations import (ANNOUNCE_WITHIN_DAYS, Evaluation, answer_errors, evaluation_figures,
                                          organisation_signal_counts, started, to_announce, window_errors)
from reporting.jobs import aftercare_reminders
from reporting.errors import InvalidInput, NotFound
from stagepool_shared.auth import Principal
from stagepool_shared.config import EnvReader
from tests.fakes.reporting import (MARCH_1, ORG_PRINCIPAL, PERIOD, REGION, SCHOOL_PRINCIPAL, STUDENT,
                                   STUDENT_PRINCIPAL, started_pok)

ANSWERS = {"satisfaction": 4, "would_again": True}
#: Ten days before the end (2027-06-30) of `started_pok`'s placement: its evaluation is open.
NEAR_THE_END = datetime(2027, 6, 20, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def near_the_end(clock):
    """The command's tests evaluate near the placement's end; the window's own tests move the clock back."""
    clock.now = NEAR_THE_END


def pok(student: str, status: str = "active", org: str = "org-a", school: str = "sch-a", **extra) -> Pok:
    return Pok(f"pok-{student}", REGION, PERIOD, student, school, org, "plc-1", "rnd-1", "2027-01-20T09:00:00+00:00",
               status, "2027-02-01", "2027-06-30", 640, **extra)


def student_says(student: str, org: str = "org-a", school: str = "sch-a", **phases) -> Evaluation:
    return Evaluation(student, school, org, "student", 4, True, {p: phases.get(p) for p in
                                                                 ("searching", "introduction", "during")})


@pytest.mark.parametrize("status, updated_at, expected", [
    ("active", None, True), ("ended", None, True), ("draft", None, False), ("sent", None, False),
    ("signed", None, False), ("ended_early", "2027-03-15T10:00:00+00:00", True),
    ("ended_early", "2027-01-25T10:00:00+00:00", False)])
def test_a_placement_started_once_its_pok_is_active_or_ended_not_when_ended_before_its_start(status, updated_at,
                                                                                             expected):
    assert started(pok("s1", status, updated_at=updated_at)) is expected
    assert started(None) is False


def test_only_the_student_answers_the_discrimination_questions():
    assert answer_errors("student", {"discrimination_during": True}) == {}
    assert answer_errors("organisation", {"discrimination_during": False, "discrimination_searching": None}) == {
        "discrimination_during": ["student_only"]}
    assert answer_errors("school", {"experienced_discrimination": True}) == {
        "experienced_discrimination": ["student_only"]}


def test_an_older_record_reads_its_single_answer_as_the_placement_itself():
    old = Evaluation.of_record("s1", "student", {"satisfaction": 5, "experienced_discrimination": True})
    assert old.discrimination == {"searching": None, "introduction": None, "during": True}
    assert old.experienced(("during",)) and not old.experienced(("searching",))


def test_the_figures_count_responses_per_evaluator_and_discrimination_per_phase_of_started_placements_only():
    poks = [pok("s1"), pok("s2", org="org-b", school="sch-b"), pok("s3", "ended"), pok("s4", "signed")]
    evaluations = [student_says("s1", searching=True, introduction=False, during=None),
                   student_says("s2", "org-b", "sch-b", during=True),
                   Evaluation("s1", "sch-a", "org-a", "organisation", 5, True),
                   Evaluation("s1", "sch-a", "org-a", "school", 3, False),
                   student_says("s4", during=True)]  # s4 never started: not counted
    f = evaluation_figures(poks, evaluations)
    assert f.started == 3
    assert f.responses == {"student": 2, "organisation": 1, "school": 1}
    assert f.answered == {"searching": 1, "introduction": 1, "during": 1}
    assert f.discrimination == {"searching": 1, "introduction": 0, "during": 1}
    assert [(g.key, g.started, g.responses, g.discrimination["during"]) for g in f.by_organisation] == [
        ("org-a", 2, {"student": 1, "organisation": 1, "school": 1}, 0), ("org-b", 1, {"student": 1}, 1)]
    assert [g.key for g in f.by_school] == ["sch-a", "sch-b"]
    assert f.satisfaction["school"] == [3] and f.would_again == {"student": 2, "organisation": 1}


def test_discrimination_at_the_kennismaking_or_during_the_placement_counts_for_the_organisation_not_while_searching():
    evaluations = [student_says("s1", searching=True), student_says("s2", introduction=True, during=True),
                   student_says("s3", during=True), student_says("s4", "org-b", during=False),
                   Evaluation("s5", "sch-a", "org-b", "organisation", 1, False)]
    assert organisation_signal_counts(evaluations) == {"org-a": 2}


def test_the_student_evaluates_a_started_placement_per_phase_and_the_record_keeps_ids_and_codes_only(deps):
    started_pok(deps.aftercare)
    answers = {**ANSWERS, "discrimination_searching": True, "discrimination_introduction": False,
               "discrimination_during": None}
    assert evaluate(deps, STUDENT_PRINCIPAL, PERIOD, STUDENT, answers).by == "student"
    assert deps.views.evaluations[(REGION, PERIOD, STUDENT, "student")] == {
        "school_id": "sch-alfa", "organisation_id": "org-umcg", "satisfaction": 4, "would_again": True,
        "discrimination_searching": True, "discrimination_introduction": False, "discrimination_during": None}


@pytest.mark.parametrize("status", [None, "draft", "sent", "signed"])
def test_an_evaluation_of_a_placement_that_never_started_is_a_field_error_and_stores_nothing(deps, status):
    if status:
        started_pok(deps.aftercare, status=status)
    for principal in (STUDENT_PRINCIPAL, SCHOOL_PRINCIPAL, ORG_PRINCIPAL):
        with pytest.raises(InvalidInput) as err:
            evaluate(deps, principal, PERIOD, STUDENT, ANSWERS)
        assert err.value.fields == {"placement": ["placement_not_started"]}
    assert deps.views.evaluations == {}


def test_the_organisation_may_not_answer_for_the_student_and_nothing_is_stored(deps):
    started_pok(deps.aftercare)
    with pytest.raises(InvalidInput) as err:
        evaluate(deps, ORG_PRINCIPAL, PERIOD, STUDENT, {**ANSWERS, "discrimination_during": False})
    assert err.value.fields == {"discrimination_during": ["student_only"]}
    assert deps.views.evaluations == {}


@pytest.mark.parametrize("principal", [
    Principal("usr-x", "school_staff", "sch-other", REGION), Principal("usr-o", "organisation_staff", "org-x", REGION),
    Principal("usr-s", "student", "stu_" + "b" * 32, REGION), Principal("usr-c", "regional_coordinator", REGION,
                                                                        REGION)])
def test_anyone_but_the_placements_parties_gets_not_found_started_or_not(deps, principal):
    for status in (None, "active"):
        if status:
            started_pok(deps.aftercare, status=status)
        with pytest.raises(NotFound):
            evaluate(deps, principal, PERIOD, STUDENT, ANSWERS)
    assert deps.views.evaluations == {}


def test_the_last_answer_of_a_party_counts_and_the_response_is_shown_per_evaluator(deps):
    started_pok(deps.aftercare)
    evaluate(deps, STUDENT_PRINCIPAL, PERIOD, STUDENT, {**ANSWERS, "discrimination_during": True})
    evaluate(deps, STUDENT_PRINCIPAL, PERIOD, STUDENT, {**ANSWERS, "discrimination_during": False})
    figures = evaluations_of_period(deps, REGION, PERIOD)
    assert figures.responses == {"student": 1} and figures.discrimination["during"] == 0
    assert evaluation_response(figures)["student"] == {"placements_started": "<5", "evaluated": "<5",
                                                       "response_share": "<5"}
    for i in range(5):
        started_pok(deps.aftercare, student=f"stu_{i}")
        deps.views.put_evaluation(REGION, PERIOD, f"stu_{i}", "school", student_says(f"stu_{i}").record())
    shown = evaluation_response(evaluations_of_period(deps, REGION, PERIOD))
    assert shown["school"] == {"placements_started": "6", "evaluated": "5", "response_share": "83.3%"}
    assert shown["organisation"] == {"placements_started": "6", "evaluated": "<5", "response_share": "0.0%"}


def test_a_placement_ended_early_after_it_started_may_still_be_evaluated(deps):
    started_pok(deps.aftercare, status="ended_early", updated_at="2027-03-20T12:00:00+00:00")
    assert evaluate(deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT, ANSWERS).by == "school"
    early = replace(deps.aftercare.pok(REGION, PERIOD, STUDENT), updated_at="2027-01-28T12:00:00+00:00")
    deps.aftercare.save_pok(early)
    with pytest.raises(InvalidInput):
        evaluate(deps, ORG_PRINCIPAL, PERIOD, STUDENT, ANSWERS)


@pytest.mark.parametrize("status, today, expected", [
    ("active", date(2027, 6, 15), {"placement": ["evaluation_opens_on:16-06-2027"]}),
    ("active", date(2027, 6, 16), {}), ("active", date(2027, 7, 5), {}),
    ("ended", date(2027, 3, 1), {}), ("signed", date(2027, 6, 20), {"placement": ["placement_not_started"]})])
def test_the_evaluation_opens_fourteen_days_before_the_end_date_or_once_the_placement_ended(status, today, expected):
    assert window_errors(pok("s1", status), today, 14) == expected
    assert window_errors(None, today, 14) == {"placement": ["placement_not_started"]}


def test_an_early_end_opens_it_at_once_and_a_running_placement_without_an_end_date_waits_for_its_end():
    assert window_errors(pok("s1", "ended_early", updated_at="2027-03-15T10:00:00+00:00"), date(2027, 3, 15), 14) == {}
    assert window_errors(replace(pok("s1"), end_date=None), date(2027, 6, 29), 14) == {
        "placement": ["evaluation_opens_at_end"]}


def test_an_evaluation_before_the_window_opens_is_a_field_error_saying_when_and_stores_nothing(deps, clock):
    clock.now = MARCH_1  # the placement runs until 2027-06-30
    started_pok(deps.aftercare)
    for principal in (STUDENT_PRINCIPAL, SCHOOL_PRINCIPAL, ORG_PRINCIPAL):
        with pytest.raises(InvalidInput) as err:
            evaluate(deps, principal, PERIOD, STUDENT, ANSWERS)
        assert err.value.fields == {"placement": ["evaluation_opens_on:16-06-2027"]}
    assert deps.views.evaluations == {}
    started_pok(deps.aftercare, status="ended")  # the school ended it: open at once
    assert evaluate(deps, ORG_PRINCIPAL, PERIOD, STUDENT, ANSWERS).by == "organisation"


def test_the_window_counts_in_dutch_days_and_its_length_is_a_setting(deps, clock):
    started_pok(deps.aftercare)
    clock.now = datetime(2027, 6, 15, 21, 59, tzinfo=UTC)  # 23:59 on 15 June in Amsterdam
    with pytest.raises(InvalidInput):
        evaluate(deps, STUDENT_PRINCIPAL, PERIOD, STUDENT, ANSWERS)
    clock.now = datetime(2027, 6, 15, 22, 0, tzinfo=UTC)  # midnight: 16 June in Amsterdam
    assert evaluate(deps, STUDENT_PRINCIPAL, PERIOD, STUDENT, ANSWERS).by == "student"
    clock.now = MARCH_1
    assert evaluate(replace(deps, evaluation_open_days=130), SCHOOL_PRINCIPAL, PERIOD, STUDENT, ANSWERS).by == "school"


def test_the_invitation_says_when_it_opens_then_that_it_is_open_until_the_party_evaluated(deps, clock):
    clock.now = MARCH_1
    assert invitation(deps, STUDENT_PRINCIPAL, PERIOD, STUDENT) is None  # no POK yet
    started_pok(deps.aftercare)
    assert invitation(deps, ORG_PRINCIPAL, PERIOD, STUDENT) == {
        "open": False, "opens_on": date(2027, 6, 16), "started": True, "done": False}
    clock.now = NEAR_THE_END
    evaluate(deps, ORG_PRINCIPAL, PERIOD, STUDENT, ANSWERS)
    assert invitation(deps, ORG_PRINCIPAL, PERIOD, STUDENT) == {
        "open": True, "opens_on": None, "started": True, "done": True}
    assert invitation(deps, SCHOOL_PRINCIPAL, PERIOD, STUDENT)["done"] is False  # each party its own
    assert invitation(deps, Principal("usr-x", "school_staff", "sch-other", REGION), PERIOD, STUDENT) is None


def test_the_window_is_read_from_reporting_evaluation_open_days_and_reaches_the_commands(wiring):
    assert Settings.read(EnvReader({"REPORTING_EVALUATION_OPEN_DAYS": "21"}), None).evaluation_open_days == 21
    assert Settings.read(EnvReader({}), None).evaluation_open_days == wiring.deps.evaluation_open_days == 14


def test_an_opened_evaluation_is_announced_once_with_ids_only_and_not_before_it_opens(deps, clock, publisher):
    """The contact-reminders worker's step publishes `evaluation.opened` when the window opens (14 days before
    the end of 2027-06-30), once; the notifier invites the parties from it."""
    started_pok(deps.aftercare)
    clock.now = datetime(2027, 6, 15, 9, 0, tzinfo=UTC)  # the day before it opens (2027-06-16)
    aftercare_reminders(deps)  # the worker's whole step (a contact reminder before the end may come too)
    assert publisher.events("evaluation.opened") == []
    clock.now = datetime(2027, 6, 16, 9, 0, tzinfo=UTC)
    aftercare_reminders(deps)
    assert len(publisher.events("evaluation.opened")) == 1
    assert announce_open_evaluations(deps) == 0  # once
    (opened,) = [e.payload for e in publisher.events("evaluation.opened")]
    assert (opened.region_id, opened.period_id, opened.student_ref, opened.school_id, opened.organisation_id,
            opened.place_id) == (REGION, PERIOD, STUDENT, "sch-alfa", "org-umcg", "plc-umcg-01")


@pytest.mark.parametrize("pok_at, today, announced", [
    (pok("s1", "ended_early", updated_at="2027-03-15T10:00:00+00:00"), date(2027, 3, 20), True),  # ended: opens
    (pok("s1", "ended_early", updated_at="2027-01-25T10:00:00+00:00"), date(2027, 1, 26), False),  # never started
    (pok("s1", "ended"), date(2027, 6, 30) + timedelta(days=ANNOUNCE_WITHIN_DAYS + 17), False),  # long over
    (replace(pok("s1", "ended"), place_id=""), date(2027, 7, 1), False),  # anonymised by retention
    (pok("s1", "active"), date(2027, 6, 15), False),  # runs, opens tomorrow
])
def test_who_is_announced(pok_at, today, announced):
    assert to_announce(pok_at, today, 14) is announced
