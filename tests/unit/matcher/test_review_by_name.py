"""The review page shows people, not codes (issue 14.6): the school's own students by name and student number,
places and organisations by name, reasons and hints in words; names asked of intake per page view for the
signed-in school only, never kept by the matcher; searched and paged on the server (50 a page)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from stagepool_shared.auth import Principal

from matcher import handlers
from tests.fakes.matcher import PERIOD, REGION, FakeStudentDirectory, event, place, wish

STAFF_A = Principal("usr-a", "school_staff", "sch-a", REGION)
COORD = Principal("usr-coord", "regional_coordinator", REGION, REGION)
NAMES = {"stu-1": ("sch-a", "Anna de Vries", "100001"), "stu-2": ("sch-b", "Bram Bakker", "200002"),
         "stu-3": ("sch-a", "Chris Jansen", "100003")}


@pytest.fixture
def directory():
    return FakeStudentDirectory(NAMES)


def signed_in(wiring, accounts, principal):
    client = wiring.app().test_client()
    session = accounts.start_session(principal)
    client.set_cookie("sp_session", session.session_id)
    client.csrf = session.csrf_token
    return client


def named_place(place_id, organisation, address, slots=1):
    return replace(place(place_id, slots), organisation_name=organisation, address=address)


def proposed_round(deps, refs=("stu-1", "stu-2", "stu-3"), schools=None, places=None):
    for ref in refs:
        handlers.handle(event("wish.submitted", wish(ref, (schools or NAMES)[ref][0])), deps)
    for p in places or [named_place("plc-1", "Zorggroep Noord", "Zorgweg 2, Assen", 2)]:
        handlers.handle(event("place.posted", p), deps)
    from matcher import commands
    round_id = commands.request_round(deps, COORD, REGION, PERIOD, "initial", seed=7)
    handlers.handle(deps.publisher.events("round.requested")[-1], deps)
    return round_id


def visible(html: str) -> str:
    """The page as a person sees it: without hidden form fields (the only place a pseudonym may sit)."""
    return re.sub(r'<input type="hidden"[^>]*>', "", html)


def test_staff_see_their_own_students_by_name_and_number_and_places_by_name_never_codes(wiring, accounts, directory):
    proposed_round(wiring.deps)
    body = signed_in(wiring, accounts, STAFF_A).get("/pages/review").get_data(as_text=True)
    shown = visible(body)
    assert "Anna de Vries" in shown and "100001" in shown and "Chris Jansen" in shown
    assert "Bram Bakker" not in shown  # another school's student
    assert "Zorggroep Noord" in shown and "Zorgweg 2, Assen" in shown
    assert "Geen plaats voldoet" in shown and "NO_ELIGIBLE_PLACE" not in shown
    for code in ("stu-1", "stu-3", "plc-1", "org-plc-1", "stu_", "pl_"):
        assert code not in shown
    assert directory.asked == [("sch-a", ["stu-1", "stu-3"])]  # only the signed-in school's own students


def test_names_are_asked_per_page_view_and_never_kept_published_or_stored(wiring, accounts, directory):
    proposed_round(wiring.deps)
    client = signed_in(wiring, accounts, STAFF_A)
    client.get("/pages/review")
    client.get("/pages/review")
    assert len(directory.asked) == 2
    store = wiring.deps.store
    kept = repr((store.rounds, store.by_period, store.frozen, store.stored_outcomes))
    published = repr([e.payload for e in wiring.deps.publisher.events()])
    for name in ("Anna de Vries", "100001", "Chris Jansen"):
        assert name not in kept and name not in published


def test_the_page_says_so_when_intake_cannot_give_names_and_still_shows_no_codes(wiring, accounts, directory):
    proposed_round(wiring.deps)
    directory.down = True
    answer = signed_in(wiring, accounts, STAFF_A).get("/pages/review")
    shown = visible(answer.get_data(as_text=True))
    assert answer.status_code == 200 and 'id="names-missing"' in shown and "naam niet beschikbaar" in shown
    assert "stu-1" not in shown and "stu-3" not in shown


@pytest.mark.parametrize("query, found, not_found", [
    ("anna", "Anna de Vries", "Chris Jansen"),
    ("100003", "Chris Jansen", "Anna de Vries"),
    ("zorgweg", "Anna de Vries", "Chris Jansen"),
    ("ZORGGROEP", "Anna de Vries", "Chris Jansen"),
])
def test_search_finds_by_name_student_number_place_and_organisation_on_the_server(
        wiring, accounts, query, found, not_found):
    proposed_round(wiring.deps, places=[named_place("plc-1", "Zorggroep Noord", "Zorgweg 2, Assen", 1)])
    body = signed_in(wiring, accounts, STAFF_A).get(f"/pages/review?q={query}").get_data(as_text=True)
    table = body.split('id="outcomes"')[1]
    assert found in table and not_found not in table
    assert f'value="{query}"' in body


def test_the_list_pages_by_fifty_with_links_that_keep_the_search(wiring, accounts):
    many = {f"stu-{i:03d}": ("sch-a", f"Student Achternaam{i:03d}", f"9{i:05d}") for i in range(120)}
    directory = FakeStudentDirectory(many)
    wiring.deps.directory = directory
    round_id = proposed_round(wiring.deps, refs=tuple(many), schools=many)
    client = signed_in(wiring, accounts, STAFF_A)
    first = client.get("/pages/review").get_data(as_text=True)
    assert first.split('id="outcomes"')[1].count("<tr") == 51  # header + 50
    assert "Achternaam000" in first and "Achternaam050" not in first and 'rel="next"' in first
    third = client.get(f"/pages/review?round={round_id}&page=3").get_data(as_text=True)
    assert third.split('id="outcomes"')[1].count("<tr") == 21 and "Achternaam119" in third
    assert 'rel="next"' not in third and "pagina 3 van 3" in third
    searched = client.get(f"/pages/review?round={round_id}&q=Achternaam1").get_data(as_text=True)
    assert '<p id="shown">20 studenten gevonden voor' in searched
    assert searched.split('id="outcomes"')[1].count("<tr") == 21


def test_the_review_page_reads_in_english_too(wiring, accounts):
    proposed_round(wiring.deps)
    body = signed_in(wiring, accounts, STAFF_A).get("/pages/review?lang=en").get_data(as_text=True)
    assert "Search by name, student number, place or organisation" in body and "student number 100001" in body
    assert "No place meets every hard constraint" in body and "Object" in body
