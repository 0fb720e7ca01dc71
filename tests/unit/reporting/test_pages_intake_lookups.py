"""What reporting's coordinator pages ask intake (issue 14): schools by their display name on the figures page,
the downloaded report and the students' pages (16; the id, with no error, when intake cannot answer), one set
of figures explained (16), and a student found by school and student number, shown by pseudonym only (10)."""

from __future__ import annotations

import re

import pytest

from reporting.domain.figures import PeriodSnapshot, PlacementFact, RoundFact, WishFact
from tests.fakes import FakeAccounts
from tests.fakes.reporting import COORDINATOR, PERIOD, REGION, STUDENT, FakeIntakeLookups, bootstrap_with_doubles

SCHOOLS = {"sch-alfa": "ROC Alfa College", "sch-beta": "Beta Vakschool"}
CANARY = "CANARY-Zwaantje-Kwibus"


def _period() -> PeriodSnapshot:
    """Two schools of six students; the one round's own lowest rate (per school and sector) is 53.4%."""
    wishes = [WishFact(f"stu-a{i}", "sch-alfa", "zorg", 4) for i in range(6)]
    wishes += [WishFact(f"stu-b{i}", "sch-beta", "techniek", 3) for i in range(6)]
    placements = [PlacementFact(w.student_ref, w.school_id, "placed" if i % 2 else "unplaced",
                                reason_code=None if i % 2 else "ALL_TAKEN_UNDER_FAIR_SHARE")
                  for i, w in enumerate(wishes)]
    summary = {"students": 12, "placed": 6, "worst_school_rate": 0.534, "best_school_rate": 0.6}
    return PeriodSnapshot(REGION, PERIOD, wishes=wishes, placements=placements,
                          rounds=[RoundFact("rnd-1", "initial", "2027-01-11T09:00:00Z", summary, {"seed": 7})])


@pytest.fixture
def lookups():
    return FakeIntakeLookups(schools=SCHOOLS, numbers={(REGION, "sch-alfa", "S1001"): STUDENT})


@pytest.fixture
def coordinator(views, publisher, clock, lookups):
    views.snapshots[(REGION, PERIOD)] = _period()
    accounts = FakeAccounts()
    wiring = bootstrap_with_doubles(views=views, publisher=publisher, clock=clock, accounts=accounts,
                                    lookups=lookups)
    client = wiring.app().test_client()
    session = accounts.start_session(COORDINATOR)
    client.set_cookie("sp_session", session.session_id)
    client.csrf = session.csrf_token
    return client


def visible(html: str) -> str:
    return re.sub(r"<[^>]+>", " ", html)


def test_the_figures_page_and_the_downloaded_report_name_schools_asking_intake_once(coordinator, lookups):
    body = coordinator.get(f"/pages/coordinator?period={PERIOD}").get_data(as_text=True)
    section = body.split('id="placement_per_school"')[1].split("</section>")[0]
    assert "ROC Alfa College" in section and "Beta Vakschool" in section
    assert "sch-alfa" not in visible(body) and "sch-beta" not in visible(body)
    assert [what for what, _ in lookups.asked] == ["school_names"]
    report = coordinator.get(f"/pages/coordinator/report/{PERIOD}.html").get_data(as_text=True)
    assert "ROC Alfa College" in report and "sch-alfa" not in visible(report)
    csv = coordinator.get(f"/pages/coordinator/report/{PERIOD}.csv").get_data(as_text=True)
    assert "sch-alfa" in csv  # the CSV keeps the ids as its keys


def test_without_intake_the_figures_page_shows_school_ids_and_no_error(coordinator, lookups):
    lookups.down = True
    answer = coordinator.get(f"/pages/coordinator?period={PERIOD}")
    section = answer.get_data(as_text=True).split('id="placement_per_school"')[1].split("</section>")[0]
    assert answer.status_code == 200 and "sch-alfa" in section


def test_the_report_shows_each_round_s_own_lowest_rate_as_the_round_page_does_and_says_why_the_period_s_differs(
        coordinator):
    body = coordinator.get(f"/pages/coordinator?period={PERIOD}").get_data(as_text=True)
    rounds = body.split('id="rounds"')[1].split("</section>")[0]
    assert "53.4%" in rounds  # the round's own figure: the same number the matcher's round page shows
    headline = body.split('id="headline"')[1].split("</section>")[0]
    assert "53.4%" not in headline and "50.0%" in headline  # the period's lowest school rate, counted otherwise
    note = body.split('id="figures-note">')[1].split("</p>")[0]
    assert "rondepagina" in note and "per school en sector" in note and "hele periode" in note
    assert not re.search(r"\b[A-Z]+(_[A-Z]+)+\b", visible(body))  # reasons in words, never codes


def test_the_students_list_and_the_story_name_the_school(coordinator, views):
    views.wishes[(REGION, PERIOD, STUDENT)] = WishFact(STUDENT, "sch-alfa", "zorg", 4)
    listing = coordinator.get("/pages/coordinator/students").get_data(as_text=True)
    assert "ROC Alfa College" in listing.split('id="students"')[1] and ">sch-alfa<" not in listing
    story = coordinator.get(f"/pages/coordinator/students/{STUDENT}").get_data(as_text=True)
    assert "ROC Alfa College" in story and "sch-alfa" not in visible(story)


def test_the_coordinator_opens_a_story_by_school_and_student_number_and_sees_no_name(coordinator, views, lookups):
    views.wishes[(REGION, PERIOD, STUDENT)] = WishFact(STUDENT, "sch-alfa", "zorg", 4)
    page = coordinator.get("/pages/coordinator/students").get_data(as_text=True)
    form = page.split('id="find-by-number"')[1].split("</form>")[0]
    assert '<option value="sch-alfa" >ROC Alfa College</option>' in re.sub(r"\s+", " ", form)
    answer = coordinator.post("/pages/coordinator/students/find",
                              data={"csrf_token": coordinator.csrf, "school_id": "sch-alfa", "student_number": "S1001"})
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/pages/coordinator/students/{STUDENT}")
    assert ("student_ref", (REGION, "sch-alfa", "S1001")) in lookups.asked
    story = coordinator.get(answer.headers["Location"]).get_data(as_text=True)
    assert STUDENT in story and CANARY not in story


def test_an_unknown_number_is_a_field_error_and_the_form_keeps_what_was_typed(coordinator):
    answer = coordinator.post("/pages/coordinator/students/find",
                              data={"csrf_token": coordinator.csrf, "school_id": "sch-beta", "student_number": "S9"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'id="student_number-error"' in body
    assert "Geen student met dit studentnummer bij deze school" in body and 'value="S9"' in body


def test_a_student_intake_knows_but_reporting_has_no_story_of_is_not_found_either(coordinator, lookups):
    lookups.numbers[(REGION, "sch-alfa", "S2002")] = "stu_" + "e" * 32
    answer = coordinator.post("/pages/coordinator/students/find",
                              data={"csrf_token": coordinator.csrf, "school_id": "sch-alfa", "student_number": "S2002"})
    assert answer.status_code == 422 and 'id="student_number-error"' in answer.get_data(as_text=True)


def test_missing_or_malformed_fields_are_all_named_at_once_and_intake_is_not_asked(coordinator, lookups):
    lookups.asked.clear()
    answer = coordinator.post("/pages/coordinator/students/find",
                              data={"csrf_token": coordinator.csrf, "school_id": "", "student_number": "S 1; x"},
                              query_string={"lang": "en"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'id="school_id-error"' in body and 'id="student_number-error"' in body
    assert "Choose the student&#39;s school." in body
    assert not [q for q in lookups.asked if q[0] == "student_ref"]


def test_when_intake_cannot_answer_the_page_says_so_at_the_field(coordinator, lookups):
    lookups.down = True
    answer = coordinator.post("/pages/coordinator/students/find",
                              data={"csrf_token": coordinator.csrf, "school_id": "sch-alfa", "student_number": "S1001"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 503 and "kan nu niet" in body and 'id="student_number-error"' in body


def test_reporting_asks_intake_over_http_only_once_intake_url_is_set():
    from dataclasses import replace

    from reporting.adapters.intake_lookups import HttpIntakeLookups
    from reporting.bootstrap import bootstrap
    from tests.fakes import FakeKeyValue
    from tests.fakes.reporting import settings_for

    settings = settings_for("127.0.0.1:9", "redis://127.0.0.1:9/0")
    assert bootstrap(settings, client=FakeKeyValue(), registry=None).deps.lookups is None
    wired = bootstrap(replace(settings, intake_url="http://intake:8001/", service_token="sp_" + "t" * 30),
                      client=FakeKeyValue(), registry=None).deps.lookups
    assert isinstance(wired, HttpIntakeLookups) and wired.base_url == "http://intake:8001"
    assert wired.session.headers["Authorization"] == "Bearer sp_" + "t" * 30
