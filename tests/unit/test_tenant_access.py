"""Issue 19: role × endpoint × own/other tenant, over every /api/v1 route of all four services, reads and writes.

Each service is built by its own bootstrap with the doubles of tests/fakes (tests/fakes/tenants.py seeds two
tenants). The table ROUTES has one row per route and method; the routes are listed from each app's url_map, so a
new route without a row fails `test_every_api_route_has_a_row`. For every row, every caller (each role of tenant
A, and no token at all) asks once about its own tenant's object and once about tenant B's:

- no token: 401 (the desk's routes answer 404, so outsiders cannot learn that a case exists);
- a role the route is not for: 403 or 404;
- an allowed role on its own tenant: the route's success status;
- an allowed role on tenant B's object: a 4xx (403, 404, or a field error naming the other tenant's period),
  unless the row says the route ignores what the caller named (then it acts for the caller's own tenant);
- a refused write changes nothing: no event published, no store touched;
- no answer to a tenant-A caller and no event published on its request carries tenant B's ids.
"""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest

from tests.fakes.intake import PERIOD as INTAKE_PERIOD
from tests.fakes.intake import PLACE, submission
from tests.unit.intake.test_intake_imports import HEADERS, as_csv, wish_row
from tests.fakes.tenants import CALLERS, FORECAST, SUPPLY, WORLDS, World

SCHOOL = ("school_staff", "support_staff")
PARTIES = ("student", *SCHOOL, "organisation_staff")
COORD, ORG, DESK = "regional_coordinator", "organisation_staff", "desk_staff"
READERS = (*SCHOOL, COORD, ORG, "student")
TOKENS = tuple(c for c in CALLERS if c)
PUBLIC = (*TOKENS, None)
REFUSED = {401, 403, 404}
OTHER_REFUSED = {400, 403, 404, 409, 422}


@dataclass(frozen=True)
class Probe:
    """One route: the path (a template over the tenant's ids), who succeeds on their own tenant and with which
    status, the JSON body or uploaded file, whether the path or body names a tenant's object (`cross`), and the
    roles whose request about tenant B succeeds because the route acts for the caller's own tenant anyway.
    `refusal` is what an allowed role's refusal about tenant B must say when it is not a 404 (the field or
    conflict naming the other tenant's object), so a body refused for some other reason cannot pass."""

    path: str
    allowed: tuple[str | None, ...]
    ok: int
    body: Callable[[dict], Any] | None = None
    upload: Callable[[dict], bytes] | None = None
    cross: bool = True
    other_ok: dict[str, int] = field(default_factory=dict)
    refusal: str = "not_found"


def _desk_report(ids: dict) -> dict:
    return {"description": "remark", "incident_date": "2027-02-20", "organisation_id": "org-umcg",
            "period_id": ids["period"], "student_ref": ids["student"], "alternative_placement_needed": True}


def _places_file(ids: dict) -> bytes:
    heads = ["periode", "organisatienaam", "sector", "organisatietype", "postcode", "adres", "crebos", "niveaus",
             "plaatsen", "begeleidingscapaciteit"]
    return as_csv(heads, [[ids["period_path"], "Zorggroep", "zorg", "vvt", "9401", "Zorgweg 2", "25491", "3", "3",
                           "2"]], delimiter=",")


def _forecasts_file(ids: dict) -> bytes:
    return as_csv(["periode", "crebo", "niveau", "leerjaar", "aantal_studenten"], [[ids["period_path"], "25491", "3",
                                                                                     "2", "12"]], delimiter=",")


def _register_file(ids: dict) -> bytes:
    return as_csv(["leerbedrijf_id", "crebo"], [["org-1", "25491"]], delimiter=",")


def _equivalents_file(ids: dict) -> bytes:
    return as_csv(["crebo_oud", "crebo_nieuw"], [["25407", "25480"]], delimiter=",")


def _pok_details(ids: dict) -> dict:
    return {"period_id": ids["period_draft"], "start_date": "2027-09-01", "end_date": "2028-01-31", "hours": 600,
            "supervisor_name": "Supervisor"}


FOLLOWUP = "/api/v1/followup/placements/<student_ref>"
FOLLOWED = "/api/v1/followup/placements/{student}"
DESK_CASE = "/api/v1/desk/reports/<report_id>"
ROUND = "/api/v1/rounds/<round_id>"
PLACE_ID = "/api/v1/places/<string(maxlength=80):place_id>"
STUDENT_ID = "/api/v1/students/<string(maxlength=80):student_ref>"
WISH_END = STUDENT_ID + "/wishes/<string(maxlength=80):period_id>/"
SIGN_IN_RULE = "/api/v1/sign-in/mappings/<string(maxlength=80):mapping_id>"
POK, POKED = "/api/v1/aftercare/poks/<student_ref>", "/api/v1/aftercare/poks/{student}"
INTRO, INTRODUCED = "/api/v1/aftercare/introductions/<student_ref>", "/api/v1/aftercare/introductions/{student}"
CONTACT = "/api/v1/aftercare/school-contacts/<organisation_id>"

ROUTES: dict[tuple[str, str, str], Probe] = {
    # reporting: the desk (region), follow-up (the student's school, organisation or the student), figures
    ("reporting", "POST", "/api/v1/desk/reports"): Probe(
        "/api/v1/desk/reports", ("student", *SCHOOL), 201, _desk_report, other_ok={"student": 201}),
    ("reporting", "GET", "/api/v1/desk/reports"): Probe("/api/v1/desk/reports", (DESK,), 200, cross=False),
    ("reporting", "GET", DESK_CASE): Probe("/api/v1/desk/reports/{case}", (DESK,), 200),
    ("reporting", "POST", DESK_CASE + "/status"): Probe(
        "/api/v1/desk/reports/{case}/status", (DESK,), 200, lambda ids: {"status": "in_progress"}),
    ("reporting", "POST", DESK_CASE + "/alternative-placement"): Probe(
        "/api/v1/desk/reports/{case}/alternative-placement", (DESK,), 202, lambda ids: {"period_id": ids["period"]}),
    ("reporting", "GET", "/api/v1/desk/sbb-export"): Probe("/api/v1/desk/sbb-export", (DESK,), 200, cross=False),
    # reporting: the desk's SBB file (issue 20.6): a case of another region is 404 like every desk case
    ("reporting", "POST", DESK_CASE + "/sbb-forward"): Probe("/api/v1/desk/reports/{case_open}/sbb-forward",
                                                             (DESK,), 200),
    ("reporting", "GET", DESK_CASE + "/sbb-export"): Probe("/api/v1/desk/reports/{case_sbb}/sbb-export", (DESK,), 200),
    ("reporting", "POST", DESK_CASE + "/sbb-answer"): Probe(
        "/api/v1/desk/reports/{case_sbb}/sbb-answer", (DESK,), 200,
        lambda ids: {"answered_on": "2027-03-01", "reference": "SBB-2027-001", "outcome": "organisation_addressed"}),
    ("reporting", "POST", DESK_CASE + "/sbb-measures"): Probe(
        "/api/v1/desk/reports/{case_sbb}/sbb-measures", (DESK,), 201,
        lambda ids: {"description": "Improvement plan", "owner_role": "organisation_staff", "deadline": "2030-06-01"}),
    ("reporting", "POST", DESK_CASE + "/sbb-measures/<measure_id>"): Probe(
        "/api/v1/desk/reports/{case_sbb}/sbb-measures/msr-1", (DESK,), 200, lambda ids: {"status": "done"}),
    ("reporting", "GET", "/api/v1/desk/sbb-overdue"): Probe("/api/v1/desk/sbb-overdue", (DESK,), 200, cross=False),
    ("reporting", "GET", "/api/v1/followup/<period_id>/missing-contacts"): Probe(
        "/api/v1/followup/{period}/missing-contacts", (*SCHOOL, COORD), 200, cross=False),
    ("reporting", "POST", FOLLOWUP + "/contacts"): Probe(
        FOLLOWED + "/contacts", (*SCHOOL, ORG), 201,
        lambda ids: {"period_id": ids["period"], "date": "2027-02-25", "kind": "on_site"}),
    ("reporting", "GET", FOLLOWUP + "/contacts"): Probe(FOLLOWED + "/contacts?period_id={period}", PARTIES, 200),
    ("reporting", "POST", FOLLOWUP + "/evaluation"): Probe(
        FOLLOWED + "/evaluation", PARTIES, 201,  # the school evaluates too, a placement that started (issue 20.5)
        lambda ids: {"period_id": ids["period_active"], "satisfaction": 4, "would_again": True}),
    ("reporting", "POST", FOLLOWUP + "/not-suitable"): Probe(
        FOLLOWED + "/not-suitable", PARTIES, 202, lambda ids: {"period_id": ids["period"], "reason_code": "safety"}),
    ("reporting", "GET", "/api/v1/reports/<region_id>/<period_id>.<fmt>"): Probe(
        "/api/v1/reports/{region}/{period}.csv", (COORD,), 200),
    ("reporting", "GET", "/api/v1/signals"): Probe("/api/v1/signals", (COORD,), 200, cross=False),
    # reporting aftercare (issue 20): a school names its own contact for any organisation; the parties of a POK
    # or a kennismaking act on their own (the student, the school's staff, the organisation's staff)
    ("reporting", "PUT", CONTACT): Probe(
        "/api/v1/aftercare/school-contacts/{org}", SCHOOL, 200,
        lambda ids: {"name": "Contact", "email": "bpv@school.example"}, other_ok=dict.fromkeys(SCHOOL, 200)),
    ("reporting", "GET", CONTACT): Probe(
        "/api/v1/aftercare/school-contacts/{org}", SCHOOL, 200, other_ok=dict.fromkeys(SCHOOL, 200)),
    ("reporting", "GET", POK): Probe(POKED + "?period_id={period}", PARTIES, 200),
    ("reporting", "POST", POK + "/details"): Probe(POKED + "/details", (*SCHOOL, ORG), 200, _pok_details),
    ("reporting", "POST", POK + "/send"): Probe(
        POKED + "/send", SCHOOL, 200, lambda ids: {"period_id": ids["period_draft"]}),
    ("reporting", "POST", POK + "/sign"): Probe(
        POKED + "/sign", PARTIES, 200, lambda ids: {"period_id": ids["period"]}),
    ("reporting", "POST", POK + "/start"): Probe(
        POKED + "/start", SCHOOL, 200, lambda ids: {"period_id": ids["period_signed"]}),
    ("reporting", "POST", POK + "/end"): Probe(
        POKED + "/end", SCHOOL, 200, lambda ids: {"period_id": ids["period_active"]}),
    ("reporting", "POST", INTRO): Probe(
        INTRODUCED, (ORG,), 201, lambda ids: {"period_id": ids["period"], "moment": "2027-03-12T10:00:00+01:00"}),
    ("reporting", "GET", INTRO): Probe(INTRODUCED + "?period_id={period}", PARTIES, 200),
    ("reporting", "POST", INTRO + "/confirm"): Probe(
        INTRODUCED + "/confirm", ("student",), 200, lambda ids: {"period_id": ids["period"]}),
    ("reporting", "POST", INTRO + "/accompany"): Probe(
        INTRODUCED + "/accompany", SCHOOL, 200, lambda ids: {"period_id": ids["period"], "accompanied": True}),
    ("reporting", "POST", INTRO + "/outcome"): Probe(
        INTRODUCED + "/outcome", (ORG,), 200, lambda ids: {"period_id": ids["period_held"], "outcome": "continue"}),
    ("reporting", "GET", "/api/v1/aftercare/tasks"): Probe("/api/v1/aftercare/tasks", SCHOOL, 200, cross=False),
    ("reporting", "POST", "/api/v1/aftercare/tasks/<task_id>/call"): Probe(  # the school's call (R105)
        "/api/v1/aftercare/tasks/{task}/call", SCHOOL, 200,
        lambda ids: {"called_on": "2027-02-28", "call_outcome": "reason_explained"}),
    ("reporting", "POST", "/api/v1/aftercare/tasks/<task_id>/done"): Probe(
        "/api/v1/aftercare/tasks/{task}/done", SCHOOL, 200),
    # matcher: rounds of a region; staff only of rounds with students of their school
    ("matcher", "POST", "/api/v1/rounds"): Probe(
        "/api/v1/rounds", (COORD,), 202, lambda ids: {"region_id": ids["region"], "period_id": ids["period"]}),
    ("matcher", "POST", "/api/v1/rounds/fast-track"): Probe(  # issue 20.3: the coordinator, or the student's school
        "/api/v1/rounds/fast-track", (COORD, *SCHOOL), 202,
        lambda ids: {"region_id": ids["region"], "period_id": ids["period"], "student_refs": ["stu-a1"]}),
    ("matcher", "GET", "/api/v1/rounds"): Probe(
        "/api/v1/rounds?region_id={region}", READERS, 200, other_ok=dict.fromkeys(READERS, 200)),
    ("matcher", "GET", ROUND): Probe("/api/v1/rounds/{round}", (COORD, *SCHOOL), 200),
    ("matcher", "GET", ROUND + "/compare/<other_id>"): Probe(
        "/api/v1/rounds/{round}/compare/{round}", (COORD, *SCHOOL), 200),
    ("matcher", "POST", ROUND + "/approvals"): Probe("/api/v1/rounds/{round}/approvals", (COORD, *SCHOOL), 201),
    ("matcher", "POST", ROUND + "/objections"): Probe(  # staff of the student's own school (issue 14.7)
        "/api/v1/rounds/{round}/objections", SCHOOL, 201, lambda ids: {"student_ref": "stu-a1", "reason_code": "travel"}),
    ("matcher", "POST", ROUND + "/release"): Probe(
        "/api/v1/rounds/{round}/release", (COORD,), 202,
        lambda ids: {"release_at": "2030-01-10T09:00:00+00:00", "respond_by": "2030-01-17T09:00:00+00:00"}),
    # notifier: the caller's own inbox; a student answers only their own placement
    ("notifier", "GET", "/api/v1/inbox"): Probe("/api/v1/inbox", ("student", *SCHOOL, ORG, COORD), 200, cross=False),
    ("notifier", "POST", "/api/v1/placements/<round_id>/accept"): Probe(
        "/api/v1/placements/{round}/accept", ("student",), 200),
    ("notifier", "POST", "/api/v1/placements/<round_id>/refuse"): Probe(
        "/api/v1/placements/{round}/refuse", ("student",), 200, lambda ids: {"reason_code": "travel"}),
    # every service: its OpenAPI document, public
    **{(service, "GET", "/api/v1/openapi.json"): Probe("/api/v1/openapi.json", PUBLIC, 200, cross=False)
       for service in ("intake", "matcher", "notifier", "reporting")},
    # intake: a school's students and wishes, an organisation's places, a coordinator's region
    ("intake", "GET", "/api/v1/templates/<any(wishes, places):kind>.<any(csv, xlsx):fmt>"): Probe(
        "/api/v1/templates/wishes.csv", PUBLIC, 200, cross=False),
    ("intake", "GET", "/api/v1/periods"): Probe("/api/v1/periods", TOKENS, 200, cross=False),
    ("intake", "PUT", "/api/v1/periods/<string(maxlength=80):period_id>"): Probe(
        "/api/v1/periods/{period_path}", (COORD,), 200, lambda ids: {**INTAKE_PERIOD, "period_id": ids["period_path"]},
        refusal="conflict"),
    ("intake", "PUT", "/api/v1/schools/<string(maxlength=80):school_id>"): Probe(
        "/api/v1/schools/{school}", (COORD,), 200,
        lambda ids: {"school_id": ids["school"], "name": "School", "contact_email": "stage@school.example"},
        refusal="conflict"),
    ("intake", "POST", "/api/v1/wishes"): Probe(
        "/api/v1/wishes", SCHOOL, 202, lambda ids: submission(wish_period_id=ids["period_path"]),
        refusal='"wish.period_id"'),
    ("intake", "POST", "/api/v1/imports/wishes"): Probe(
        "/api/v1/imports/wishes", SCHOOL, 202,
        upload=lambda ids: as_csv(HEADERS, [wish_row(7, periode=ids["period_path"])]), refusal='"periode"'),
    ("intake", "GET", "/api/v1/students"): Probe("/api/v1/students", SCHOOL, 200, cross=False),
    ("intake", "GET", STUDENT_ID): Probe("/api/v1/students/{student}", SCHOOL, 200),
    ("intake", "DELETE", STUDENT_ID): Probe("/api/v1/students/{student}", SCHOOL, 202),
    ("intake", "POST", WISH_END + "withdraw"): Probe(
        "/api/v1/students/{student}/wishes/{period}/withdraw", SCHOOL, 202, lambda ids: {}),
    ("intake", "POST", WISH_END + "opt-out"): Probe(
        "/api/v1/students/{student}/wishes/{period}/opt-out", SCHOOL, 202, lambda ids: {}),
    ("intake", "POST", "/api/v1/places"): Probe(
        "/api/v1/places", (ORG,), 202, lambda ids: {**PLACE, "period_id": ids["period_path"]},
        refusal='"period_id"'),
    ("intake", "POST", "/api/v1/imports/places"): Probe("/api/v1/imports/places", (ORG,), 202, upload=_places_file,
                                                          refusal='"periode"'),
    ("intake", "GET", "/api/v1/places"): Probe("/api/v1/places", (ORG,), 200, cross=False),
    ("intake", "GET", PLACE_ID): Probe("/api/v1/places/{place}", (ORG,), 200),
    ("intake", "PUT", PLACE_ID): Probe("/api/v1/places/{place}", (ORG,), 202, lambda ids: PLACE),
    ("intake", "DELETE", PLACE_ID): Probe("/api/v1/places/{place}", (ORG,), 202),
    # intake: the region's sign-in mapping (a rule of another region is out of reach; its school a field error)
    ("intake", "GET", "/api/v1/sign-in/mappings"): Probe("/api/v1/sign-in/mappings", (COORD,), 200, cross=False),
    ("intake", "PUT", SIGN_IN_RULE): Probe(
        "/api/v1/sign-in/mappings/{mapping}", (COORD,), 200,
        lambda ids: {"mapping_id": ids["mapping"], "kind": "subject", "value": "sub-new", "role": "school_staff",
                     "scope": ids["school"]}, refusal='"scope"'),
    ("intake", "DELETE", SIGN_IN_RULE): Probe("/api/v1/sign-in/mappings/{mapping}", (COORD,), 204),
    # intake: a school's matching variant per programme and period (issue 15.3); another region's period is a field error
    ("intake", "PUT", "/api/v1/variants"): Probe(
        "/api/v1/variants", SCHOOL, 202,
        lambda ids: {"period_id": ids["period_path"], "crebo": "25491", "variant": 2, "candidates": 3},
        refusal='"period_id"'),
    ("intake", "GET", "/api/v1/variants"): Probe("/api/v1/variants", SCHOOL, 200, cross=False),
    # intake: a variant-2 student's candidates and choice; another tenant's period holds no wish of theirs
    ("intake", "GET", "/api/v1/catalogue/<string(maxlength=80):period_id>"): Probe(
        "/api/v1/catalogue/{period_path}", ("student",), 200),
    ("intake", "PUT", "/api/v1/catalogue/<string(maxlength=80):period_id>/top3"): Probe(
        "/api/v1/catalogue/{period_path}/top3", ("student",), 202, lambda ids: {"top_places": [ids["place"]]}),
    ("intake", "GET", "/api/v1/choices/<string(maxlength=80):period_id>"): Probe(
        "/api/v1/choices/{period_path}", ("student",), 200),
    ("intake", "POST", "/api/v1/choices/<string(maxlength=80):period_id>"): Probe(
        "/api/v1/choices/{period_path}", ("student",), 202, lambda ids: {"choice": [ids["place"]]}),
    # intake planning (issue 16): a school's demand, an organisation's supply and participation, the region's
    # register (coordinator); each acts for the caller's own school, organisation or region, a period or a school
    # year of another region is a field error
    ("intake", "POST", "/api/v1/forecasts"): Probe(
        "/api/v1/forecasts", SCHOOL, 202, lambda ids: {"lines": [{**FORECAST, "period_id": ids["period_path"]}]},
        refusal='"period_id"'),
    ("intake", "GET", "/api/v1/forecasts"): Probe("/api/v1/forecasts", SCHOOL, 200, cross=False),
    ("intake", "POST", "/api/v1/imports/forecasts"): Probe(
        "/api/v1/imports/forecasts", SCHOOL, 202, upload=_forecasts_file, refusal='"periode"'),
    ("intake", "GET", "/api/v1/templates/planning/<any(forecasts, register, equivalents):kind>.<any(csv, xlsx):fmt>"):
        Probe("/api/v1/templates/planning/register.csv", PUBLIC, 200, cross=False),
    ("intake", "POST", "/api/v1/supply"): Probe(
        "/api/v1/supply", (ORG,), 202, lambda ids: {"lines": [{**SUPPLY, "period_id": ids["period_path"]}]},
        refusal='"period_id"'),
    ("intake", "GET", "/api/v1/supply"): Probe("/api/v1/supply", (ORG,), 200, cross=False),
    ("intake", "POST", "/api/v1/supply/copy-last-year"): Probe(
        "/api/v1/supply/copy-last-year", (ORG,), 202, lambda ids: {"school_year": ids["school_year"]},
        refusal='"school_year"'),
    ("intake", "PUT", "/api/v1/participation"): Probe(
        "/api/v1/participation", (ORG,), 202, lambda ids: {"school_year": "2027-2028", "status": "not_open"},
        cross=False),
    ("intake", "GET", "/api/v1/participation"): Probe(
        "/api/v1/participation?school_year=2027-2028", (ORG,), 200, cross=False),
    ("intake", "GET", "/api/v1/register"): Probe("/api/v1/register", (COORD,), 200, cross=False),
    ("intake", "PUT", "/api/v1/register/mode"): Probe(
        "/api/v1/register/mode", (COORD,), 200, lambda ids: {"mode": "refuse"}, cross=False),
    ("intake", "POST", "/api/v1/register/recognitions"): Probe(
        "/api/v1/register/recognitions", (COORD,), 200, upload=_register_file, cross=False),
    ("intake", "POST", "/api/v1/register/equivalents"): Probe(
        "/api/v1/register/equivalents", (COORD,), 200, upload=_equivalents_file, cross=False),
    # every role rotates its own token (the token is the tenant)
    ("intake", "POST", "/api/v1/tokens/rotate"): Probe("/api/v1/tokens/rotate", TOKENS, 200, cross=False),
}

CASES = [pytest.param(key, caller, tenant, id=f"{key[0]} {key[1]} {key[2]} {caller} {tenant}")
         for key, probe in ROUTES.items() for caller in CALLERS
         for tenant in (("own", "other") if probe.cross else ("own",))]


def _api_routes(world: World) -> set[tuple[str, str]]:
    return {(method, rule.rule) for rule in world.client.application.url_map.iter_rules()
            if rule.rule.startswith("/api/v1") for method in rule.methods - {"HEAD", "OPTIONS"}}


@pytest.mark.parametrize("service", sorted(WORLDS))
def test_every_api_route_has_a_row(service):
    listed = _api_routes(WORLDS[service]())
    rows = {(method, rule) for (svc, method, rule) in ROUTES if svc == service}
    assert listed - rows == set(), "routes without a row in ROUTES"
    assert rows - listed == set(), "rows in ROUTES without a route"


def _send(world: World, method: str, probe: Probe, ids: dict, caller: str | None) -> Any:
    headers = {"Authorization": "Bearer " + world.tokens[caller]} if caller else {}
    path = probe.path.format(**ids)
    if probe.upload is not None:
        return world.client.open(path, method=method, headers=headers, content_type="multipart/form-data",
                                 data={"file": (io.BytesIO(probe.upload(ids)), "rows.csv")})
    body = probe.body(ids) if probe.body else None
    return world.client.open(path, method=method, headers=headers, json=body)


@functools.cache
def _read_world(service: str) -> World:
    """One world per service for the reads and for the writes of a caller the route is not for (a request
    that changed state would still fail the fingerprint check); every write of an allowed role gets a fresh
    one."""
    return WORLDS[service]()


def _expected(probe: Probe, caller: str | None, tenant: str) -> set[int]:
    if caller not in probe.allowed:
        return REFUSED if caller else {401, 404}
    if tenant == "own":
        return {probe.ok}
    return {probe.other_ok[caller]} if caller in probe.other_ok else OTHER_REFUSED


@pytest.mark.parametrize(("key", "caller", "tenant"), CASES)
def test_each_role_reaches_only_its_own_tenant(key, caller, tenant):
    service, method, _ = key
    probe = ROUTES[key]
    world = _read_world(service) if method == "GET" or caller not in probe.allowed else WORLDS[service]()
    ids = world.own if tenant == "own" else world.other
    before = world.fingerprint()
    answer = _send(world, method, probe, ids, caller)
    assert answer.status_code in _expected(probe, caller, tenant), answer.get_data(as_text=True)[:300]
    if answer.status_code >= 300:
        assert world.fingerprint() == before, "a refused request changed state"
    if tenant == "other" and caller in probe.allowed and caller not in probe.other_ok:
        assert probe.refusal in answer.get_data(as_text=True), "refused for another reason than the tenant"
    asked = probe.path.format(**ids) + repr(probe.body(ids) if probe.body else "")
    text = answer.get_data(as_text=True)
    for marker in world.markers:
        assert marker in asked or marker not in text, f"answer shows tenant B's {marker}"
        assert marker.encode() not in world.published_text(), f"event names tenant B's {marker}"


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/v1/rounds/{round}"),
                                              ("POST", "/api/v1/rounds/{round}/approvals"),
                                              ("GET", "/api/v1/rounds/{round}/compare/{round}")])
def test_staff_of_a_school_without_students_in_a_round_of_their_region_neither_see_nor_approve_it(method, path):
    world = WORLDS["matcher"]()
    before = world.fingerprint()
    answer = world.client.open(path.format(**world.own), method=method,
                               headers={"Authorization": "Bearer " + world.tokens["school_staff_c"]})
    assert answer.status_code == 404
    assert world.fingerprint() == before


@pytest.mark.parametrize(("tenant", "status"), [("own", 202), ("other", 404)])
def test_a_round_follows_on_only_from_a_round_of_the_coordinators_own_region(tenant, status):
    world = WORLDS["matcher"]()
    previous = (world.own if tenant == "own" else world.other)["round"]
    before = world.fingerprint()
    answer = world.client.post("/api/v1/rounds", headers={"Authorization": "Bearer " + world.tokens[COORD]},
                               json={"region_id": world.own["region"], "period_id": world.own["period"],
                                     "kind": "rematch", "previous_round_id": previous})
    assert answer.status_code == status, answer.get_json()
    assert (world.fingerprint() == before) == (status == 404)
