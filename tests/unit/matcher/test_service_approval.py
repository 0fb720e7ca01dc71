"""The approval rule (issue 14, 5): per school with students in the round, two distinct staff of that school,
plus a support_staff user of that school when it has students with support needs. A regional coordinator's
approval is recorded but counts for no school."""

from matcher.rounds.approval import ApprovalVote, approval_state, may_approve

SCHOOLS = ("sch-a", "sch-b")


def test_one_user_is_not_enough():
    state = approval_state([ApprovalVote("u1", "school_staff", "sch-a")], [], ["sch-a"])
    assert not state.complete and state.users_missing == 1


def test_two_distinct_staff_of_the_one_school_complete_a_round_without_support_needs():
    votes = [ApprovalVote("u1", "school_staff", "sch-a"), ApprovalVote("u2", "support_staff", "sch-a")]
    state = approval_state(votes, [], ["sch-a"])
    assert state.complete and state.approvers == ("u1", "u2") and state.users_missing == 0


def test_not_complete_while_a_school_s_own_staff_have_not_approved():
    votes = [ApprovalVote("u1", "school_staff", "sch-b"), ApprovalVote("u2", "school_staff", "sch-b"),
             ApprovalVote("u3", "regional_coordinator")]
    state = approval_state(votes, [], SCHOOLS)
    assert not state.complete and state.users_missing == 2
    (a, b) = state.schools
    assert (a.school_id, a.staff, a.staff_missing, a.complete) == ("sch-a", (), 2, False)
    assert (b.school_id, b.staff, b.staff_missing, b.complete) == ("sch-b", ("u1", "u2"), 0, True)


def test_a_coordinator_s_approval_counts_for_no_school():
    votes = [ApprovalVote("u1", "school_staff", "sch-a"), ApprovalVote("u9", "regional_coordinator")]
    state = approval_state(votes, [], ["sch-a"])
    assert not state.complete and state.schools[0].staff == ("u1",) and state.schools[0].staff_missing == 1


def test_staff_of_another_school_count_only_for_their_own_school():
    votes = [ApprovalVote("u1", "school_staff", "sch-a"), ApprovalVote("u2", "school_staff", "sch-b")]
    state = approval_state(votes, [], SCHOOLS)
    assert not state.complete and [s.staff_missing for s in state.schools] == [1, 1] and state.users_missing == 2


def test_the_same_user_approving_twice_counts_once():
    votes = [ApprovalVote("u1", "school_staff", "sch-a"), ApprovalVote("u1", "school_staff", "sch-a")]
    state = approval_state(votes, [], ["sch-a"])
    assert not state.complete and state.users_missing == 1


def test_a_school_with_support_needs_needs_its_own_support_staff():
    votes = [ApprovalVote("u1", "school_staff", "sch-a"), ApprovalVote("u4", "school_staff", "sch-a"),
             ApprovalVote("u2", "support_staff", "sch-b")]
    state = approval_state(votes, ["sch-a"], ["sch-a"])
    assert not state.complete and state.schools_missing_support == ("sch-a",)
    assert state.schools[0].needs_support and state.schools[0].support_missing
    state = approval_state(votes + [ApprovalVote("u3", "support_staff", "sch-a")], ["sch-a"], ["sch-a"])
    assert state.complete and state.schools_missing_support == ()


def test_a_school_with_support_needs_is_complete_with_its_staff_and_its_support_staff():
    votes = [ApprovalVote("u1", "school_staff", "sch-a"), ApprovalVote("u3", "support_staff", "sch-a")]
    assert approval_state(votes, ["sch-a"], ["sch-a"]).complete


def test_roles_outside_staff_do_not_count():
    state = approval_state([ApprovalVote("u1", "organisation_staff"), ApprovalVote("u2", "student")], [], ["sch-a"])
    assert state.users_missing == 2 and not state.complete


def test_only_a_coordinator_of_the_region_or_staff_of_its_schools_may_approve():
    assert may_approve("regional_coordinator", "reg-1", "", "reg-1", [])
    assert not may_approve("regional_coordinator", "reg-2", "", "reg-1", [])
    assert may_approve("support_staff", "sch-a", "", "reg-1", ["sch-a"])
    assert not may_approve("school_staff", "sch-z", "", "reg-1", ["sch-a"])
    assert not may_approve("organisation_staff", "org-1", "", "reg-1", ["sch-a"])
