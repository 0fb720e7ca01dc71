"""The matching variant per school x programme x period (issue 15.3): school staff set it through the API and
their page (variant 1 by default; k = 2-5 for variant 2; field errors, nothing published or stored)."""

from __future__ import annotations

import re

import pytest

from stagepool_shared.auth import Principal

SETTING = {"period_id": "p2027a", "crebo": "25491", "variant": 2, "candidates": 4}


def csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_school_staff_set_a_variant_and_it_is_published_without_personal_data(api):
    answer = api.client.put("/api/v1/variants", json=SETTING, headers=api.as_("school_a"))
    assert answer.status_code == 202, answer.get_json()
    [event] = api.publisher.events("variant.set")
    assert (event.payload.school_id, event.payload.region_id, event.payload.crebo, event.payload.period_id,
            event.payload.variant, event.payload.candidates) == ("school-a", "r-noord", "25491", "p2027a", 2, 4)
    assert event.partition_key == "r-noord"
    lines = api.client.get("/api/v1/variants", headers=api.as_("school_a")).get_json()["variants"]
    assert lines == [{"period_id": "p2027a", "crebo": "25491", "variant": 2, "candidates": 4}]
    assert api.client.get("/api/v1/variants", headers=api.as_("school_b")).get_json()["variants"] == []


def test_a_later_setting_replaces_the_earlier_one_and_k_defaults_to_three(api):
    api.client.put("/api/v1/variants", json=SETTING, headers=api.as_("school_a"))
    answer = api.client.put("/api/v1/variants", json={"period_id": "p2027a", "crebo": "25491", "variant": 3},
                            headers=api.as_("school_a"))
    assert answer.status_code == 202
    lines = api.client.get("/api/v1/variants", headers=api.as_("school_a")).get_json()["variants"]
    assert lines == [{"period_id": "p2027a", "crebo": "25491", "variant": 3, "candidates": 3}]


@pytest.mark.parametrize("change, field, message", [
    ({"candidates": 6}, "candidates", "Must be greater than or equal to 2 and less than or equal to 5."),
    ({"candidates": 1}, "candidates", "Must be greater than or equal to 2 and less than or equal to 5."),
    ({"variant": 4}, "variant", "Must be greater than or equal to 1 and less than or equal to 3."),
    ({"crebo": "99999"}, "crebo", "Unknown crebo: not in the qualification file."),
    ({"period_id": "nope"}, "period_id", "Unknown period."),
])
def test_a_bad_setting_is_a_field_error_and_nothing_is_published_or_stored(api, change, field, message):
    answer = api.client.put("/api/v1/variants?lang=en", json={**SETTING, **change}, headers=api.as_("school_a"))
    assert answer.status_code == 422
    assert answer.get_json()["fields"][field] == [message]
    assert api.publisher.events() == []
    assert api.client.get("/api/v1/variants", headers=api.as_("school_a")).get_json()["variants"] == []


def test_only_school_staff_set_a_variant(api):
    for who in ("org_1", "coordinator"):
        assert api.client.put("/api/v1/variants", json=SETTING, headers=api.as_(who)).status_code == 403
    assert api.client.put("/api/v1/variants", json=SETTING).status_code == 401
    assert api.publisher.events() == []


# -- the page --------------------------------------------------------------------------------------------------
@pytest.fixture
def staff(api):
    """School staff signed in to the pages."""
    token = api.wiring.accounts.renew_link(Principal("u-a", "school_staff", "school-a", "r-noord"))
    assert api.client.get(f"/s/{token}").status_code == 302
    api.csrf = csrf(api.client.get("/pages/school/variants").get_data(as_text=True))
    return api


def test_school_staff_set_the_variant_on_their_page(staff):
    form = {"csrf_token": staff.csrf, "period_id": "p2027a", "crebo": "25491", "variant": "2", "candidates": "3"}
    answer = staff.client.post("/pages/school/variants", data=form)
    assert answer.status_code == 302
    body = staff.client.get("/pages/school/variants?done=set").get_data(as_text=True)
    assert 'data-variant="2"' in body and "De variant is opgeslagen." in body
    assert [e.payload.variant for e in staff.publisher.events("variant.set")] == [2]


def test_a_bad_variant_on_the_page_shows_the_field_error_and_stores_nothing(staff):
    form = {"csrf_token": staff.csrf, "period_id": "p2027a", "crebo": "99999", "variant": "2", "candidates": "3"}
    answer = staff.client.post("/pages/school/variants", data=form)
    assert answer.status_code == 422
    assert "Onbekend crebo" in answer.get_data(as_text=True)
    assert staff.publisher.events() == []
