"""Every service's OpenAPI document (issue 19, "OpenAPI for every service"): derived from the routes, so every
/api/ and /internal/ route of the running app is in it with its methods and path parameters, each operation
names the roles it is meant for, and the docs page renders it with no external resource.

The apps are the ones of the tenant test (tests/fakes/tenants.py): each service built by its own bootstrap.
"""

from __future__ import annotations

import re

import pytest

from stagepool_shared.auth import ROLES
from stagepool_shared.web.openapi import ApiDoc, Op, api_rules, build_document, openapi_path
from tests.fakes.tenants import WORLDS

SERVICES = sorted(WORLDS)


@pytest.fixture(scope="module", params=SERVICES)
def world(request):
    return WORLDS[request.param]()


def _served(world) -> dict:
    answer = world.client.get("/api/v1/openapi.json")
    assert answer.status_code == 200
    return answer.get_json()


def test_every_api_route_of_the_app_is_in_its_document(world):
    document = _served(world)
    documented = {(path, method) for path, operations in document["paths"].items() for method in operations}
    routes = {(openapi_path(rule), method.lower()) for rule, method, _ in api_rules(world.client.application)}
    assert routes, "the app has no API routes"
    assert routes - documented == set(), "routes missing from the document"
    assert documented - routes == set(), "operations without a route"


def test_every_path_parameter_is_declared_and_every_operation_names_its_roles(world):
    for path, operations in _served(world)["paths"].items():
        for method, operation in operations.items():
            declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
            assert declared == set(re.findall(r"{(\w+)}", path)), (path, method)
            assert set(operation["x-roles"]) <= set(ROLES), (path, method)
            assert bool(operation["x-roles"]) != (operation.get("security") == []), (path, method)


def test_a_json_body_is_documented_with_the_schema_the_view_loads(world):
    document = _served(world)
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body and "$ref" in body["schema"]:  # a marshmallow schema (a raw one states its own rules)
                name = body["schema"]["$ref"].rsplit("/", 1)[1]
                assert document["components"]["schemas"][name].get("additionalProperties") is False, (path, name)


def test_the_docs_page_renders_the_document_with_its_own_script_and_no_external_resource(world):
    page = world.client.get("/api/docs")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert 'data-document="/api/v1/openapi.json"' in text and "https://" not in text and "<script>" not in text
    assert world.client.get("/api/docs.js").status_code == 200
    assert world.client.get("/api/docs.css").status_code == 200


def test_an_id_in_the_path_that_cannot_be_an_id_is_refused_with_a_field_message(world):
    document = _served(world)
    path, method = next((p, m) for p, ops in document["paths"].items() for m in ops if "{" in p
                        and any(q["schema"].get("pattern") for q in ops[m]["parameters"] if q["in"] == "path"))
    name = next(q["name"] for q in document["paths"][path][method]["parameters"]
                if q["in"] == "path" and q["schema"].get("pattern"))
    url = re.sub(r"{(\w+)}", lambda m: "-bad id-" if m.group(1) == name else "x1", path)
    answer = world.client.open(url, method=method.upper(), json={})
    assert answer.status_code == 422
    assert name in answer.get_json()["fields"]


def test_a_route_without_an_op_fails_the_document():
    from flask import Blueprint, Flask

    bp = Blueprint("probe", __name__)

    @bp.get("/api/v1/probe/<thing_id>")
    def probe(thing_id: str) -> str:
        return thing_id

    app = Flask("probe")
    app.register_blueprint(bp)
    with pytest.raises(LookupError, match="probe.probe"):
        build_document(ApiDoc("t", "d", "i", {}), app)
    document = build_document(ApiDoc("t", "d", "i", {"probe.probe": Op("p", "t", roles=())}), app)
    assert document["paths"]["/api/v1/probe/{thing_id}"]["get"]["security"] == []


#: Invalid requests schemathesis found accepted (200) before the fix, each answered 422 naming the field now.
FOUND_ACCEPTED = [
    ("matcher", "regional_coordinator", "/api/v1/rounds?region_id=", "region_id"),
    ("reporting", "desk_staff", "/api/v1/desk/reports?view=AAA", "view"),
    ("reporting", "desk_staff", "/api/v1/desk/sbb-export?format=AAA", "format"),
    ("reporting", "desk_staff", "/api/v1/desk/sbb-export?format=csv&format=json", "format"),
    ("reporting", "school_staff", "/api/v1/followup/%C2%84/missing-contacts", "period_id"),
    ("reporting", "school_staff", "/api/v1/followup/placements/{student}/contacts", "period_id"),
    ("reporting", "school_staff", "/api/v1/followup/placements/{student}/contacts?period_id=a%0Ab", "period_id"),
]


@pytest.mark.parametrize(("service", "role", "path", "field"), FOUND_ACCEPTED)
def test_an_invalid_query_or_path_value_is_refused_with_a_field_message(service, role, path, field):
    world = WORLDS[service]()
    answer = world.client.get(path.format(**world.own), headers={"Authorization": "Bearer " + world.tokens[role]})
    assert answer.status_code == 422, answer.get_data(as_text=True)[:300]
    assert field in answer.get_json()["fields"]


@pytest.mark.parametrize("service", SERVICES)
def test_an_unknown_language_on_any_api_route_of_any_service_is_refused(service):
    world = WORLDS[service]()
    for path, operations in _served(world)["paths"].items():
        if "get" in operations and "{" not in path:
            answer = world.client.get(path + "?lang=AAA")
            assert answer.status_code == 400 and "lang" in answer.get_json()["fields"], path
