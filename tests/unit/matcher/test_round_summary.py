"""A round's summary compares schools within each pool (sector), the way the fairness rule does."""

from stagepool_shared.events.rounds import Outcome

from matcher.rounds.summary import rate_changes, summarise


def outcomes(school: str, placed: int, unplaced: int, prefix: str) -> list[Outcome]:
    done = [Outcome(f"{prefix}-p{i}", school, "placed", "plc-1", "org-1", "top1") for i in range(placed)]
    return done + [Outcome(f"{prefix}-u{i}", school, "unplaced", reason_code="FAIR_SHARE_TAKEN")
                   for i in range(unplaced)]


def test_the_spread_is_the_widest_gap_inside_one_pool_not_across_sectors():
    # care is scarce (both schools 50%), ICT is not (both schools 100%): fair inside each pool
    care = outcomes("sch-a", 5, 5, "a-zorg") + outcomes("sch-b", 5, 5, "b-zorg")
    ict = outcomes("sch-a", 4, 0, "a-ict") + outcomes("sch-b", 4, 0, "b-ict")
    sector_of = {o.student_ref: ("zorg" if "zorg" in o.student_ref else "ict") for o in care + ict}
    summary = summarise(care + ict, sector_of)
    assert [(r.sector, r.school_id, r.rate) for r in summary.school_rates] == [
        ("ict", "sch-a", 1.0), ("ict", "sch-b", 1.0), ("zorg", "sch-a", 0.5), ("zorg", "sch-b", 0.5)]
    assert summary.school_spread == 0.0 and summary.worst_school_rate == 0.5 and summary.best_school_rate == 1.0
    assert summary.placed == 18 and summary.unplaced_by_reason == {"FAIR_SHARE_TAKEN": 10}


def test_an_unfair_pool_shows_its_own_gap():
    care = outcomes("sch-a", 8, 2, "a-zorg") + outcomes("sch-b", 2, 8, "b-zorg")
    summary = summarise(care, {o.student_ref: "zorg" for o in care})
    assert summary.school_spread == 0.6


def test_without_sectors_all_outcomes_are_one_pool():
    summary = summarise(outcomes("sch-a", 1, 1, "a") + outcomes("sch-b", 2, 0, "b"))
    assert [(r.sector, r.rate) for r in summary.school_rates] == [(None, 0.5), (None, 1.0)]
    assert summary.school_spread == 0.5


def test_rate_changes_pair_the_same_school_in_the_same_pool():
    first = summarise(outcomes("sch-a", 1, 1, "a"), {"a-p0": "zorg", "a-u0": "zorg"})
    second = summarise(outcomes("sch-a", 2, 0, "a") + outcomes("sch-b", 1, 0, "b"),
                       {"a-p0": "zorg", "a-p1": "zorg", "b-p0": "ict"})
    assert rate_changes(first, second) == [("ict", "sch-b", None, 1.0), ("zorg", "sch-a", 0.5, 1.0)]


def test_top_shares_count_only_the_students_who_named_places():
    named = [Outcome("n-1", "sch-a", "placed", "plc-1", "org-1", "top1", named_places=True),
             Outcome("n-2", "sch-a", "placed", "plc-2", "org-1", "top3", named_places=True),
             Outcome("n-3", "sch-a", "placed", "plc-3", "org-1", "activities", named_places=True),
             Outcome("n-4", "sch-a", "unplaced", reason_code="NO_ELIGIBLE_PLACE", named_places=True)]
    unnamed = [Outcome(f"u-{i}", "sch-a", "placed", "plc-9", "org-2", "preferred_type") for i in range(4)]
    summary = summarise(named + unnamed)
    assert (summary.top1_share, summary.top3_share) == (0.25, 0.5)
    assert summarise(unnamed).top1_share == 0.0
