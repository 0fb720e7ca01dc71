"""The notifier's pure rules: who gets what, the embargo, retries, reminders and address checks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from notifier.domain.model import RoundInfo, StudentOutcome
from notifier.domain.rules import (RetryPolicy, is_released, is_valid_email, plan_round, release_spread,
                                   reminder_due_at, reminder_still_useful)

T = datetime(2027, 1, 10, 9, tzinfo=UTC)
ROUND = RoundInfo("rnd-1", "reg-1", "2027-p1", T, T + timedelta(days=7))


def test_every_student_school_and_receiving_organisation_is_planned_on_each_of_its_channels():
    outcomes = [StudentOutcome("s1", "sch-a", "placed", "plc-1", "org-1"),
                StudentOutcome("s2", "sch-a", "unplaced"),
                StudentOutcome("s3", "sch-b", "placed", "plc-2", "org-1")]
    plan = plan_round(ROUND, outcomes)
    by_kind: dict[str, set[tuple[str, str]]] = {}
    for d in plan.deliveries:
        by_kind.setdefault(d.kind, set()).add((d.ref, d.channel))
    assert by_kind["student"] == {(s, c) for s in ("s1", "s2", "s3") for c in ("email", "inbox")}
    assert by_kind["school"] == {(s, c) for s in ("sch-a", "sch-b") for c in ("email", "webhook", "inbox")}
    assert by_kind["organisation"] == {("org-1", "email"), ("org-1", "inbox")}
    assert len(plan.deliveries) == len(set(plan.deliveries))
    assert plan.awaiting == ["s1", "s3"]


def test_nothing_is_released_before_the_release_moment():
    assert not is_released(ROUND, T - timedelta(microseconds=1))
    assert is_released(ROUND, T)


@pytest.mark.parametrize("address, ok", [
    ("jan@school.example", True), ("a.b+c@x-y.nl", True), ("", False), (None, False), ("geen-adres", False),
    ("a@b", False), ("a b@c.nl", False), ("a@c.nl\r\nBcc: x@y.nl", False), ("a@@c.nl", False)])
def test_an_address_is_valid_only_when_it_is_one_plausible_email_address(address, ok):
    assert is_valid_email(address) is ok


def test_retries_back_off_exponentially_up_to_a_cap_and_then_give_up():
    policy = RetryPolicy(max_attempts=4, base_s=2, cap_s=10)
    assert [policy.delay_after(n) for n in (1, 2, 3, 4)] == [2, 4, 8, 10]
    assert not policy.gives_up(3) and policy.gives_up(4)


def test_a_reminder_comes_the_lead_time_before_the_deadline_but_never_before_release():
    assert reminder_due_at(ROUND, timedelta(days=2)) == ROUND.respond_by - timedelta(days=2)
    assert reminder_due_at(ROUND, timedelta(days=30)) == T
    assert reminder_still_useful(ROUND, T + timedelta(days=6), answered=False)
    assert not reminder_still_useful(ROUND, T + timedelta(days=6), answered=True)
    assert not reminder_still_useful(ROUND, T + timedelta(days=8), answered=False)


def test_release_spread_is_the_time_between_first_and_last_message():
    assert release_spread(100.0, 112.5) == 12.5
    assert release_spread(None, None) == 0.0
