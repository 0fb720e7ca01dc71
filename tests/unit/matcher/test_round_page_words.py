"""The coordinator's round page in words (issue 14.16): schools by their display name from intake (asked once
per page view; the id when intake cannot answer, with no error), reasons in words; and the flash "the proposal
is being computed" only while the round is being computed (issue 14, a stale flash)."""

from __future__ import annotations

import re

import pytest

from matcher import handlers
from tests.fakes.matcher import PERIOD, FakeStudentDirectory, event, place
from tests.unit.matcher.test_pages_matcher import approve_as, coordinator_round, pool, signed_in, start_round

SCHOOLS = {"sch-a": "ROC Alfa College", "sch-b": "Beta Vakschool"}
COMPUTING = "Het voorstel wordt berekend"


@pytest.fixture
def directory():
    return FakeStudentDirectory(schools=SCHOOLS)


def visible(html: str) -> str:
    """The page's text as a person sees it: no tags, no attributes."""
    return re.sub(r"<[^>]+>", " ", html)


def test_the_round_page_names_schools_by_their_display_name_in_figures_approval_and_comparison(
        deps, app, accounts, directory):
    coordinator, _ = coordinator_round(deps, app, accounts)
    handlers.handle(event("place.posted", place("plc-2", 5)), deps)
    round_id = start_round(deps, coordinator)
    approve_as(app, accounts, round_id, "staff-b")
    directory.schools_asked.clear()
    body = coordinator.get(f"/pages/coordinator/rounds/{round_id}").get_data(as_text=True)
    text = visible(body)
    assert "sch-a" not in text and "sch-b" not in text
    rows = body.split('id="approval-schools"')[1].split("</table>")[0]
    assert "ROC Alfa College" in rows and "Beta Vakschool" in rows
    assert "ROC Alfa College" in body.split('id="chart-school"')[1].split("</figure>")[0]
    assert "Beta Vakschool" in body.split('id="compare"')[1].split("</table>")[0]
    assert "Beta Vakschool" in body.split('id="audit-trail"')[1].split("</ol>")[0]
    assert len(directory.schools_asked) == 1  # intake asked once for the whole page
    assert set(directory.schools_asked[0]) == {"sch-a", "sch-b"}


def test_the_release_conflict_names_the_schools_that_still_have_to_approve(deps, app, accounts):
    client, round_id = coordinator_round(deps, app, accounts, support=True)
    answer = client.post(f"/pages/coordinator/rounds/{round_id}/release",
                         data={"csrf_token": client.csrf, "respond_by": "2030-01-10T17:00", "release_now": "1"})
    conflict = answer.get_data(as_text=True).split('id="conflict"')[1].split("</div>")[0]
    assert answer.status_code == 409 and "ROC Alfa College" in conflict and "sch-a" not in visible(conflict)


def test_the_overview_s_school_chart_names_schools_too(deps, app, accounts):
    client, _ = coordinator_round(deps, app, accounts)
    chart = client.get("/pages/coordinator").get_data(as_text=True).split('id="chart-school"')[1]
    assert "ROC Alfa College" in chart.split("</figure>")[0]


def test_without_intake_the_round_page_shows_the_school_ids_and_no_error(deps, app, accounts, directory):
    client, round_id = coordinator_round(deps, app, accounts)
    directory.down = True
    answer = client.get(f"/pages/coordinator/rounds/{round_id}")
    rows = answer.get_data(as_text=True).split('id="approval-schools"')[1].split("</table>")[0]
    assert answer.status_code == 200 and ">sch-a<" in rows and ">sch-b<" in rows


def test_a_school_intake_does_not_know_keeps_its_id(deps, app, accounts, directory):
    directory.schools.pop("sch-b")
    pool(deps)
    client = signed_in(app, accounts, "coord")
    body = client.get(f"/pages/coordinator/rounds/{start_round(deps, client)}").get_data(as_text=True)
    rows = body.split('id="approval-schools"')[1].split("</table>")[0]
    assert "ROC Alfa College" in rows and ">sch-b<" in rows


def test_reasons_are_words_on_the_round_page_in_both_languages(deps, app, accounts):
    client, round_id = coordinator_round(deps, app, accounts)
    for lang in ("nl", "en"):
        body = client.get(f"/pages/coordinator/rounds/{round_id}?lang={lang}").get_data(as_text=True)
        assert not re.search(r"\b[A-Z]+(_[A-Z]+)+\b", visible(body)), lang  # no code like NO_ELIGIBLE_PLACE


def test_the_computing_flash_shows_only_while_the_round_is_being_computed(deps, app, accounts):
    pool(deps)
    client = signed_in(app, accounts, "coord")
    answer = client.post("/pages/coordinator/rounds", data={"csrf_token": client.csrf, "period_id": PERIOD,
                                                            "seed": "7"})
    started = answer.headers["Location"]
    assert "started=1" in started
    page = client.get(started).get_data(as_text=True)
    assert COMPUTING in page  # requested, not yet computed
    handlers.handle(deps.publisher.events("round.requested")[-1], deps)
    page = client.get(started).get_data(as_text=True)  # the same address, now with a proposal
    assert COMPUTING not in page and "being computed" not in page
    assert 'id="figures"' in page


def test_the_round_s_outcome_list_names_schools_and_still_filters_by_school(deps, app, accounts):
    client, round_id = coordinator_round(deps, app, accounts)
    body = client.get(f"/pages/coordinator/rounds/{round_id}/outcomes").get_data(as_text=True)
    table = body.split("<tbody>")[1].split("</tbody>")[0]
    assert "ROC Alfa College" in table and "Beta Vakschool" in table and ">sch-a<" not in table
    assert re.search(r'<option value="sch-a"\s*>ROC Alfa College</option>', body)
    only_b = client.get(f"/pages/coordinator/rounds/{round_id}/outcomes?school=sch-b").get_data(as_text=True)
    rows = only_b.split("<tbody>")[1].split("</tbody>")[0]
    assert "Beta Vakschool" in rows and "ROC Alfa College" not in rows
    found = client.get(f"/pages/coordinator/rounds/{round_id}/outcomes?q=alfa").get_data(as_text=True)
    assert "ROC Alfa College" in found.split("<tbody>")[1] and "Beta Vakschool" not in found.split("<tbody>")[1]
