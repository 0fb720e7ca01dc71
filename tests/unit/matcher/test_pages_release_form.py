"""The coordinator's release form (issue 14, points 12 and 13): moments are typed and shown in Dutch time with
the zone named, never UTC, and "release now" asks for confirmation first (a page of its own, no JavaScript)."""

from __future__ import annotations

from tests.unit.matcher.test_pages_matcher import approve_as, coordinator_round


def released_ready(deps, app, accounts):
    client, round_id = coordinator_round(deps, app, accounts)
    approve_as(app, accounts, round_id, "staff-a", "staff-a2", "staff-b", "staff-b2")
    return client, round_id


def test_release_now_asks_for_confirmation_and_publishes_nothing_until_confirmed(deps, app, accounts):
    client, round_id = released_ready(deps, app, accounts)
    form = {"csrf_token": client.csrf, "release_now": "1", "respond_by": "2099-01-10T17:00"}
    first = client.post(f"/pages/coordinator/rounds/{round_id}/release", data=form)
    body = first.get_data(as_text=True)
    assert first.status_code == 200 and 'id="confirm"' in body and "Ronde nu vrijgeven?" in body
    assert "10-01-2099 17:00 CET" in body and "<script" not in body
    assert 'name="respond_by" value="2099-01-10T17:00"' in body and 'name="confirmed" value="1"' in body
    assert f'href="/pages/coordinator/rounds/{round_id}"' in body
    assert deps.publisher.events("round.release_scheduled") == []
    done = client.post(f"/pages/coordinator/rounds/{round_id}/release", data={**form, "confirmed": "1"})
    assert done.status_code == 302 and len(deps.publisher.events("round.release_scheduled")) == 1


def test_setting_a_release_moment_is_not_a_release_and_needs_no_confirmation(deps, app, accounts):
    client, round_id = released_ready(deps, app, accounts)
    done = client.post(f"/pages/coordinator/rounds/{round_id}/release", data={
        "csrf_token": client.csrf, "release_at": "2099-07-01T09:00", "respond_by": "2099-07-08T17:00"})
    assert done.status_code == 302 and len(deps.publisher.events("round.release_scheduled")) == 1


def test_the_planned_release_is_shown_in_dutch_time_with_the_zone_and_the_form_names_the_zone(deps, app, accounts):
    client, round_id = released_ready(deps, app, accounts)
    client.post(f"/pages/coordinator/rounds/{round_id}/release", data={
        "csrf_token": client.csrf, "release_at": "2099-07-01T09:00", "respond_by": "2099-12-08T17:00"})
    [scheduled] = deps.publisher.events("round.release_scheduled")
    assert scheduled.payload.release_at.startswith("2099-07-01T07:00:00")  # typed as Dutch summer time (UTC+2)
    body = client.get(f"/pages/coordinator/rounds/{round_id}").get_data(as_text=True)
    moment = body.split('id="release-moment">')[1].split("</p>")[0]
    assert "01-07-2099 09:00 CEST" in moment and "08-12-2099 17:00 CET" in moment
    assert "Europe/Amsterdam" in body and "UTC" not in body and "+00:00" not in body and "+02:00" not in body


def test_the_rounds_list_shows_when_a_round_was_asked_for_in_dutch_time(deps, app, accounts):
    client, round_id = released_ready(deps, app, accounts)
    body = client.get("/pages/coordinator").get_data(as_text=True)
    row = body.split(round_id)[-1].split("</tr>")[0]
    assert "CET" in row or "CEST" in row


def test_release_now_before_complete_approval_says_what_is_missing_without_a_confirmation_first(deps, app, accounts):
    client, round_id = coordinator_round(deps, app, accounts)
    answer = client.post(f"/pages/coordinator/rounds/{round_id}/release",
                         data={"csrf_token": client.csrf, "respond_by": "2030-01-10T17:00", "release_now": "1"})
    assert answer.status_code == 409 and 'id="confirm"' not in answer.get_data(as_text=True)
