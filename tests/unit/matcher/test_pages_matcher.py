"""The matcher's pages through Flask's test client: the coordinator's overview, starting, comparing and
releasing rounds, and the review page of school and support staff. Built through bootstrap with the
in-memory store, a FakePublisher and FakeAccounts (sessions; the fixtures are in conftest.py), so no server
is needed."""

from __future__ import annotations

import re
from dataclasses import replace

from stagepool_shared.auth import Principal
from stagepool_shared.events.places import PlaceWithdrawn

from matcher import handlers
from matcher.adapters.ortools_solver import OrToolsRoundSolver
from matcher.jobs import release_due_rounds
from tests.fakes.matcher import PERIOD, REGION, event, place, wish

PEOPLE = {
    "coord": Principal("usr-coord", "regional_coordinator", REGION, REGION),
    "staff-a": Principal("usr-a", "school_staff", "sch-a", REGION),
    "staff-a2": Principal("usr-a2", "school_staff", "sch-a", REGION),
    "support-a": Principal("usr-sa", "support_staff", "sch-a", REGION),
    "staff-b": Principal("usr-b", "school_staff", "sch-b", REGION),
    "staff-b2": Principal("usr-b2", "school_staff", "sch-b", REGION),
    "org": Principal("usr-org", "organisation_staff", "org-plc-1", REGION),
}


def signed_in(app, accounts, who):
    client = app.test_client()
    session = accounts.start_session(PEOPLE[who])
    client.set_cookie("sp_session", session.session_id)
    client.csrf = session.csrf_token
    return client


def pool(deps, support=False):
    for env in (event("wish.submitted", wish("stu-1", "sch-a", support=support)),
                event("wish.submitted", wish("stu-2", "sch-b")), event("wish.submitted", wish("stu-3", "sch-a")),
                event("place.posted", place("plc-1", 2))):
        handlers.handle(env, deps)


def start_round(deps, client, **fields):
    answer = client.post("/pages/coordinator/rounds", data={"csrf_token": client.csrf, "period_id": PERIOD,
                                                            "seed": "7", **fields})
    assert answer.status_code == 302
    handlers.handle(deps.publisher.events("round.requested")[-1], deps)
    return answer.headers["Location"].split("/rounds/")[1].split("?")[0]


def coordinator_round(deps, app, accounts, support=False):
    """The pool, the coordinator signed in, and one round proposed: (the coordinator's client, the round id)."""
    pool(deps, support=support)
    client = signed_in(app, accounts, "coord")
    return client, start_round(deps, client)


def test_the_coordinator_sees_demand_and_slots_as_charts_with_the_numbers(deps, app, accounts):
    pool(deps)
    body = signed_in(app, accounts, "coord").get("/pages/coordinator").get_data(as_text=True)
    assert 'id="held-releases"' not in body  # no release held: no alert
    assert "Regio-overzicht" in body and '<html lang="nl">' in body
    bars = dict(re.findall(r'data-label="([^"]+)" data-value="([^"]+)"', body))
    sector = wish("x").sector
    assert bars[f"{sector} Studenten die zoeken"] == "3" and bars[f"{sector} Vrije plekken"] == "2"
    assert bars[f"{PERIOD} Studenten die zoeken"] == "3"


def test_other_roles_get_404_and_visitors_are_sent_to_sign_in(app, accounts):
    assert app.test_client().get("/pages/coordinator").status_code == 302
    assert signed_in(app, accounts, "staff-a").get("/pages/coordinator").status_code == 404
    assert signed_in(app, accounts, "coord").get("/pages/review").status_code == 404


def test_a_bad_start_form_shows_messages_next_to_the_fields_keeps_the_input_and_publishes_nothing(deps, app, accounts):
    client = signed_in(app, accounts, "coord")
    answer = client.post("/pages/coordinator/rounds", data={"csrf_token": client.csrf, "period_id": "bad period!",
                                                            "seed": "many", "sector": "zorg"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422 and deps.publisher.events("round.requested") == []
    assert 'id="period_id-error"' in body and 'aria-invalid="true"' in body
    assert 'value="bad period!"' in body and 'value="many"' in body and "Geen geldig geheel getal." in body
    assert '<option value="zorg" selected>' in body


def test_a_started_round_shows_its_figures_and_is_compared_with_the_previous_one(deps, app, accounts):
    client, first = coordinator_round(deps, app, accounts)
    handlers.handle(event("place.posted", place("plc-2", 5)), deps)
    second = start_round(deps, client)
    page = client.get(f"/pages/coordinator/rounds/{second}").get_data(as_text=True)
    compare = page.split('id="compare"')[1].split("</table>")[0]
    assert first in compare and second in compare
    assert re.search(r"Geplaatst</th><td>2</td><td>3</td><td>\+1</td>", compare)
    assert 'id="chart-school"' in page
    listing = client.get("/pages/coordinator").get_data(as_text=True)
    assert first in listing and second in listing


def test_release_before_complete_approval_shows_the_409_message_and_what_is_missing(deps, app, accounts):
    client, round_id = coordinator_round(deps, app, accounts, support=True)
    answer = client.post(f"/pages/coordinator/rounds/{round_id}/release",
                         data={"csrf_token": client.csrf, "respond_by": "2030-01-10T17:00", "release_now": "1"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 409 and "De goedkeuring is niet compleet" in body
    assert "Nog nodig: goedkeuring door 4" in body and "sch-a" in body.split('id="conflict"')[1]
    missing = body.split('id="conflict-schools"')[1].split("</ul>")[0]
    assert "sch-a: 2 medewerker(s) van deze school; een begeleider passend onderwijs van deze school" in missing
    assert "sch-b: 2 medewerker(s) van deze school" in missing
    assert deps.publisher.events("round.release_scheduled") == []


def test_a_deadline_before_the_release_moment_is_a_field_error(deps, app, accounts):
    client, round_id = coordinator_round(deps, app, accounts)
    answer = client.post(f"/pages/coordinator/rounds/{round_id}/release", data={
        "csrf_token": client.csrf, "release_at": "2030-01-10T09:00", "respond_by": "2030-01-09T09:00"})
    body = answer.get_data(as_text=True)
    assert answer.status_code == 422 and 'id="respond_by-error"' in body and 'value="2030-01-09T09:00"' in body


def test_staff_review_their_students_with_explanations_and_two_colleagues_approve(deps, app, accounts):
    coordinator, round_id = coordinator_round(deps, app, accounts)
    staff = signed_in(app, accounts, "staff-a")
    body = staff.get("/pages/review").get_data(as_text=True)
    assert "Anna de Vries" in body and "Chris Jansen" in body and "Bram Bakker" not in body  # by name (issue 14.6)
    assert "eerste keus" in body and "reistijd 20 min" in body and "Geen plaats voldoet" in body
    assert "1 goedkeuring(en) van een andere medewerker" not in body and "2 goedkeuring(en)" in body
    assert staff.post(f"/pages/review/{round_id}/approve", data={"csrf_token": staff.csrf}).status_code == 302
    assert "U hebt dit voorstel goedgekeurd." in staff.get("/pages/review").get_data(as_text=True)
    colleague = signed_in(app, accounts, "staff-a2")
    colleague.post(f"/pages/review/{round_id}/approve", data={"csrf_token": colleague.csrf})
    assert [e.payload.user_id for e in deps.publisher.events("round.approved")] == ["usr-a", "usr-a2"]
    for who in ("staff-b", "staff-b2"):
        other = signed_in(app, accounts, who)
        other.post(f"/pages/review/{round_id}/approve", data={"csrf_token": other.csrf})
    answer = coordinator.post(f"/pages/coordinator/rounds/{round_id}/release",
                              data={"csrf_token": coordinator.csrf, "release_now": "1", "confirmed": "1",
                                    "respond_by": "2099-01-10T17:00"})
    assert answer.status_code == 302 and len(deps.publisher.events("round.release_scheduled")) == 1
    assert release_due_rounds(deps) == [round_id]
    assert "vrijgegeven" in coordinator.get(answer.headers["Location"]).get_data(as_text=True)


def approve_as(app, accounts, round_id, *people):
    for who in people:
        client = signed_in(app, accounts, who)
        assert client.post(f"/pages/review/{round_id}/approve", data={"csrf_token": client.csrf}).status_code == 302


def test_the_round_page_is_not_complete_while_a_school_s_own_staff_have_not_approved(deps, app, accounts):
    coordinator, round_id = coordinator_round(deps, app, accounts)
    approve_as(app, accounts, round_id, "staff-b", "staff-b2")
    coordinator.post(f"/pages/review/{round_id}/approve", data={"csrf_token": coordinator.csrf})
    body = coordinator.get(f"/pages/coordinator/rounds/{round_id}").get_data(as_text=True)
    state = body.split('id="approval-state">')[1].split("</p>")[0]
    assert "Compleet" not in state and "Nog niet compleet" in state
    rows = body.split('id="approval-schools"')[1].split("</table>")[0]
    school_a = rows.split('data-school="sch-a"')[1].split("</tr>")[0]
    assert "0 van 2" in school_a and "2 medewerker(s) van deze school" in school_a
    school_b = rows.split('data-school="sch-b"')[1].split("</tr>")[0]
    assert "2 van 2" in school_b and "niets meer" in school_b
    english = coordinator.get(f"/pages/coordinator/rounds/{round_id}?lang=en").get_data(as_text=True)
    assert "Approval per school" in english and "2 staff member(s) of this school" in english
    approve_as(app, accounts, round_id, "staff-a", "staff-a2")
    body = coordinator.get(f"/pages/coordinator/rounds/{round_id}").get_data(as_text=True)
    assert "Compleet" in body.split('id="approval-state"')[1].split("</p>")[0]


def test_staff_see_what_their_own_school_and_the_other_schools_still_have_to_do(deps, app, accounts):
    pool(deps)
    round_id = start_round(deps, signed_in(app, accounts, "coord"))
    approve_as(app, accounts, round_id, "staff-a", "staff-a2")
    body = signed_in(app, accounts, "staff-a").get(f"/pages/review?round={round_id}").get_data(as_text=True)
    missing = body.split('id="missing"')[1].split("</ul>")[0]
    assert "van een medewerker van uw school" not in missing and "sch-b" in missing


def test_support_staff_see_students_with_support_needs_first_and_that_their_approval_is_missing(deps, app, accounts):
    pool(deps, support=True)
    round_id = start_round(deps, signed_in(app, accounts, "coord"))
    support = signed_in(app, accounts, "support-a")
    body = support.get(f"/pages/review?round={round_id}").get_data(as_text=True)
    assert body.index("Anna de Vries") < body.index("Chris Jansen")  # stu-1 (support needs) by name
    assert "Uw goedkeuring is nodig voor de studenten met een ondersteuningsbehoefte" in body
    support.post(f"/pages/review/{round_id}/approve", data={"csrf_token": support.csrf})
    assert "Uw goedkeuring is nodig" not in support.get("/pages/review").get_data(as_text=True)


def test_the_pages_switch_to_english(deps, app, accounts):
    pool(deps)
    client = signed_in(app, accounts, "coord")
    client.set_cookie("lang", "en")
    body = client.get("/pages/coordinator").get_data(as_text=True)
    assert "Regional overview" in body and "Students seeking" in body


def test_hints_on_the_review_page_say_one_place_and_several_places(app):
    from stagepool_shared.events.rounds import Hint

    from matcher.entrypoints.pages_review import hint_text

    with app.test_request_context("/?lang=nl"):
        assert hint_text(Hint("travel_time", 15.0, "minutes", 1), "nl") == "15 minuten meer reistijd opent 1 plaats"
        assert hint_text(Hint("allowance", 1.0, "", 3), "nl") == "zonder de eis 'stagevergoeding' komen 3 plaatsen in beeld"
    with app.test_request_context("/?lang=en"):
        assert hint_text(Hint("allowance", 1.0, "", 1), "en") == "without the 'allowance' requirement 1 place comes into view"


def test_a_certified_round_says_what_was_checked_and_an_uncertified_one_claims_nothing(deps, app, accounts):
    for ref, school in (("stu-1", "sch-a"), ("stu-2", "sch-b"), ("stu-3", "sch-a")):
        handlers.handle(event("wish.submitted", wish(ref, school)), deps)
    handlers.handle(event("place.posted", replace(place("plc-1", 2), irregular_shifts=False)), deps)  # fits all three
    client = signed_in(app, accounts, "coord")
    uncertified = client.get(f"/pages/coordinator/rounds/{start_round(deps, client)}").get_data(as_text=True)
    assert 'id="certificate"' not in uncertified  # the greedy test double certifies nothing
    deps.solver = OrToolsRoundSolver()
    page = client.get(f"/pages/coordinator/rounds/{start_round(deps, client)}").get_data(as_text=True)
    certificate = page.split('id="certificate">')[1].split("</p>")[0]
    assert "meer dan 2 studenten" in certificate and "50.0%" in certificate
    client.set_cookie("lang", "en")
    page = client.get(f"/pages/coordinator/rounds/{start_round(deps, client)}").get_data(as_text=True)
    assert "no allocation places more than 2 students" in page


def test_the_comparison_with_the_previous_round_says_in_words_who_keeps_gains_loses_or_changes_a_place(
        deps, app, accounts):
    client, _ = coordinator_round(deps, app, accounts)
    handlers.handle(event("place.posted", place("plc-2", 5)), deps)
    second = start_round(deps, client)
    page = client.get(f"/pages/coordinator/rounds/{second}").get_data(as_text=True)
    assert re.search(r'<p id="movement">2 studenten houden dezelfde plaats, 1 student krijgt een plaats, '
                     r"0 studenten verliezen hun plaats en 0 studenten krijgen een andere plaats.</p>", page)
    client.set_cookie("lang", "en")
    page = client.get(f"/pages/coordinator/rounds/{second}").get_data(as_text=True)
    assert '<p id="movement">2 students keep the same place, 1 student gains a place,' in page


def test_the_round_page_says_why_its_lowest_school_rate_may_differ_from_the_report(deps, app, accounts):
    client, round_id = coordinator_round(deps, app, accounts)
    body = client.get(f"/pages/coordinator/rounds/{round_id}").get_data(as_text=True)
    note = body.split('id="figures-note">')[1].split("</p>")[0]
    assert "per school en sector" in note and "rapport" in note and "hele periode" in note
    assert "ALL_TAKEN_UNDER_FAIR_SHARE" not in body and "NO_ELIGIBLE_PLACE" not in body
    english = client.get(f"/pages/coordinator/rounds/{round_id}?lang=en").get_data(as_text=True)
    assert "per school and sector" in english.split('id="figures-note">')[1].split("</p>")[0]


def test_the_round_page_says_a_scheduled_release_was_held_and_names_the_withdrawn_place(deps, app, accounts):
    coordinator, round_id = coordinator_round(deps, app, accounts)
    approve_as(app, accounts, round_id, "staff-a", "staff-a2", "staff-b", "staff-b2")
    scheduled = coordinator.post(f"/pages/coordinator/rounds/{round_id}/release", data={
        "csrf_token": coordinator.csrf, "release_at": "2030-01-10T09:00", "respond_by": "2030-01-17T17:00"})
    assert scheduled.status_code == 302
    assert 'id="release-moment"' in coordinator.get(f"/pages/coordinator/rounds/{round_id}").get_data(as_text=True)
    handlers.handle(event("place.withdrawn", PlaceWithdrawn("plc-1", "org-plc-1", REGION, PERIOD)), deps)
    body = coordinator.get(f"/pages/coordinator/rounds/{round_id}").get_data(as_text=True)
    held = body.split('id="release-held"')[1].split("</div>")[0]
    assert "De vrijgave is tegengehouden" in held and "Niemand heeft iets gehoord" in held and "plc-1" in held
    assert 'id="release-moment"' not in body
    english = coordinator.get(f"/pages/coordinator/rounds/{round_id}?lang=en").get_data(as_text=True)
    assert "The release was held back" in english.split('id="release-held"')[1]
    overview = coordinator.get("/pages/coordinator").get_data(as_text=True)
    assert "vrijgave tegengehouden" in overview  # the round's line in the list
    alert = overview.split('id="held-releases"')[1].split("</div>")[0]
    assert "Vrijgave tegengehouden" in alert and f"/pages/coordinator/rounds/{round_id}" in alert
