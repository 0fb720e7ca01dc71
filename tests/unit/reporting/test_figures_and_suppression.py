"""Period figures from a snapshot, and the one small-cell rule that guards everything leaving the service."""

from __future__ import annotations

import pytest

from reporting.domain.figures import PeriodSnapshot, PlaceFact, PlacementFact, RoundFact, WishFact, period_figures
from reporting.domain.followup import ContactMoment, contact_status
from reporting.domain.suppression import shown_count, shown_rate, suppress, suppressed_rate


@pytest.mark.parametrize("count, expected", [(0, None), (4, None), (5, 5), (120, 120)])
def test_counts_under_five_are_suppressed(count, expected):
    assert suppress(count) == expected
    assert shown_count(count) == ("<5" if expected is None else str(count))


def test_a_rate_over_a_small_denominator_is_suppressed_too():
    assert suppressed_rate(2, 4) is None and shown_rate(2, 4) == "<5"
    assert suppressed_rate(3, 6) == 0.5 and shown_rate(3, 6) == "50.0%"


def wish(n: int, school: str, sector: str = "zorg", level: int = 4) -> WishFact:
    return WishFact(f"stu_{school}_{n}", school, sector, level, "seeking", "2027-01-01T09:00:00Z")


def placed(w: WishFact, match: str = "top1", named: bool = True) -> PlacementFact:
    return PlacementFact(w.student_ref, w.school_id, "placed", match, None, "rnd-1", "2027-01-11T09:00:00Z",
                         named_places=named)


def unplaced(w: WishFact, reason: str = "NO_ELIGIBLE_PLACE") -> PlacementFact:
    return PlacementFact(w.student_ref, w.school_id, "unplaced", "none", reason, "rnd-1", "2027-01-11T09:00:00Z")


@pytest.fixture
def snapshot() -> PeriodSnapshot:
    alfa = [wish(i, "sch-alfa") for i in range(10)]
    beta = [wish(i, "sch-beta", "techniek", 2) for i in range(6)]
    gone = WishFact("stu_gone", "sch-beta", "techniek", 2, "opted_out")
    placements = [placed(w, "top1" if i < 4 else "top3") for i, w in enumerate(alfa[:8])]
    placements += [unplaced(w) for w in alfa[8:]] + [placed(beta[0], "none", named=False)]
    placements += [unplaced(w) for w in beta[1:5]]
    contacts = [contact_status(p.student_ref, p.school_id, [ContactMoment("2027-02-01", "on_site", "school_staff")] * 3)
                for p in placements[:5]]
    return PeriodSnapshot(
        "reg-g", "2027-p1", wishes=alfa + beta + [gone],
        places=[PlaceFact("plc-1", "org-1", "zorg", (3, 4), 12), PlaceFact("plc-2", "org-2", "techniek", (2,), 3),
                PlaceFact("plc-3", "org-3", "zorg", (4,), 9, withdrawn=True)],
        placements=placements,
        rounds=[RoundFact("rnd-1", "initial", "2027-01-11T09:00:00Z", {"students": 16, "worst_school_rate": 0.17},
                          {"seed": 7})],
        contacts=contacts, desk_by_status={"received": 6, "closed": 1}, counters={"refusals": 5})


def test_figures_count_students_placements_and_capacity(snapshot):
    f = period_figures(snapshot)
    assert (f.seeking, f.placed, f.slots_offered) == (16, 9, 15)
    assert f.by_school["sch-alfa"].placed == 8 and f.by_school["sch-alfa"].students == 10
    assert f.by_school["sch-beta"].rate == pytest.approx(1 / 6)
    assert f.unplaced_by_reason == {"NO_ELIGIBLE_PLACE": 6, "not_yet_matched": 1}
    assert f.slots_by_sector_level == {("techniek", 2): 3, ("zorg", 3): 12, ("zorg", 4): 12}
    assert f.fill_rate == pytest.approx(9 / 15)


def test_fairness_figures_worst_and_best_school_and_wish_shares(snapshot):
    f = period_figures(snapshot)
    assert f.worst_school_rate == pytest.approx(1 / 6)
    assert f.best_school_rate == pytest.approx(0.8)
    assert (f.top1_placed, f.top3_placed) == (4, 8)
    assert f.named_places == 8  # alfa's eight placed named places; the unplaced and beta's placed one did not
    assert f.median_wish_to_placement_s == 10 * 86400


def test_contact_compliance_counts_placements_with_three_contacts_one_on_site(snapshot):
    f = period_figures(snapshot)
    assert (f.contacts_compliant, f.contacts_total) == (5, 5)


def test_a_school_with_fewer_than_five_students_gets_no_rate():
    ws = [wish(i, "sch-small") for i in range(3)]
    f = period_figures(PeriodSnapshot("r", "p", wishes=ws, placements=[placed(w) for w in ws]))
    assert f.by_school["sch-small"].rate is None
    assert f.worst_school_rate is None


def test_contact_rule_needs_three_contacts_and_one_on_site_unless_an_exception_is_documented():
    online = [ContactMoment("2027-02-01", "online", "school_staff")] * 3
    assert contact_status("s", "sch", online).missing == ["on_site"]
    assert contact_status("s", "sch", online, exception=True).compliant
    assert contact_status("s", "sch", online[:1]).missing == ["contacts:2", "on_site"]
