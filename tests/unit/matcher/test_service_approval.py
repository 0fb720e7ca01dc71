"""The approval rule: two distinct staff users, plus support staff of every school with support needs."""

from matcher.rounds.approval import ApprovalVote, approval_state, may_approve


def test_one_user_is_not_enough():
    state = approval_state([ApprovalVote("u1", "school_staff", "sch-a")], [])
    assert not state.complete and state.users_missing == 1


def test_two_distinct_users_complete_a_round_without_support_needs():
    state = approval_state([ApprovalVote("u1", "school_staff", "sch-a"), ApprovalVote("u2", "regional_coordinator")], [])
    assert state.complete and state.approvers == ("u1", "u2")


def test_the_same_user_approving_twice_counts_once():
    votes = [ApprovalVote("u1", "school_staff", "sch-a"), ApprovalVote("u1", "school_staff", "sch-a")]
    state = approval_state(votes, [])
    assert not state.complete and state.users_missing == 1


def test_a_school_with_support_needs_needs_its_own_support_staff():
    votes = [ApprovalVote("u1", "school_staff", "sch-a"), ApprovalVote("u2", "support_staff", "sch-b")]
    state = approval_state(votes, ["sch-a"])
    assert not state.complete and state.schools_missing_support == ("sch-a",)
    state = approval_state(votes + [ApprovalVote("u3", "support_staff", "sch-a")], ["sch-a"])
    assert state.complete and state.schools_missing_support == ()


def test_roles_outside_staff_do_not_count():
    state = approval_state([ApprovalVote("u1", "organisation_staff"), ApprovalVote("u2", "student")], [])
    assert state.users_missing == 2


def test_only_a_coordinator_of_the_region_or_staff_of_its_schools_may_approve():
    assert may_approve("regional_coordinator", "reg-1", "", "reg-1", [])
    assert not may_approve("regional_coordinator", "reg-2", "", "reg-1", [])
    assert may_approve("support_staff", "sch-a", "", "reg-1", ["sch-a"])
    assert not may_approve("school_staff", "sch-z", "", "reg-1", ["sch-a"])
    assert not may_approve("organisation_staff", "org-1", "", "reg-1", ["sch-a"])
