"""Two tenants in each of the four services, for the role × endpoint × own/other tenant test
(tests/unit/test_tenant_access.py).

Every service is built by its own bootstrap over the doubles of tests/fakes. Tenant A is the callers' own: a
student, staff of a school, staff of an organisation, a coordinator and desk staff of one region, all holding
tokens of that tenant. Tenant B is everyone else: another school's student (in the same region where the
service scopes by school, in another region where it scopes by region), another organisation's place, another
region's round or desk case. `own` and `other` name the objects of each; `markers` are tenant B's ids that no
answer to a tenant-A caller and no event published on its request may contain.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from flask.testing import FlaskClient

from stagepool_shared.auth import Principal
from stagepool_shared.registry import encode
from tests.fakes import FakeKeyValue, FakePublisher

#: Every caller of the test: a role of tenant A, or None for no token at all.
CALLERS = ("student", "school_staff", "support_staff", "organisation_staff", "regional_coordinator", "desk_staff",
           "service", None)


@dataclass
class World:
    """One service with two tenants: its test client, a bearer token per role of tenant A, the ids of each
    tenant's objects, tenant B's markers, and a fingerprint of everything a write could change."""

    client: FlaskClient
    tokens: dict[str, str]
    own: dict[str, str]
    other: dict[str, str]
    markers: tuple[str, ...]
    publisher: FakePublisher
    state: Callable[[], Any] = field(default=lambda: None)

    def fingerprint(self) -> tuple:
        """What a refused write must leave as it was: the events published and the service's stores."""
        return len(self.publisher.published), repr(self.state())

    def published_text(self) -> bytes:
        return b"".join(encode(envelope) for envelope in self.publisher.events())


class DictTokens:
    """A token double that answers the principals it was given."""

    def __init__(self, principals: dict[str, Principal]):
        self.principals = principals

    def lookup(self, token: str | None) -> Principal | None:
        return self.principals.get(token or "")


# -- reporting --------------------------------------------------------------------------------------------------
def reporting_world() -> World:
    from reporting.commands.desk import NewReport, file_report
    from reporting.domain.aftercare import pok_id_of
    from reporting.domain.figures import PlaceFact, PlacementFact, WishFact
    from tests.fakes.reporting import PERIOD, REGION, STUDENT, bootstrap_with_doubles, seeded_views

    other_student, other_region = "stu_" + "b" * 32, "reg-other"
    views, publisher = seeded_views(), FakePublisher()
    views.wishes[(REGION, PERIOD, other_student)] = WishFact(other_student, "sch-beta", "zorg", 4)
    views.places[(REGION, PERIOD, "plc-beta-01")] = PlaceFact("plc-beta-01", "org-beta", "zorg", (3, 4), 2)
    views.placements[(REGION, PERIOD, other_student)] = PlacementFact(
        other_student, "sch-beta", "placed", "top1", None, "rnd-1", "2027-01-15T09:00:00Z", "org-beta", "plc-beta-01")
    wiring = bootstrap_with_doubles(views=views, publisher=publisher)
    aftercare = wiring.deps.aftercare
    own_task = _seed_aftercare(aftercare, views, STUDENT, "sch-alfa", "org-umcg", "plc-umcg-01")
    other_task = _seed_aftercare(aftercare, views, other_student, "sch-beta", "org-beta", "plc-beta-01")
    report = dict(description="CANARY-B remark", incident_date="2027-02-20", organisation_id="org-umcg",
                  period_id=PERIOD)
    own_case = file_report(wiring.deps, Principal("usr-stu", "student", STUDENT, REGION), NewReport(**report))
    other_case = file_report(wiring.deps, Principal("usr-stu-b", "student", other_student, other_region),
                             NewReport(**report))
    own_sbb = _seed_sbb_cases(wiring.deps, Principal("usr-stu", "student", STUDENT, REGION), report)
    other_sbb = _seed_sbb_cases(wiring.deps, Principal("usr-stu-b", "student", other_student, other_region), report)
    publisher.published.clear()
    scopes = {"student": STUDENT, "school_staff": "sch-alfa", "support_staff": "sch-alfa",
              "organisation_staff": "org-umcg", "regional_coordinator": REGION, "desk_staff": REGION,
              "service": "notifier"}
    tokens = {role: wiring.tokens.issue(f"usr-{role}", role, scope, region_id=REGION) for role, scope in scopes.items()}
    store = wiring.deps.desk_store
    return World(wiring.app().test_client(), tokens,
                 own={"student": STUDENT, "case": own_case.report_id, "region": REGION, "period": PERIOD,
                      "org": "org-umcg", "task": own_task, **own_sbb, **AFTERCARE_PERIODS},
                 other={"student": other_student, "case": other_case.report_id, "region": other_region,
                        "period": PERIOD, "org": "org-beta", "task": other_task, **other_sbb, **AFTERCARE_PERIODS},
                 markers=(other_student, other_case.report_id, other_task, pok_id_of(REGION, PERIOD, other_student),
                          "Contact sch-beta", other_sbb["case_open"], other_sbb["case_sbb"]),
                 publisher=publisher,
                 state=lambda: (views.contacts, views.evaluations, store.meta, store.sealed, aftercare.poks_,
                                aftercare.people, aftercare.contacts, aftercare.intros, aftercare.tasks_))


#: The periods of one student's aftercare, one per status a route starts from (PERIOD: a sent POK and a
#: proposed kennismaking).
AFTERCARE_PERIODS = {"period_draft": "2027-p2", "period_signed": "2027-p3", "period_active": "2027-p4",
                     "period_held": "2027-p2"}


def _seed_aftercare(store: Any, views: Any, student: str, school: str, org: str, place: str) -> str:
    """One tenant's aftercare: its school's contact for the organisation, the student's POKs (sent in PERIOD, a
    filled draft, signed, active), a proposed kennismaking in PERIOD and a confirmed one that has passed (with
    its placement), and an open follow-up task of the school; the task's id."""
    from reporting.domain.aftercare import SIGNERS, Pok, PokPeople, SchoolContact, pok_id_of
    from reporting.domain.aftercare_intro import Introduction, task_for
    from tests.fakes.reporting import PERIOD, REGION

    contact = SchoolContact(f"Contact {school}", f"bpv@{school}.example")
    store.put_school_contact(REGION, school, org, contact)
    for period, status in ((PERIOD, "sent"), (AFTERCARE_PERIODS["period_draft"], "draft"),
                           (AFTERCARE_PERIODS["period_signed"], "signed"),
                           (AFTERCARE_PERIODS["period_active"], "active")):
        signed = SIGNERS if status in ("signed", "active") else ()
        # the active one ends soon after the clock (MARCH_1): its parties may evaluate it (issue 20.5)
        dates = ("2026-11-01", "2027-03-10") if status == "active" else ("2027-09-01", "2028-01-31")
        store.save_pok(Pok(pok_id_of(REGION, period, student), REGION, period, student, school, org, place, "rnd-1",
                           "2027-02-01T09:00:00+00:00", status, *dates, 640, signed),
                       PokPeople(contact, "Supervisor"))
    held = AFTERCARE_PERIODS["period_held"]
    views.placements[(REGION, held, student)] = views.placements[(REGION, PERIOD, student)]
    for period, status, moment in ((PERIOD, "proposed", "2027-03-10T09:00:00+00:00"),
                                   (held, "confirmed", "2027-02-20T09:00:00+00:00")):
        store.save_introduction(Introduction(REGION, period, student, school, org, place, moment, status))
    task = task_for(Introduction(REGION, "2027-p0", student, school, org, place, "2027-02-20T09:00:00+00:00",
                                 "rejected"), "wishes_mismatch", "2027-02-21T09:00:00+00:00")
    store.save_task(task)
    return task.task_id


def _seed_sbb_cases(deps: Any, filer: Principal, report: dict) -> dict[str, str]:
    """Two more cases of the filer's region for the SBB routes (issue 20.6): one in progress, one forwarded to
    SBB with a measure `msr-1`; their ids as `case_open` and `case_sbb`."""
    from datetime import date

    from reporting.commands.desk import NewReport, change_status, file_report
    from reporting.commands.sbb import add_sbb_measure, forward_to_sbb

    desk = Principal(f"usr-desk-{filer.region_id}", "desk_staff", filer.region_id, filer.region_id)
    ids = {}
    for name in ("case_open", "case_sbb"):
        case = file_report(deps, filer, NewReport(**report))
        change_status(deps, desk, case.report_id, "in_progress", None)
        ids[name] = case.report_id
    forward_to_sbb(deps, desk, ids["case_sbb"])
    add_sbb_measure(deps, desk, ids["case_sbb"], "Talk to the organisation", "sbb", date(2030, 1, 1))
    return ids


# -- matcher ----------------------------------------------------------------------------------------------------
def matcher_world() -> World:
    from matcher import handlers
    from matcher.commands import approve_round, request_round
    from tests.fakes.matcher import PERIOD, REGION, event, matcher_wiring, place, wish

    other_region = "reg-other"
    people = {"student": Principal("usr-stu", "student", "stu-a1", REGION),
              "school_staff": Principal("usr-a", "school_staff", "sch-a", REGION),
              "support_staff": Principal("usr-sa", "support_staff", "sch-a", REGION),
              "organisation_staff": Principal("usr-org", "organisation_staff", "org-a", REGION),
              "regional_coordinator": Principal("usr-coord", "regional_coordinator", REGION, REGION),
              "desk_staff": Principal("usr-desk", "desk_staff", REGION, REGION),
              "service": Principal("svc", "service", "notifier"),
              "school_staff_c": Principal("usr-c", "school_staff", "sch-c", REGION)}  # no students in a round
    coordinator_b = Principal("usr-coord-b", "regional_coordinator", other_region, other_region)
    wiring = matcher_wiring(tokens=DictTokens({f"tok-{role}": p for role, p in people.items()}))
    deps = wiring.deps
    for env in (event("wish.submitted", wish("stu-a1", "sch-a")), event("place.posted", place("plc-a", 2, "org-a")),
                event("wish.submitted", wish("stu-b1", "sch-b", region=other_region), other_region),
                event("place.posted", place("plc-b", 2, "org-b", region=other_region), other_region)):
        handlers.handle(env, deps)
    rounds = {region: request_round(deps, who, region, PERIOD, "initial", seed=3)
              for who, region in ((people["regional_coordinator"], REGION), (coordinator_b, other_region))}
    for requested in deps.publisher.events("round.requested"):
        handlers.handle(requested, deps)
    approve_round(deps, people["support_staff"], rounds[REGION])  # two staff of sch-a, its only school
    approve_round(deps, people["school_staff"], rounds[REGION])
    deps.publisher.published.clear()
    return World(wiring.app().test_client(), {role: f"tok-{role}" for role in people},
                 own={"round": rounds[REGION], "region": REGION, "period": PERIOD},
                 other={"round": rounds[other_region], "region": other_region, "period": PERIOD},
                 markers=(rounds[other_region], "stu-b1"), publisher=deps.publisher,
                 state=lambda: [deps.store.list_rounds(region) for region in (REGION, other_region)])


# -- notifier ---------------------------------------------------------------------------------------------------
def notifier_world() -> World:
    from tests.fakes.notifier import placed
    from tests.unit.notifier.conftest import World as NotifierWorld

    world = NotifierWorld()
    world.release([placed("stu-a1", "sch-a", "plc-1", "org-1")], round_id="rnd-a")
    world.release([placed("stu-b1", "sch-b", "plc-2", "org-2")], round_id="rnd-b")
    world.clock.advance(hours=2)
    world.publisher.published.clear()
    scopes = {"student": "stu-a1", "school_staff": "sch-a", "support_staff": "sch-a", "organisation_staff": "org-1",
              "regional_coordinator": "reg-1", "desk_staff": "reg-1", "service": "matcher"}
    store = world.store
    return World(world.wiring.app().test_client(), {role: f"{role}:{scope}" for role, scope in scopes.items()},
                 own={"round": "rnd-a"}, other={"round": "rnd-b"}, markers=("stu-b1", "rnd-b"),
                 publisher=world.publisher, state=lambda: store.__dict__)


# -- intake -----------------------------------------------------------------------------------------------------
def intake_world() -> World:
    from intake.bootstrap import bootstrap
    from intake.config import Settings
    from tests.fakes.intake import PERIOD, PLACE, FakeIdempotencyStore, FakeIntakeStore, submission
    from tests.unit.intake.conftest import ENV

    publisher, store = FakePublisher(), FakeIntakeStore()
    wiring = bootstrap(Settings.from_env(ENV), publisher=publisher, redis_client=FakeKeyValue(), store=store,
                       idempotency=FakeIdempotencyStore())
    client = wiring.app().test_client()
    region, other_region = "r-noord", "r-zuid"
    scopes = {"student": "stu-x", "school_staff": "school-a", "support_staff": "school-a",
              "organisation_staff": "org-1", "regional_coordinator": region, "desk_staff": region,
              "service": "matcher"}
    tokens = {role: wiring.tokens.issue(f"usr-{role}", role, scope, region_id=region) for role, scope in scopes.items()}
    tenant_b = {"school": wiring.tokens.issue("usr-b", "school_staff", "school-b", region_id=region),
                "org": wiring.tokens.issue("usr-o2", "organisation_staff", "org-2", region_id=region),
                "coord": wiring.tokens.issue("usr-cz", "regional_coordinator", other_region, region_id=other_region)}

    def call(token: str, method: str, path: str, body: dict) -> dict:
        answer = client.open(path, method=method, json=body, headers={"Authorization": "Bearer " + token})
        assert answer.status_code < 300, (path, answer.status_code, answer.get_json())
        return answer.get_json() or {}

    call(tokens["regional_coordinator"], "PUT", f"/api/v1/periods/{PERIOD['period_id']}", PERIOD)
    other_period = {**PERIOD, "period_id": "p2027z"}
    call(tenant_b["coord"], "PUT", "/api/v1/periods/p2027z", other_period)
    school = {"name": "School", "contact_email": "stage@school.example"}
    call(tokens["regional_coordinator"], "PUT", "/api/v1/schools/school-a", {"school_id": "school-a", **school})
    call(tenant_b["coord"], "PUT", "/api/v1/schools/school-z", {"school_id": "school-z", **school})
    for token, mapping, school_id in ((tokens["regional_coordinator"], "map-a", "school-a"),
                                      (tenant_b["coord"], "map-z", "school-z")):
        call(token, "PUT", f"/api/v1/sign-in/mappings/{mapping}", {"mapping_id": mapping, "kind": "subject",
                                                                  "value": "sub-" + mapping, "role": "school_staff",
                                                                  "scope": school_id})
    own_student = call(tokens["school_staff"], "POST", "/api/v1/wishes", submission())
    other_student = call(tenant_b["school"], "POST", "/api/v1/wishes", submission(student_student_number="S2002"))
    own_place = call(tokens["organisation_staff"], "POST", "/api/v1/places", {**PLACE, **CATALOGUE_FIT})
    other_place = call(tenant_b["org"], "POST", "/api/v1/places", PLACE)
    _seed_planning(call, tokens, tenant_b)
    # issue 15.3: school-a's programme uses variant 2, its student was offered the own place and signs in as such
    call(tokens["school_staff"], "PUT", "/api/v1/variants", {"period_id": PERIOD["period_id"], "crebo": "25491",
                                                            "variant": 2})
    wiring.deps.planning.put_candidates(own_student["student_ref"], PERIOD["period_id"], [own_place["place_id"]])
    tokens["student"] = wiring.tokens.issue("usr-student", "student", own_student["student_ref"], region_id=region)
    publisher.published.clear()
    ids = {"period": PERIOD["period_id"]}
    redis = wiring.redis_client
    return World(client, tokens,
                 own={**ids, "student": own_student["student_ref"], "place": own_place["place_id"],
                      "period_path": PERIOD["period_id"], "school": "school-a", "mapping": "map-a",
                      "school_year": "2027-2028"},
                 other={**ids, "student": other_student["student_ref"], "place": other_place["place_id"],
                        "period_path": "p2027z", "school": "school-z", "mapping": "map-z", "school_year": "2028-2029"},
                 markers=(other_student["student_ref"], other_place["place_id"]), publisher=publisher,
                 state=lambda: (store.__dict__, redis.hashes, {k: v for k, v in redis.data.items() if ":plan:" in k}))


def _seed_planning(call: Callable[..., dict], tokens: dict[str, str], tenant_b: dict[str, str]) -> None:
    """Capacity planning of both tenants: the coming year's period p2028a of region r-noord (last year's:
    p2027a) and p2029a of r-zuid (last year's: p2028a, where organisation org-1 has a place, so copying the
    school year 2028-2029 would reach into r-zuid if the region were not checked); each school's demand line,
    each organisation's supply line and participation."""
    from tests.fakes.intake import PERIOD, PLACE

    for token, year in ((tokens["regional_coordinator"], 2028), (tenant_b["coord"], 2029)):
        period = {**PERIOD, "period_id": f"p{year}a", "name": f"Voorjaar {year}", "starts_on": f"{year}-02-01",
                  "ends_on": f"{year}-06-30"}
        call(token, "PUT", f"/api/v1/periods/p{year}a", period)
    call(tokens["organisation_staff"], "POST", "/api/v1/places", {**PLACE, "period_id": "p2028a"})
    for school in (tokens["school_staff"], tenant_b["school"]):
        call(school, "POST", "/api/v1/forecasts", {"lines": [{**FORECAST, "period_id": "p2028a"}]})
    for org in (tokens["organisation_staff"], tenant_b["org"]):
        call(org, "POST", "/api/v1/supply", {"lines": [{**SUPPLY, "period_id": "p2028a"}]})
        call(org, "PUT", "/api/v1/participation", {"school_year": "2027-2028", "status": "taking_part"})


#: A demand line and a supply line of intake's planning API (the period is the caller's to name).
#: What makes tenant A's place one its student may put in a top 3 (the student's catalogue, issue 15.2).
CATALOGUE_FIT = {"support_offered": ["extra_supervision"], "offers_allowance": True, "location": {"postcode": "9712"}}
FORECAST = {"period_id": "p2027a", "crebo": "25491", "level": 3, "study_year": 2, "students": 12}
SUPPLY = {"period_id": "p2027a", "sector": "zorg", "crebos": ["25491"], "slots": 3}


WORLDS: dict[str, Callable[[], World]] = {"reporting": reporting_world, "matcher": matcher_world,
                                          "notifier": notifier_world, "intake": intake_world}
