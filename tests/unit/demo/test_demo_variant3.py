"""Variant 3 in the demo (issue 15.3): one school sets variant 3 for each of its programmes, its scripted students
make a ranked top 3 from their catalogue through intake's API, and the summary says how many chose and how many
of them hold a place from their own top 3 in the latest released round."""

from __future__ import annotations

from demo import variant3, variants
from demo import region as demo_region
from demo.season_summary import season_blocks
from demo.summary import WIDTH
from stagepool_shared.auth import pseudonym
from tests.fakes.demo import Recorder, StudentClients

SECRET = b"demo-secret"


def catalogues(empty: frozenset[str] = frozenset()) -> StudentClients:
    """Every student's catalogue answers eight places, the students in `empty` none."""
    return StudentClients(lambda ref: {"places": [] if ref in empty else [{"place_id": f"pl-{i}"} for i in range(8)]})


def test_the_last_school_sets_variant_3_for_each_of_its_programmes():
    area = demo_region.generate(120, None, 2026)
    school = Recorder()
    run = variant3.set_variant3(school, area)
    assert run.school_id == area.schools[-1].school_id and run.students == len(area.schools[-1].students)
    assert [c[2] for c in school.calls] == [{"period_id": area.period_id, "crebo": c, "variant": 3}
                                            for c in sorted({s.crebo for s in area.schools[-1].students})]


def test_scripted_students_put_a_ranked_top_3_from_their_catalogue_and_an_empty_catalogue_is_skipped():
    area = demo_region.generate(120, None, 2026)
    run = variant3.set_variant3(Recorder(), area)
    students = area.schools[-1].students[:5]
    refs = [pseudonym(SECRET, s.school_id, s.number) for s in students]
    clients = catalogues(empty=frozenset({refs[0]}))
    assert variant3.script_top3(clients, area, run, SECRET, limit=5) == 4
    for ref in refs[1:]:
        (get, _, _), (put, path, body) = clients.by_ref[ref].calls
        top = body["top_places"]
        assert (get, put, path) == ("GET", "PUT", f"/api/v1/catalogue/{area.period_id}/top3")
        assert len(set(top)) == 3 and set(top) <= {f"pl-{i}" for i in range(6)} and top == sorted(top)
        assert run.tops[ref] == top
    assert refs[0] not in run.tops and len(clients.by_ref[refs[0]].calls) == 1


def test_the_summary_counts_who_holds_a_place_from_their_own_top_3():
    run = variant3.Variant3Run("sch-9", "ROC Negen", 50, ("25491",),
                               tops={"a": ["p1", "p2", "p3"], "b": ["p4", "p5", "p6"], "c": ["p7", "p8", "p9"]})
    record = {"outcomes": [
        {"student_ref": "a", "status": "placed", "place_id": "p2"},  # from the top 3
        {"student_ref": "b", "status": "kept", "place_id": "p6"},  # kept from an earlier round: still counts
        {"student_ref": "c", "status": "placed", "place_id": "p1"},  # another place
        {"student_ref": "z", "status": "placed", "place_id": "p7"},  # not a scripted student
        {"student_ref": "d", "status": "unplaced", "place_id": None}]}
    assert variant3.count_got_top3(run, record) == 2
    [dutch] = variant3.summary_line(run, "nl")
    assert "ROC Negen: 3 van de 50 studenten maakten hun top 3 via de API van intake; 2 van hen" in " ".join(
        dutch.split())
    [english] = variant3.summary_line(run, "en")
    assert "3 of the 50 students made their top 3 through intake's API; 2 of them got a place from their top 3" in \
        " ".join(english.split())
    assert max(map(len, english.splitlines())) <= WIDTH
    assert variant3.summary_line(None, "en") == []


def test_the_variant_3_line_is_printed_below_the_table_of_figures_per_variant():
    lines = [variants.VariantLine("3", {"students": "50", "top3": "40.0%"})]
    [block] = season_blocks(None, None, None, "en", lines, ["Variant 3 at ROC Negen: ..."])
    assert block.index("40.0%") < block.index("Variant 3 at ROC Negen") and "is said below the table" in block
