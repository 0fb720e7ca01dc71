"""One student's whole story for the regional coordinator (issue 14.10), found from a search box, and the
region's student list behind it (issue 14.9): pseudonyms only, tenant-checked by region (another region's
student is a 404), paged, filtered and downloaded as XLSX."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from reporting.domain.figures import PlacementFact, RoundFact, WishFact
from reporting.domain.followup import ContactMoment
from stagepool_shared.auth import Principal
from tests.fakes import FakeAccounts
from tests.fakes.reporting import COORDINATOR, PERIOD, REGION, SCHOOL_PRINCIPAL, STUDENT, bootstrap_with_doubles

OTHER_COORDINATOR = Principal("usr-coord-x", "regional_coordinator", "reg-other", "reg-other")
FIRST = RoundFact("rnd-1", "initial", "2027-01-15T09:00:00Z", {}, {})
REMATCH = RoundFact("rnd-2", "rematch", "2027-01-29T09:00:00Z", {}, {})


@pytest.fixture
def site(views, publisher, clock):
    """The seeded student: unplaced in the first round, placed in the re-match and accepted, one contact
    moment; 59 more students of the region (every 3rd refused at org-x); one student of another region."""
    views.rounds[(REGION, PERIOD, STUDENT)] = [
        (FIRST, {"status": "unplaced", "reason_code": "ALL_TAKEN_UNDER_FAIR_SHARE", "school_id": "sch-alfa"}),
        (REMATCH, {"status": "placed", "organisation_id": "org-umcg", "place_id": "plc-umcg-01",
                   "school_id": "sch-alfa"})]
    views.placements[(REGION, PERIOD, STUDENT)] = PlacementFact(
        STUDENT, "sch-alfa", "accepted", "top1", None, "rnd-2", REMATCH.released_at, "org-umcg", "plc-umcg-01")
    views.contacts[(REGION, PERIOD, STUDENT)] = [ContactMoment("2027-02-25", "on_site", "organisation")]
    for n in range(1, 60):
        ref = f"stu_{n:032d}"
        views.wishes[(REGION, PERIOD, ref)] = WishFact(ref, "sch-beta", "zorg", 3)
        if n % 3 == 0:
            views.placements[(REGION, PERIOD, ref)] = PlacementFact(ref, "sch-beta", "refused", "none", None,
                                                                    "rnd-1", FIRST.released_at, "org-x", "plc-x")
    views.wishes[("reg-other", "p-other", "stu_" + "f" * 32)] = WishFact("stu_" + "f" * 32, "sch-z", "zorg", 2)
    accounts = FakeAccounts()
    wiring = bootstrap_with_doubles(views=views, publisher=publisher, clock=clock, accounts=accounts)

    def client_for(principal):
        client = wiring.app().test_client()
        client.set_cookie("sp_session", accounts.start_session(principal).session_id)
        return client

    return client_for


def refs(body: str) -> list[str]:
    table = body.split('<table id="students">', 1)[1].split("</table>", 1)[0] if 'id="students"' in body else ""
    return re.findall(r'<a href="/pages/coordinator/students/([^"]+)">', table)


def test_the_coordinator_finds_a_student_from_the_search_box_on_the_figures_page(site):
    client = site(COORDINATOR)
    figures = client.get("/pages/coordinator").get_data(as_text=True)
    assert 'action="/pages/coordinator/students"' in figures and 'name="q"' in figures
    assert refs(client.get(f"/pages/coordinator/students?q={STUDENT[:12]}").get_data(as_text=True)) == [STUDENT]


def test_the_story_shows_wish_rounds_outcome_answer_and_follow_up(site):
    answer = site(COORDINATOR).get(f"/pages/coordinator/students/{STUDENT}")
    body = answer.get_data(as_text=True)
    assert answer.status_code == 200
    wish = body.split(f'id="wish-{PERIOD}"', 1)[1].split("</dl>", 1)[0]
    assert "sch-alfa" in wish and "zorg, niveau 4" in wish
    rounds = body.split(f'id="rounds-{PERIOD}"', 1)[1].split("</table>", 1)[0]
    assert re.search(r"rnd-1 \(eerste ronde\).*niet geplaatst.*passende plaatsen allemaal bezet", rounds, re.S)
    assert re.search(r"rnd-2 \(herronde\).*geplaatst.*org-umcg, plc-umcg-01", rounds, re.S)
    assert "ALL_TAKEN_UNDER_FAIR_SHARE" not in rounds
    assert rounds.index("rnd-1") < rounds.index("rnd-2")
    outcome = body.split(f'id="outcome-{PERIOD}"', 1)[1].split("</p>", 1)[0]
    assert "geaccepteerd" in outcome and "org-umcg" in outcome
    assert "2027-02-25: op de stagelocatie" in body.split(f'id="contacts-{PERIOD}"', 1)[1]


def test_the_story_is_in_english_on_request(site):
    body = site(COORDINATOR).get(f"/pages/coordinator/students/{STUDENT}?lang=en").get_data(as_text=True)
    assert "Story of student" in body and "accepted" in body and "on site" in body


@pytest.mark.parametrize("ref", ["stu_" + "f" * 32, "stu_" + "0" * 32, "../x"])
def test_a_student_of_another_region_or_unknown_is_a_404(site, ref):
    assert site(COORDINATOR).get(f"/pages/coordinator/students/{ref}").status_code == 404


def test_another_regions_coordinator_and_school_staff_get_404(site):
    assert site(OTHER_COORDINATOR).get(f"/pages/coordinator/students/{STUDENT}").status_code == 404
    assert STUDENT not in site(OTHER_COORDINATOR).get("/pages/coordinator/students").get_data(as_text=True)
    assert site(SCHOOL_PRINCIPAL).get(f"/pages/coordinator/students/{STUDENT}").status_code == 404
    assert site(SCHOOL_PRINCIPAL).get("/pages/coordinator/students").status_code == 404


def test_the_student_list_pages_and_filters_by_status_school_and_organisation(site):
    client = site(COORDINATOR)
    first = client.get("/pages/coordinator/students").get_data(as_text=True)
    assert len(refs(first)) == 50 and "1–50 van 60" in first and "stu_" + "f" * 32 not in first
    assert len(refs(client.get("/pages/coordinator/students?page=2").get_data(as_text=True))) == 10
    assert len(refs(client.get("/pages/coordinator/students?status=refused").get_data(as_text=True))) == 19
    assert refs(client.get("/pages/coordinator/students?school=sch-alfa").get_data(as_text=True)) == [STUDENT]
    assert len(refs(client.get("/pages/coordinator/students?q=org-x").get_data(as_text=True))) == 19
    bad = client.get("/pages/coordinator/students?status=gone&page=0")
    assert bad.status_code == 422 and 'id="status-error"' in bad.get_data(as_text=True)


def test_the_student_list_xlsx_has_the_filtered_rows(site):
    client = site(COORDINATOR)
    page = refs(client.get("/pages/coordinator/students?status=refused").get_data(as_text=True))
    answer = client.get("/pages/coordinator/students?status=refused&download=xlsx")
    assert answer.status_code == 200
    rows = [[c.value for c in r] for r in load_workbook(io.BytesIO(answer.get_data())).active.iter_rows()]
    assert rows[0][:4] == ["Pseudoniem", "School", "Periodes", "Status"]
    assert [r[0] for r in rows[1:]] == page and {r[3] for r in rows[1:]} == {"geweigerd"}
