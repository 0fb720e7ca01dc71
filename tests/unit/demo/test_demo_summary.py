"""The demo summary shows fairness per pool (region, period, sector), and the region only as a total across pools;
the season's second step (re-match) is one line of figures, and every role gets a sign-in."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import pytest

from demo import region as demo_region
from demo.mailbox import Mailbox
from demo.pools import Count, PoolKey, disagreements, pool_figures, region_total, student_pools
from demo.rematch import (Disruption, RematchFigures, binding_after, choose_disruption, first_links, figures, moved,
                          sign_in_links)
from demo.summary import placement_section, pool_label, pool_table, rematch_lines, sign_in_lines, unplaced_table
from stagepool_shared.auth import pseudonym

P = "2026-najaar"
NAMES = {"roc": "ROC Hunzeland", "zorgcollege": "Zorgcollege", "techniek": "Techniekschool"}


def outcomes_of(school: str, sector: str, seeking: int, placed: int, top1: int = 0, top3: int = 0,
                no_eligible: int = 0, period: str = P, named: int | None = None) -> list[tuple[dict[str, Any], PoolKey]]:
    """`seeking` outcomes of one school in one pool: the first `placed` placed (the first `top1` at their first
    wish, the next up to `top3` at their second), then `no_eligible` unplaced without any eligible place. The
    first `named` students (all by default) named places."""
    named = seeking if named is None else named
    rows = []
    for i in range(seeking):
        match = "top1" if i < top1 else "top2" if i < top3 else "none"
        status = "placed" if i < placed else "unplaced"
        reason = (None if i < placed else "NO_ELIGIBLE_PLACE" if i < placed + no_eligible
                  else "ALL_TAKEN_UNDER_FAIR_SHARE")
        outcome = {"student_ref": f"stu_{school}_{sector}_{period}_{i}", "school_id": school, "status": status,
                   "wish_match": match if i < placed else "none", "reason_code": reason, "named_places": i < named}
        rows.append((outcome, PoolKey(period, sector)))
    return rows


def scarce_care_region() -> list[tuple[dict[str, Any], PoolKey]]:
    """Care is scarce (60 % for both schools in it), ICT is not (100 % and 95 %): per pool the schools are
    close, but the care college (care only) sits 35 points below the technical school (ICT only)."""
    return (outcomes_of("roc", "zorg", 10, 6, top1=3, top3=4) + outcomes_of("zorgcollege", "zorg", 30, 18, top1=9)
            + outcomes_of("roc", "ict", 10, 10, top1=5, top3=8)
            + outcomes_of("techniek", "ict", 20, 19, top1=10, top3=12, no_eligible=1))


def split(rows: list[tuple[dict[str, Any], PoolKey]]) -> tuple[list[dict[str, Any]], dict[str, PoolKey]]:
    return [o for o, _ in rows], {o["student_ref"]: pool for o, pool in rows}


def record_of(outcomes: list[dict[str, Any]], students: int | None = None, placed: int | None = None) -> dict:
    done = sum(o["status"] == "placed" for o in outcomes)
    return {"region_id": "GRD", "outcomes": outcomes,
            "summary": {"students": len(outcomes) if students is None else students,
                        "placed": done if placed is None else placed,
                        "unplaced_by_reason": {"ALL_TAKEN_UNDER_FAIR_SHARE": 15, "NO_ELIGIBLE_PLACE": 1}}}


def last_paragraph(section: str) -> str:
    return " ".join(section.split("\n\n")[-1].splitlines())


def cross_pool_spread(outcomes: list[dict[str, Any]]) -> float:
    """What the summary used to print: school rates over every sector together, best minus worst."""
    per_school: dict[str, Count] = {}
    for o in outcomes:
        per_school[o["school_id"]] = per_school.get(o["school_id"], Count()) + Count(1, int(o["status"] == "placed"))
    rates = [c.rate for c in per_school.values()]
    return (max(rates) - min(rates)) * 100


def test_each_pool_counts_its_own_schools_students_placed_and_rates() -> None:
    outcomes, pools = split(scarce_care_region())
    figures = {f.pool.sector: f for f in pool_figures(outcomes, pools)}
    assert list(figures) == ["ict", "zorg"]
    care, ict = figures["zorg"], figures["ict"]
    assert dict(care.schools) == {"roc": Count(10, 6, 3, 4, named=10), "zorgcollege": Count(30, 18, 9, 9, named=30)}
    assert care.total == Count(40, 24, 12, 13, named=40)
    assert (care.worst_rate, care.best_rate, care.spread_pp) == (0.6, 0.6, 0.0)
    assert (care.total.top1_share, care.total.top3_share) == (12 / 40, 13 / 40)
    assert ict.schools["techniek"] == Count(20, 19, 10, 12, no_eligible=1, named=20)
    assert (ict.worst_rate, ict.best_rate) == (0.95, 1.0)
    assert ict.spread_pp == pytest.approx(5.0)


def test_the_spread_across_pools_is_large_while_every_pool_spread_is_small() -> None:
    outcomes, pools = split(scarce_care_region())
    assert cross_pool_spread(outcomes) == pytest.approx(35.0)  # care college 60 %, technical school 95 %
    assert max(f.spread_pp for f in pool_figures(outcomes, pools)) <= 5.0 + 1e-9


def test_the_region_total_adds_every_pool_up() -> None:
    outcomes, pools = split(scarce_care_region())
    total = region_total(pool_figures(outcomes, pools))
    assert total == Count(70, 53, 27, 33, no_eligible=1, named=70)
    assert total.rate == pytest.approx(53 / 70)


def test_kept_placements_count_as_placed_and_unknown_students_get_their_own_pool() -> None:
    kept = {"student_ref": "stu_kept", "school_id": "roc", "status": "kept", "wish_match": "top1",
            "named_places": True}
    stranger = {"student_ref": "stu_nobody_knows", "school_id": "roc", "status": "unplaced", "wish_match": "none",
                "reason_code": "NO_ELIGIBLE_PLACE"}
    figures = pool_figures([kept, stranger], {"stu_kept": PoolKey(P, "zorg")})
    assert [(f.pool, f.total) for f in figures] == [(PoolKey(P, "zorg"), Count(1, 1, 1, 1, named=1)),
                                                    (PoolKey("?", "?"), Count(1, 0, no_eligible=1))]


def test_top_shares_count_only_the_students_who_named_places() -> None:
    # 10 students, 4 named places: 2 of them placed at their first, 1 more at their second
    outcomes, pools = split(outcomes_of("roc", "zorg", 10, 8, top1=2, top3=3, named=4))
    total = region_total(pool_figures(outcomes, pools))
    assert (total.named, total.top1_share, total.top3_share) == (4, 0.5, 0.75)
    assert Count(seeking=3, placed=3).top1_share == 0.0  # nobody named places


def test_the_pool_of_a_pseudonym_is_the_sector_of_the_imported_wish() -> None:
    area = demo_region.generate(40, seed=3)
    secret = b"a-secret-of-at-least-16-chars"
    pools = student_pools(area, secret)
    assert len(pools) == len(area.students)
    for s in area.students:
        assert pools[pseudonym(secret, s.school_id, s.number)] == PoolKey(area.period_id, s.sector)


def test_the_dutch_section_shows_every_pool_and_labels_the_region_line_as_no_fairness_figure() -> None:
    outcomes, pools = split(scarce_care_region())
    section = placement_section(record_of(outcomes), pools, NAMES)
    lines = section.splitlines()
    assert lines[0].startswith("Plaatsing per pool.")
    assert any(line.split()[:2] == ["zorg", "ROC"] for line in lines)
    care_row = next(line for line in lines if line.startswith("zorg ") and "pp" in line).split()
    assert care_row == ["zorg", "40", "24", "60.0%", "60.0%", "60.0%", "0.0", "pp", "30.0%", "32.5%"]
    assert "ict" in section and "5.0 pp" in section and "35.0 pp" not in section
    assert lines[-1] == ("Regio GRD, totaal over alle pools (geen eerlijkheidscijfer): 53 van 70 geplaatst (75.7%), "
                         "top-1 38.6%, top-3 47.1%")


def test_the_english_section_names_sectors_and_the_total_across_pools() -> None:
    outcomes, pools = split(scarce_care_region())
    section = placement_section(record_of(outcomes), pools, NAMES, lang="en")
    assert "care " in section and "worst school" in section and "spread" in section
    assert section.splitlines()[-1] == ("Region GRD, total across pools (not a fairness figure): 53 of 70 placed "
                                        "(75.7%), top-1 38.6%, top-3 47.1%")


def test_a_total_that_differs_from_the_matchers_count_is_flagged() -> None:
    outcomes, pools = split(scarce_care_region())
    section = placement_section(record_of(outcomes, students=71), pools, NAMES)
    assert last_paragraph(section).endswith(
        "LET OP: de pools tellen 70 studenten en 53 geplaatst, de matcher 71 en 53.")


def matcher_rows(outcomes: list[dict[str, Any]], pools: dict[str, PoolKey]) -> list[dict[str, Any]]:
    """The matcher's own summary rows per (sector, school), as its API serves them."""
    return [{"school_id": school, "sector": f.pool.sector, "seeking": c.seeking, "placed": c.placed,
             "rate": c.rate} for f in pool_figures(outcomes, pools) for school, c in f.schools.items()]


def test_the_counts_per_pool_agree_with_the_matchers_own_rows_per_sector_and_school() -> None:
    outcomes, pools = split(scarce_care_region())
    figures = pool_figures(outcomes, pools)
    rows = matcher_rows(outcomes, pools)
    assert disagreements(figures, {"school_rates": rows}) == []
    rows[0] = dict(rows[0], placed=rows[0]["placed"] - 1)  # the ICT row of ROC Hunzeland
    assert disagreements(figures, {"school_rates": rows}) == [("ict", "roc", (10, 10), (10, 9))]
    legacy = [dict(r, sector=None) for r in rows]  # rounds summarised before the rows carried a sector
    assert disagreements(figures, {"school_rates": legacy}) == []


def test_a_pool_row_that_differs_from_the_matcher_is_flagged_by_school() -> None:
    outcomes, pools = split(scarce_care_region())
    record = record_of(outcomes)
    record["summary"]["school_rates"] = [r for r in matcher_rows(outcomes, pools) if r["school_id"] != "techniek"]
    section = placement_section(record, pools, NAMES)
    assert last_paragraph(section).endswith(
        "LET OP: ict / techniek: hier 20/19, in de samenvatting van de matcher – (studenten/geplaatst).")


def test_several_periods_put_the_period_in_front_of_the_sector() -> None:
    rows = outcomes_of("roc", "zorg", 2, 1) + outcomes_of("roc", "zorg", 3, 3, period="2027-voorjaar")
    outcomes, pools = split(rows)
    figures = pool_figures(outcomes, pools)
    assert [pool_label(f.pool, True, "nl") for f in figures] == ["2026-najaar zorg", "2027-voorjaar zorg"]
    assert "2027-voorjaar zorg" in pool_table(figures)
    assert pool_label(PoolKey(P, "zorg"), False, "en") == "care"


def test_unplaced_reasons_are_worded_with_their_code_most_frequent_first() -> None:
    table = unplaced_table({"unplaced_by_reason": {"NO_ELIGIBLE_PLACE": 2, "ALL_TAKEN_UNDER_FAIR_SHARE": 5}})
    rows = table.splitlines()[2:]
    assert rows[0].startswith("passende plaatsen, alle bezet bij een eerlijke verdeling (ALL_TAKEN_UNDER_FAIR_SHARE)")
    assert rows[1].startswith("geen plaats voldoet aan alle harde criteria (NO_ELIGIBLE_PLACE)")
    assert unplaced_table({}, "en").splitlines()[2].split() == ["(none)", "0"]


def test_a_certified_round_says_what_the_matcher_checked_and_an_uncertified_one_claims_nothing() -> None:
    outcomes, pools = split(scarce_care_region())
    record = record_of(outcomes)
    assert "nagerekend" not in placement_section(record, pools, NAMES)
    record["summary"].update(max_placeable=53, fair_bound=0.6, worst_school_rate=0.6)
    assert last_paragraph(placement_section(record, pools, NAMES)).endswith(
        "Onafhankelijk nagerekend door de matcher: geen enkele verdeling plaatst meer dan 53 studenten (deze ronde: "
        "53), en met zoveel geplaatst komt de school die er het slechtst aan toe is nooit hoger uit dan 60.0% "
        "(deze ronde: 60.0%).")
    assert "no allocation places more than 53 students" in placement_section(record, pools, NAMES, lang="en")


# --- the season's second step (re-match) and the sign-in for every role -------------------------------------


def released(*rows: tuple[str, str | None, str]) -> dict[str, Any]:
    """A round with one outcome per (student, place or None, status)."""
    return {"outcomes": [{"student_ref": ref, "place_id": place, "organisation_id": place and f"org-{place}",
                          "status": status, "school_id": "roc"} for ref, place, status in rows]}


def test_the_rematch_line_prints_the_same_figures_in_english_and_dutch() -> None:
    figures = RematchFigures("rnd_2", kept=1204, moved_binding=0, placed_new=5)
    english, dutch = rematch_lines(figures, "en"), rematch_lines(figures, "nl")
    assert english[-1] == "re-match: kept 1204, moved 0 binding placements, placed 5 new"
    assert dutch[-1] == "herverdeling: 1204 behouden, 0 bindende plaatsingen verschoven, 5 nieuw geplaatst"
    assert "rnd_2" in english[0] and "3 late students" in english[0] and "3 late aanmeldingen" in dutch[0]
    assert rematch_lines(None) == []


def test_the_figures_count_kept_as_same_place_and_new_as_gained_or_changed() -> None:
    assert figures("rnd_2", {"keep": 10, "gain": 3, "lose": 2, "change": 1}, 0) == RematchFigures("rnd_2", 10, 0, 4)


def test_binding_placements_are_all_but_the_refused_one_and_those_at_the_withdrawn_place() -> None:
    first = released(("a", "p1", "placed"), ("b", "p1", "placed"), ("c", "p2", "placed"), ("d", "p3", "placed"),
                     ("e", None, "unplaced"))
    disruption = choose_disruption(first)
    assert disruption == Disruption("c", "p1", "org-p1")
    binding = binding_after(first, disruption)
    assert binding == {"d": "p3"}
    kept = released(("d", "p3", "kept"), ("c", "p4", "placed"), ("e", "p2", "placed"))
    assert moved(binding, kept) == 0
    assert moved(binding, released(("d", "p2", "placed"))) == 1
    assert moved(binding, released(("d", None, "unplaced"))) == 1


def test_the_student_links_are_the_first_distinct_personal_links_in_the_mails() -> None:
    bodies = ["Beste Zoë,\nOpen je persoonlijke link: http://127.0.0.1:8003/s/abc_DEF-1\nGroet",
              "Geen link, wel http://127.0.0.1:8001/pages/school",
              "link http://127.0.0.1:8003/s/abc_DEF-1 again and http://127.0.0.1:8003/s/xyz2",
              "http://127.0.0.1:8003/s/third", "http://127.0.0.1:8003/s/fourth"]
    assert first_links(bodies, 3) == ["http://127.0.0.1:8003/s/abc_DEF-1", "http://127.0.0.1:8003/s/xyz2",
                                      "http://127.0.0.1:8003/s/third"]


def test_the_sign_in_table_names_every_role_and_the_three_student_links() -> None:
    accounts = [("coordinator", "pw1", "regional_coordinator"), ("desk", "pw2", "desk_staff"),
                ("school-roc", "pw3", "school_staff"), ("school-roc-2", "pw4", "school_staff"),
                ("support-roc", "pw5", "support_staff"), ("organisation-org1", "pw6", "organisation_staff")]
    links = ["http://n/s/a", "http://n/s/b", "http://n/s/c"]
    lines = sign_in_lines(accounts, links, "http://127.0.0.1:8001/login", "en")
    assert lines[0].startswith("Sign in as every role: accounts for the pages at http://127.0.0.1:8001/login")
    rows = {line.split("  ")[0].strip(): line.split() for line in lines[3:9]}
    assert set(rows) == {"regional coordinator", "desk", "school staff", "second approver", "support staff",
                         "organisation"}
    assert rows["second approver"][-3:] == ["school-roc-2", "pw4", "school_staff"]
    assert lines[-3:] == ["  student 1: http://n/s/a", "  student 2: http://n/s/b", "  student 3: http://n/s/c"]
    dutch = sign_in_lines(accounts, links, "http://x/login")
    assert any(line.startswith("tweede fiatteur") for line in dutch) and dutch[-1] == "  student 3: http://n/s/c"


def test_the_links_are_read_from_the_plain_text_of_the_received_mails() -> None:
    mailbox = Mailbox()
    for n, body in enumerate(("Je uitslag: http://127.0.0.1:8003/s/tok1", "Overzicht voor de school",
                              "Open je link: http://127.0.0.1:8003/s/tok2")):
        message = EmailMessage()
        message["To"] = f"student{n}@example.nl"
        message.set_content(body)
        mailbox.messages.append(message)
    assert sign_in_links(mailbox) == ["http://127.0.0.1:8003/s/tok1", "http://127.0.0.1:8003/s/tok2"]


def test_the_late_students_are_new_students_of_the_first_school() -> None:
    area = demo_region.generate(40, seed=3)
    late = demo_region.late_students(area)
    assert len(late) == 3 and {s.school_id for s in late} == {area.schools[0].school_id}
    assert not {s.number for s in late} & {s.number for s in area.students}
    assert len({s.number for s in late}) == 3
