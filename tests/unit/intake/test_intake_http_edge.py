"""The HTTP edge: strict types, hostile JSON, size limits, Idempotency-Key, Kafka down, OpenAPI inventory."""

from __future__ import annotations

import json
import time

from stagepool_shared import deadline

from tests.fakes.intake import record_publish_deadlines, submission


def _post(api, body, **headers):
    return api.client.post("/api/v1/wishes", json=body, headers=api.as_("school_a", **headers))


def test_a_string_for_an_integer_is_refused(api):
    response = _post(api, submission(wish_level="3"))
    assert response.status_code == 422
    assert response.get_json()["fields"]["wish"]["level"] == ["Geen geldig geheel getal."]


def test_a_boolean_for_an_integer_is_refused(api):
    assert _post(api, submission(wish_level=True)).status_code == 422


def test_a_nul_byte_is_refused_with_400(api):
    assert _post(api, submission(student_name="Ann\x00e")).status_code == 400


def test_a_lone_surrogate_is_refused_with_400(api):
    raw = json.dumps(submission()).replace("S1001", "S1\\ud800")
    response = api.client.post("/api/v1/wishes", data=raw, content_type="application/json",
                               headers=api.as_("school_a"))
    assert response.status_code == 400


def test_deeply_nested_json_is_400_not_500(api):
    raw = "[" * 5000 + "]" * 5000
    response = api.client.post("/api/v1/wishes", data=raw, content_type="application/json",
                               headers=api.as_("school_a"))
    assert response.status_code == 400


def test_a_body_over_the_limit_is_413(api):
    raw = json.dumps({"pad": "x" * (3 * 1024 * 1024)})
    response = api.client.post("/api/v1/wishes", data=raw, content_type="application/json",
                               headers=api.as_("school_a"))
    assert response.status_code == 413


def test_bidi_control_characters_in_a_name_are_refused(api):
    assert _post(api, submission(student_name="Ann\u202ee")).status_code == 422


def test_a_retry_with_the_same_key_and_body_answers_the_same_without_publishing_again(api):
    first = _post(api, submission(), **{"Idempotency-Key": "k-1"})
    second = _post(api, submission(), **{"Idempotency-Key": "k-1"})
    assert first.status_code == second.status_code == 202
    assert first.get_json() == second.get_json()
    assert len(api.publisher.published) == 1


def test_the_same_key_with_another_body_is_409(api):
    _post(api, submission(), **{"Idempotency-Key": "k-2"})
    response = _post(api, submission(wish_level=2), **{"Idempotency-Key": "k-2"})
    assert response.status_code == 409
    assert len(api.publisher.published) == 1


def test_event_ids_derive_from_the_key_so_a_retry_after_a_lost_answer_republishes_the_same_id(api):
    api.publisher.go_down()
    assert _post(api, submission(), **{"Idempotency-Key": "k-3"}).status_code == 503
    api.publisher.fail_with = None
    first = _post(api, submission(), **{"Idempotency-Key": "k-3"}).get_json()["event_id"]
    api.wiring.deps.idempotency.records.clear()  # as if the answer was lost before it was remembered
    again = _post(api, submission(), **{"Idempotency-Key": "k-3"}).get_json()["event_id"]
    assert first == again


def test_a_retry_of_a_submission_stored_but_never_answered_republishes_the_same_submission_not_an_update(api):
    """The instance died after storing, before answering (the cluster fault test found it): the retry to
    another instance finds the wish active, and must still send the very event it sent, not `wish.updated`."""
    _post(api, submission(), **{"Idempotency-Key": "k-4"})
    api.wiring.deps.idempotency.records.clear()  # the answer never reached the idempotency store
    _post(api, submission(), **{"Idempotency-Key": "k-4"})
    first, again = api.publisher.events()
    assert (again.event_id, again.event_type, again.payload) == (first.event_id, "wish.submitted", first.payload)
    assert _post(api, submission(), **{"Idempotency-Key": "k-5"}).status_code == 202  # a new request updates
    assert api.publisher.events()[-1].event_type == "wish.updated"


def test_a_retry_of_a_withdrawal_stored_but_never_answered_is_the_same_withdrawal_not_a_409(api):
    ref = _post(api, submission()).get_json()["student_ref"]
    url = f"/api/v1/students/{ref}/wishes/p2027a/withdraw"
    headers = api.as_("school_a", **{"Idempotency-Key": "k-6"})
    assert api.client.post(url, json={"reason": "postponed"}, headers=headers).status_code == 202
    api.wiring.deps.idempotency.records.clear()
    assert api.client.post(url, json={"reason": "postponed"}, headers=headers).status_code == 202
    first, again = api.publisher.events("wish.withdrawn")
    assert (again.event_id, again.payload) == (first.event_id, first.payload)
    other = api.as_("school_a", **{"Idempotency-Key": "k-7"})
    assert api.client.post(url, json={"reason": "postponed"}, headers=other).status_code == 409


def test_kafka_down_gives_503_with_retry_after_and_nothing_is_stored(api):
    api.publisher.go_down()
    response = _post(api, submission())
    assert response.status_code == 503
    assert response.headers["Retry-After"]
    assert api.store.students == {} and api.store.wishes == {}


def test_errors_are_in_dutch_by_default_and_english_on_request(api):
    body = submission()
    del body["wish"]["crebo"]
    nl = _post(api, body).get_json()
    en = api.client.post("/api/v1/wishes?lang=en", json=body, headers=api.as_("school_a")).get_json()
    assert nl["fields"]["wish"]["crebo"] == ["Dit veld is verplicht."]
    assert en["fields"]["wish"]["crebo"] == ["Missing data for required field."]


def test_every_api_route_is_in_the_openapi_document(api):
    doc = api.client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method) for path, ops in doc["paths"].items() for method in ops}
    app = api.client.application
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/v1/", "/internal/")) or "templates" in rule.rule or "openapi" in rule.rule:
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<string(maxlength=80):{name}>", "{" + name + "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in documented, (path, method)


def test_the_docs_page_renders_the_document_without_external_resources(api):
    page = api.client.get("/api/docs").get_data(as_text=True)
    assert "/api/v1/openapi.json" in page and "https://" not in page


def test_accepted_events_are_counted_in_the_metrics_without_ids(api):
    _post(api, submission())
    text = api.client.get("/metrics").get_data(as_text=True)
    line = next(l for l in text.splitlines() if l.startswith('stagepool_intake_events_accepted_total{event_type="wish.submitted"}'))
    assert float(line.split()[-1]) >= 1
    assert "stu_" not in text


def test_huge_and_special_numbers_are_refused_with_422(api):
    for raw_level in ("1" + "0" * 100, "NaN", "1e999", "-1"):
        raw = json.dumps(submission()).replace('"level": 3', f'"level": {raw_level}')
        response = api.client.post("/api/v1/wishes", data=raw, content_type="application/json",
                                   headers=api.as_("school_a"))
        assert response.status_code == 422, raw_level
    raw = json.dumps(submission(wish_home={"postcode": "9711", "lat": 1.0, "lon": 6.5})).replace("1.0", "1e999")
    response = api.client.post("/api/v1/wishes", data=raw, content_type="application/json",
                               headers=api.as_("school_a"))
    assert response.status_code == 422
    assert api.publisher.published == []


def test_an_invalid_lang_or_format_value_is_refused(api):
    assert api.client.get("/api/v1/students?lang=xx", headers=api.as_("school_a")).status_code == 400
    assert api.client.get("/api/v1/students?lang=en", headers=api.as_("school_a")).status_code == 200


def test_a_publish_must_finish_before_publish_timeout_counted_from_the_start_of_the_request(api, settings,
                                                                                          monkeypatch):
    seen = record_publish_deadlines(api.publisher, monkeypatch)
    started = time.monotonic()
    assert _post(api, submission()).status_code == 202
    assert len(seen) == 1 and started < seen[0] < started + settings.common.publish_timeout_s
    assert deadline.current() is None  # the deadline ends with its request
