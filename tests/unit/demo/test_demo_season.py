"""The demo's season blocks print what the services answered: next year's board as reporting renders its
download, the what-if comparison as the matcher exports it, and the aftercare figures as reporting's aftercare
API answers them. Each test feeds the service's own renderer (or answer shape) and checks the printed figures."""

from __future__ import annotations

from demo import aftercare, ahead, fast_track, variants, whatif
from demo import region as demo_region
from demo.season_summary import aftercare_block, board_block, scenario_block, season_blocks, variants_block
from matcher.entrypoints.scenario_view import export_rows
from matcher.scenarios.compare import Comparison
from matcher.scenarios.figures import PolicyFigures
from reporting.domain.board import Board, BoardRow
from reporting.report.board import render_board_csv
from stagepool_shared.web.listing import xlsx_bytes

P = "2027-najaar"


def board_csv(care_demand: int = 420, care_supply: int = 300) -> str:
    """Reporting's own board download of a board with a care shortage (a warning) and a small ICT cell."""
    sectors = (BoardRow((P, "ict"), forecast=130, demand=130, supply=3, last_year=119),
               BoardRow((P, "zorg"), forecast=care_demand, demand=care_demand, supply=care_supply, last_year=365,
                        warning=True))
    board = Board("GRD", "2027-2028", 50, (P,), sectors, (), (), {"taking_part": 297, "opted_out": 1, "not_open": 1},
                  {"no_supervisor": 1})
    return render_board_csv(board)


def test_the_board_is_read_from_reportings_download_with_its_small_cells_and_participation() -> None:
    board = ahead.parse_board_csv(board_csv())
    assert board.school_year == "2027-2028"
    assert [(line.sector, line.values["demand"], line.values["supply"]) for line in board.sectors] == [
        ("ict", "130", "<5"), ("zorg", "420", "300")]
    assert board.participation == {"taking_part": 297, "opted_out": 1, "not_open": 1}
    assert board.opt_out_reasons == {"no_supervisor": 1} and board.warnings == 1


def test_the_board_block_prints_the_boards_own_cells_in_dutch_and_english() -> None:
    dutch = board_block(ahead.parse_board_csv(board_csv()), "nl")
    care = next(line for line in dutch.splitlines() if line.startswith("zorg"))
    assert care.split() == ["zorg", "420", "300", "+120", "365", "+55", "ja"]
    assert "297 doen mee, 1 afgemeld (1 geen begeleider), 1 niet open voor stagematching" in dutch
    assert "<5" in next(line for line in dutch.splitlines() if line.startswith("ict"))
    english = board_block(ahead.parse_board_csv(board_csv(care_demand=500, care_supply=310)), "en")
    assert next(line for line in english.splitlines() if line.startswith("care")).split() == [
        "care", "500", "310", "+190", "365", "+135", "yes"]
    assert "297 taking part, 1 opted out (1 no supervisor)" in english


def test_the_run_waits_until_the_board_shows_every_organisations_statement() -> None:
    board = ahead.parse_board_csv(board_csv())
    assert ahead.complete(board, {"taking_part": 297, "opted_out": 1, "not_open": 1, "nothing_to_copy": 1})
    assert not ahead.complete(board, {"taking_part": 298, "opted_out": 1, "not_open": 1})
    assert not ahead.complete(board, {"taking_part": 297, "opted_out": 2, "not_open": 1})


def test_the_schools_forecast_one_line_per_programme_level_and_year_from_their_own_students() -> None:
    area = demo_region.generate(300, seed=5)
    school = area.schools[0]
    lines = ahead.forecast_lines(school)
    keys = [(x["crebo"], x["level"], x["study_year"]) for x in lines]
    assert len(keys) == len(set(keys)) and all(x["period_id"] == ahead.NEXT_PERIOD for x in lines)
    care = [s for s in school.students if s.sector == "zorg"]
    care_lines = [x for x in lines if x["crebo"] in demo_region.SECTORS["zorg"][2]]
    assert sum(x["students"] for x in care_lines) >= len(care) > 0  # care grows (GROWTH 1.10)


def test_one_care_organisation_opts_out_and_one_hospitality_organisation_is_not_open() -> None:
    area = demo_region.generate(300, seed=5)
    kept = whatif.busiest_care_organisation(area)
    closing = ahead.closing_organisations(area, keep=kept)
    sector = {o.organisation_id: o.places[0].sector for o in area.organisations}
    assert sector[closing.opted_out] == "zorg" and closing.opted_out != kept
    assert sector[closing.not_open] == "horeca"
    care = {o.organisation_id: sum(p.slots for p in o.places if p.sector == "zorg") for o in area.organisations}
    assert care[kept] == max(care.values())


def policy(name: str, placed: int, worst: float, top1: int) -> PolicyFigures:
    return PolicyFigures(name, 100, placed, {"NO_ELIGIBLE_PLACE": 100 - placed}, (), worst, 0.01,
                         {"top1": top1, "top3": top1, "other": placed - top1, "none": 100 - placed}, 0, 0.0, 0, 0)


def exported(placed: list[int]) -> bytes:
    """The matcher's own XLSX export (English) of a comparison of the four policies."""
    names = ("stagepool", "da_common", "da_per_place", "first_come")
    comparison = Comparison(100, 10, 80, tuple(policy(n, p, p / 200, p // 2) for n, p in zip(names, placed)))
    rows, columns = export_rows(comparison, ["Places +20 at org-care · zorg"], "en")
    return xlsx_bytes(rows, columns)


def test_the_scenario_difference_per_policy_is_after_minus_before_as_the_matcher_exported_them() -> None:
    figures = whatif.ScenarioFigures("scn-1", "org-care", 20, whatif.parse_export(exported([60, 58, 57, 50])),
                                     whatif.parse_export(exported([75, 70, 71, 52])))
    assert [figures.placed_difference(x) for x in whatif.LETTERS] == [15, 12, 14, 2]
    assert whatif.english_line(figures) == ("what-if +20 care places at org-care: placed (a) 60->75 (+15), "
                                            "(b) 58->70 (+12), (c) 57->71 (+14), (d) 50->52 (+2)")
    dutch = scenario_block(figures, "nl")
    row = next(line for line in dutch.splitlines() if line.startswith("(a)"))
    assert row.split()[:5] == ["(a)", "Stagepool-regel", "60", "75", "+15"]
    assert "30.0 % -> 37.5 %" in row and "30 -> 37" in row
    assert "(d) wie het eerst komt, per school" in dutch and "+20 zorgplekken bij org-care" in dutch


def outcome(ref: str, status: str = "kept", place: str | None = "plc-1") -> dict:
    return {"student_ref": ref, "status": status, "place_id": place, "organisation_id": "org-1" if place else None,
            "school_id": "roc"}


def test_the_accepting_students_are_the_first_three_holding_a_place() -> None:
    record = {"outcomes": [outcome("stu_d"), outcome("stu_a", "unplaced", None), outcome("stu_c", "placed"),
                           outcome("stu_b"), outcome("stu_e")]}
    assert [o["student_ref"] for o in aftercare.choose_students(record)] == ["stu_b", "stu_c", "stu_d"]


def test_the_aftercare_block_counts_what_reporting_answered() -> None:
    intros = [{"status": None}, {"status": "confirmed"}, {"status": "rejected", "reason_code": "competences_mismatch"}]
    figures = aftercare.AftercareFigures(3, {"signed": 1, "draft": 1, "sent": 1}, aftercare.count_rejections(intros),
                                         {"open": 1}, {"competences_mismatch": 1})
    dutch = " ".join(aftercare_block(figures, "nl").split())
    assert "3 studenten accepteerden hun plaats. POK's: 1 concept, 1 verstuurd, 1 ondertekend." in dutch
    assert "1 afgewezen na het gesprek (1 competenties passen niet)" in dutch and "1 open, 0 afgehandeld" in dutch
    assert aftercare.english_line(figures) == ("aftercare: 3 accepted; POKs 1 draft, 1 sent, 1 signed; kennismaking "
                                               "rejected 1 competences_mismatch; follow-up tasks 1 open, 0 done; "
                                               "fast-track rounds none")
    assert "Snelle herplaatsing" not in aftercare_block(figures, "nl")
    none = aftercare.AftercareFigures(2, {"draft": 2}, aftercare.count_rejections(intros[:2]), {}, {})
    assert "0 afgewezen na het gesprek (geen)" in " ".join(aftercare_block(none, "nl").split())


def test_only_the_blocks_that_exist_are_printed() -> None:
    assert season_blocks(None, None, None) == []
    assert len(season_blocks(ahead.parse_board_csv(board_csv()), None, aftercare.AftercareFigures(1))) == 2


REPORT = """region,period,section,key,key2,key3,column,value
GRD,2026-najaar,rounds,rnd-2,rematch,,students,2003
GRD,2026-najaar,by_variant,1,all,,students,2003
GRD,2026-najaar,by_variant,1,all,,first_choice,23.1%
GRD,2026-najaar,by_variant,1,all,,any_candidate,–
GRD,2026-najaar,by_variant,1,all,,top3,32.4%
GRD,2026-najaar,by_variant,1,all,,none,39.6%
GRD,2026-najaar,by_variant,1,ROC Hunzeland,zorg,students,312
"""


def test_the_figures_per_variant_are_the_period_reports_rows_of_every_school_together() -> None:
    lines = variants.parse_report(REPORT)
    assert [(v.variant, dict(v.cells)) for v in lines] == [("1", {"students": "2003", "first_choice": "23.1%",
                                                                  "any_candidate": "–", "top3": "32.4%",
                                                                  "none": "39.6%"})]
    assert variants.lists_round(REPORT, "rnd-2") and not variants.lists_round(REPORT, "rnd-3")
    row = next(line for line in variants_block(lines, "nl").splitlines() if line.split()[:1] == ["1"])
    assert row.split() == ["1", "2003", "23.1%", "–", "32.4%", "39.6%"]
    assert variants.english_line(lines).startswith("figures per variant: variant 1: 2003 students, first choice 23.1%")
    assert variants.parse_report(REPORT.replace("by_variant", "headline")) == []
    assert len(season_blocks(None, None, None, "nl", lines)) == 1


def test_the_fast_track_rounds_are_the_matchers_rounds_of_that_kind_by_status() -> None:
    rounds = [{"round_id": "r1", "kind": "initial", "status": "released"},
              {"round_id": "r2", "kind": "fast_track", "status": "proposed"},
              {"round_id": "r3", "kind": "fast_track", "status": "requested"},
              {"round_id": "r4", "kind": "fast_track", "status": "proposed"}]
    figures = aftercare.AftercareFigures(1, {"draft": 1}, fast_track=aftercare.fast_track_rounds(rounds))
    assert figures.fast_track == {"proposed": 2, "requested": 1}
    dutch = " ".join(aftercare_block(figures, "nl").split())
    assert "Snelle herplaatsing (matcher): 3 ronde(s) voor losse studenten (1 wordt berekend, 2 voorgesteld)." in dutch
    assert aftercare.english_line(figures).endswith("fast-track rounds 2 proposed, 1 requested")


EVALUATION_REPORT = """region,period,section,key,key2,key3,column,value
GRD,2026-najaar,follow_up,failed,,,value,<5
GRD,2026-najaar,evaluation_response,student,,,placements_started,6
GRD,2026-najaar,evaluation_response,student,,,evaluated,5
GRD,2026-najaar,evaluation_response,student,,,response_share,83.3%
GRD,2026-najaar,evaluation_response,organisation,,,placements_started,6
GRD,2026-najaar,evaluation_response,organisation,,,evaluated,5
GRD,2026-najaar,evaluation_response,organisation,,,response_share,83.3%
GRD,2026-najaar,evaluation_response,school,,,placements_started,6
GRD,2026-najaar,evaluation_response,school,,,evaluated,<5
GRD,2026-najaar,evaluation_response,school,,,response_share,<5
"""


def test_the_aftercare_block_adds_the_re_placements_contact_moments_and_evaluation_response() -> None:
    response = aftercare.evaluation_response(EVALUATION_REPORT)
    assert response["student"] == {"placements_started": "6", "evaluated": "5", "response_share": "83.3%"}
    assert aftercare.evaluation_response(REPORT) == {}
    figures = aftercare.AftercareFigures(10, {"active": 6}, {"team_fit": 1, "competences_mismatch": 1},
                                         {"open": 1, "done": 1}, {}, {"released": 1}, re_placed=2,
                                         median_fast_track_s=41.4,
                                         contacts={"followed": 6, "compliant": 4, "missing": 3}, evaluations=response)
    dutch = " ".join(aftercare_block(figures, "nl").split())
    assert "2 afgewezen student(en) zo opnieuw geplaatst; het voorstel was er in een mediaan van 41 s na" in dutch
    assert "bij 4 van de 6 gestarte stages de drie van de regel (een op de werkplek); 3 contactmoment(en)" in dutch
    assert ("gestarte stages 6; geëvalueerd door student 5 (83.3%), organisatie 5 (83.3%), school <5 (<5)."
            in dutch)
    english = aftercare.english_line(figures)
    assert "fast-track rounds 1 released, 2 re-placed (median 41 s from rejection to release)" in english
    place = fast_track.fitting_place("p", {"sector": "zorg", "crebo": "25491", "level": 3, "home": {"pc4": "9711"}},
                                     "Herplaatsing BV")
    assert (place["crebos"], place["levels"], place["location"], place["slots"]) == (["25491"], [3],
                                                                                     {"postcode": "9711"}, 1)
    assert english.endswith("contact rule met 4 of 6, 3 moments missing; evaluated student 5 (83.3%), "
                            "organisation 5 (83.3%), school <5 (<5)")


class _Stub:
    """A client answering GET paths from a table (the demo's clients answer decoded JSON the same way)."""

    def __init__(self, answers: dict) -> None:
        self.answers = answers

    def call(self, method: str, path: str, **_: object) -> object:
        return self.answers[path]


def test_the_contact_figures_count_the_placements_meeting_the_rule_and_the_moments_missing() -> None:
    statuses = {"stu_a": {"compliant": True, "missing": []}, "stu_b": {"compliant": False, "missing": ["contacts:1"]},
                "stu_c": {"compliant": False, "missing": ["contacts:2", "on_site"]}}
    held = [aftercare.Party(ref, "roc", "org", None, None, _Stub(
        {f"/api/v1/followup/placements/{ref}/contacts": status}), None) for ref, status in statuses.items()]
    assert aftercare.contact_figures(held, "p") == {"followed": 3, "compliant": 1, "missing": 4}


def test_the_fast_track_is_found_once_every_rejected_student_is_named_in_a_settled_round() -> None:
    heads = [{"round_id": "ftr-1", "kind": "fast_track", "status": "proposed"},
             {"round_id": "ftr-2", "kind": "fast_track", "status": "requested"},
             {"round_id": "rnd-1", "kind": "rematch", "status": "released"}]
    records = {"ftr-1": {"round_id": "ftr-1", "status": "proposed", "outcomes": [{"student_ref": "stu_a"}]}}

    class Coordinator:
        def rounds(self, region_id: str) -> list[dict]:
            return heads

        def round(self, round_id: str) -> dict:
            return records[round_id]

    assert fast_track._rounds_naming(Coordinator(), "GRD", {"stu_a", "stu_b"}) is None
    assert fast_track._rounds_naming(Coordinator(), "GRD", {"stu_a"}) == [records["ftr-1"]]
    assert fast_track._seconds("2026-12-03T10:00:00+00:00", "2026-12-03T10:00:41+00:00") == 41.0
    assert fast_track.median([41.0, 30.0, 90.0]) == 41.0 and fast_track.median([]) is None
