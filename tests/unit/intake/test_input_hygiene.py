"""Input hygiene at intake's edge (issue 19.7): no line breaks in a name, strict booleans, the import's CSV
error answer with one content type, and every 422 body as the OpenAPI document describes it."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from tests.fakes.intake import submission
from tests.unit.intake.test_intake_imports import HEADERS, as_csv, upload, wish_row


@pytest.mark.parametrize("bad", ["Anna\nJansen", "Anna\rJansen", "Anna\u2028Jansen", "Anna\u2029Jansen",
                                 "Anna\tJansen", "Anna\u0085Jansen"])
def test_a_line_break_or_control_character_in_a_name_is_refused_at_its_field(api, bad: str) -> None:
    response = api.client.post("/api/v1/wishes", json=submission(student_name=bad), headers=api.as_("school_a"))
    assert response.status_code == 422, response.get_json()
    assert "name" in response.get_json()["fields"]["student"]
    assert api.publisher.published == []


def test_a_line_feed_stays_allowed_in_the_free_text_of_a_wish(api) -> None:
    response = api.client.post("/api/v1/wishes", json=submission(wish_leerwens="Regel een\nRegel twee"),
                               headers=api.as_("school_a"))
    assert response.status_code == 202, response.get_json()


@pytest.mark.parametrize("value", ["yes", "true", 1, "ja"])
def test_a_boolean_is_only_json_true_or_false(api, value: Any) -> None:
    response = api.client.post("/api/v1/students/stu_x/wishes/p2027a/opt-out", json={"own_place": value},
                               headers=api.as_("school_a"))
    assert response.status_code == 422, response.get_json()


def test_the_csv_error_report_has_one_content_type(api) -> None:
    response = upload(api, "wishes", as_csv(HEADERS, [wish_row(1, periode="p-none")]), query="?format=csv")
    assert response.status_code == 422
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"


def _schema_of(spec: dict[str, Any], path: str, method: str, status: str, media: str) -> dict[str, Any]:
    """The response schema the OpenAPI document declares, its $refs inlined."""
    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if "$ref" in node:
                return inline(spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]])
            return {k: inline(v) for k, v in node.items()}
        return [inline(v) for v in node] if isinstance(node, list) else node

    return inline(spec["paths"][path][method]["responses"][status]["content"][media]["schema"])


def test_the_import_rejection_body_matches_the_openapi_document(api) -> None:
    spec = api.client.get("/api/v1/openapi.json").get_json()
    response = upload(api, "wishes", as_csv(HEADERS, [wish_row(1, periode="p-none")]))
    assert response.status_code == 422
    jsonschema.validate(response.get_json(), _schema_of(spec, "/api/v1/imports/wishes", "post", "422",
                                                         "application/json"))
    assert "text/csv" in spec["paths"]["/api/v1/imports/wishes"]["post"]["responses"]["422"]["content"]


def test_a_field_level_422_body_matches_the_openapi_document(api) -> None:
    spec = api.client.get("/api/v1/openapi.json").get_json()
    response = api.client.post("/api/v1/wishes", json=submission(student_name="A\nB"), headers=api.as_("school_a"))
    assert response.status_code == 422
    jsonschema.validate(response.get_json(), _schema_of(spec, "/api/v1/wishes", "post", "422", "application/json"))
