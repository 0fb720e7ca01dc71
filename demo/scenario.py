"""The demo region end to end, through the services' own HTTP APIs: what `make demo` runs and the
end-to-end tests reuse step by step.

Steps: the coordinator creates the period and the schools; each organisation imports its places (XLSX);
each school imports its students' wishes (XLSX, with top-3 places chosen from what was posted); one school
sets variant 3 and its scripted students make their top 3 through intake's API (demo.variant3); wait until
the matcher has consumed them (its /metrics); another school uses variant 2: a candidates round, its scripted
students choose through intake's API, and the final round (demo.variant2), which is the season's first round;
a what-if scenario (demo.season); per school with students in it, its school staff and its support staff approve (the per-school
rule); schedule the release a few seconds ahead; wait until the local SMTP server holds every message; then the
season's second step (demo.rematch: late students, a refusal, a withdrawn place, a re-match approved and released
the same way); next year's board, the figures per variant and aftercare (demo.season). Each step is timed. Any
failure raises ScenarioFailed.
Imports the standard library, demo.clients / demo.region / demo.pools / demo.rematch / demo.season and
stagepool_shared (never a service).
"""

from __future__ import annotations

import random
import secrets
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator

from stagepool_shared.auth import Principal
from stagepool_shared.redis import connect
from stagepool_shared.web.accounts import Accounts

from . import region as demo_region
from . import rematch, season, variant2, variant3
from .clients import Clients, IntakeClient, MatcherClient, metric
from .mailbox import Mailbox
from .pools import PoolKey, student_pools
from .rematch import RematchFigures
from .season_summary import season_blocks
from .summary import print_summary
from .summary import text as summary_text

MATCHER_GROUP = "stagepool-matcher"


class ScenarioFailed(RuntimeError):
    """A step of the demo did not reach its goal in time."""


@dataclass
class Timings:
    """How long each step took, in order."""

    steps: list[tuple[str, float]] = field(default_factory=list)
    verbose: bool = False

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        if self.verbose:
            print(f"  … {name}", flush=True)
        started = time.monotonic()
        yield
        self.steps.append((name, time.monotonic() - started))
        if self.verbose:
            print(f"  ✓ {name}: {self.steps[-1][1]:.1f} s", flush=True)


@dataclass
class Cast:
    """The people acting in the demo, as API clients."""

    coordinator_intake: IntakeClient
    coordinator_matcher: MatcherClient
    schools: dict[str, IntakeClient]
    school_matchers: dict[str, MatcherClient]
    support_matchers: dict[str, MatcherClient]
    organisations: dict[str, IntakeClient]


def cast_for(clients: Clients, area: demo_region.DemoRegion) -> Cast:
    """Issue tokens for the coordinator, a school and a support staff member per school, and each organisation."""
    r = area.region_id
    coordinator = clients.tokens.issue("coordinator-1", "regional_coordinator", r, r)
    staff = {s.school_id: clients.tokens.issue(f"staff-{s.school_id}", "school_staff", s.school_id, r)
             for s in area.schools}
    support = {s.school_id: clients.tokens.issue(f"support-{s.school_id}", "support_staff", s.school_id, r)
               for s in area.schools}
    return Cast(
        coordinator_intake=clients.intake(coordinator), coordinator_matcher=clients.matcher(coordinator),
        schools={sid: clients.intake(t) for sid, t in staff.items()},
        school_matchers={sid: clients.matcher(t) for sid, t in staff.items()},
        support_matchers={sid: clients.matcher(t) for sid, t in support.items()},
        organisations={o.organisation_id: clients.as_("intake", f"staff-{o.organisation_id}", "organisation_staff",
                                                      o.organisation_id, r) for o in area.organisations})


def set_up_period(cast: Cast, area: demo_region.DemoRegion) -> None:
    """The coordinator creates the period and registers the schools."""
    cast.coordinator_intake.put_period(area.period_id, "Stageperiode najaar 2026", demo_region.STARTS_ON.isoformat(),
                                       demo_region.ENDS_ON.isoformat(), list(demo_region.SECTORS))
    for school in area.schools:
        cast.coordinator_intake.put_school(school.school_id, school.name, school.contact_email)


def import_places(cast: Cast, area: demo_region.DemoRegion) -> dict[str, dict[str, Any]]:
    """Each organisation uploads its places; returns place id -> the place as intake published it."""
    offered: dict[str, dict[str, Any]] = {}
    for org in area.organisations:
        client = cast.organisations[org.organisation_id]
        content = demo_region.xlsx(demo_region.PLACE_HEADERS, demo_region.place_rows(org.places, area.period_id))
        client.import_places(content, "plaatsen.xlsx", idempotency_key=f"demo-places-{org.organisation_id}")
        for place_id in client.places():
            offered[place_id] = client.call("GET", f"/api/v1/places/{place_id}")["place"]
    return offered


def import_wishes(cast: Cast, area: demo_region.DemoRegion, offered: dict[str, dict[str, Any]],
                  seed: int = 7) -> int:
    """Each school uploads its students' wishes; about 60 % of students name up to three places."""
    rng = random.Random(seed)
    total = 0
    for school in area.schools:
        top = {s.number: demo_region.choose_top_places(s, offered, rng) for s in school.students if rng.random() < 0.6}
        content = demo_region.xlsx(demo_region.WISH_HEADERS, demo_region.wish_rows(school.students, area.period_id, top))
        answer = cast.schools[school.school_id].import_wishes(content, "leerwensen.xlsx",
                                                              idempotency_key=f"demo-wishes-{school.school_id}")
        total += answer["accepted"]
    return total


def wait_for(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.25) -> Any:
    """Poll until `predicate` is truthy; ScenarioFailed after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise ScenarioFailed(f"{what}: not reached within {timeout:.0f} s")
        time.sleep(interval)


def matcher_consumed(matcher: MatcherClient, *event_types: str) -> int:
    """How many events of these types the matcher's consumer handled since it started (its /metrics)."""
    text = matcher.metrics_text()
    return int(sum(metric(text, "stagepool_events_consumed_total", group=MATCHER_GROUP, event_type=t)
                   for t in event_types))


def wait_for_projection(matcher: MatcherClient, wishes: int, places: int, timeout: float = 300) -> None:
    """Wait until the matcher consumed at least this many wish and place events."""
    wait_for(lambda: matcher_consumed(matcher, "wish.submitted", "wish.updated") >= wishes
             and matcher_consumed(matcher, "place.posted", "place.updated") >= places, timeout,
             f"matcher projection with {wishes} wishes and {places} places")


def run_round(cast: Cast, area: demo_region.DemoRegion, kind: str = "initial", seed: int = 1,
              timeout: float = 300, previous_round_id: str | None = None) -> dict[str, Any]:
    """Request a round and wait for the proposal (the coordinator's full view)."""
    round_id = cast.coordinator_matcher.request_round(area.region_id, area.period_id, kind=kind, seed=seed,
                                                      previous_round_id=previous_round_id)
    record = wait_for(lambda: _settled(cast.coordinator_matcher.round(round_id)), timeout, f"proposal of {round_id}")
    if record["status"] != "proposed":
        raise ScenarioFailed(f"round {round_id} {record['status']}: {record.get('failure')}")
    return record


def proposed_region(clients: Clients, area: demo_region.DemoRegion,
                    timeout: float = 120) -> tuple[Cast, dict[str, Any]]:
    """The first steps for an end-to-end test: the cast, the period and schools, places and wishes imported, the
    matcher up to date and the first round proposed; (cast, the proposal)."""
    cast = cast_for(clients, area)
    set_up_period(cast, area)
    offered = import_places(cast, area)
    accepted = import_wishes(cast, area, offered)
    wait_for_projection(cast.coordinator_matcher, accepted, len(offered), timeout=timeout)
    return cast, run_round(cast, area, timeout=timeout)


def _settled(record: dict[str, Any]) -> dict[str, Any] | None:
    return record if record["status"] in ("proposed", "failed", "released") else None


def _released(record: dict[str, Any]) -> dict[str, Any] | None:
    return record if record["status"] == "released" else None


def approve(cast: Cast, round_id: str) -> dict[str, Any]:
    """Per school with students in the round, its school staff and its support staff approve: two distinct
    staff of that school, one of them support staff (the per-school rule; the coordinator's vote counts for
    no school, so the coordinator does not approve)."""
    for school in cast.coordinator_matcher.round(round_id)["approval"]["schools"]:
        cast.school_matchers[school["school_id"]].approve(round_id)
        cast.support_matchers[school["school_id"]].approve(round_id)
    state = cast.coordinator_matcher.round(round_id)["approval"]
    if not state["complete"]:
        raise ScenarioFailed(f"approval of {round_id} incomplete: {state}")
    return state


def release(cast: Cast, round_id: str, ahead_s: float = 5.0, respond_days: int = 14) -> datetime:
    """Schedule the release `ahead_s` seconds from now; the answer deadline `respond_days` later."""
    release_at = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=max(1.0, ahead_s) + 1)
    cast.coordinator_matcher.release(round_id, release_at, release_at + timedelta(days=respond_days))
    return release_at


def expected_messages(record: dict[str, Any]) -> int:
    """E-mails a released round causes: one per student, school with students, organisation with students."""
    outcomes = record["outcomes"]
    schools = {o["school_id"] for o in outcomes}
    organisations = {o["organisation_id"] for o in outcomes if o["status"] in ("placed", "kept") and o["organisation_id"]}
    return len(outcomes) + len(schools) + len(organisations)


def wait_for_delivery(mailbox: Mailbox, before: int, expected: int, timeout: float = 300) -> int:
    """Wait until the mail server received `expected` new messages; returns how many arrived."""
    wait_for(lambda: mailbox.count() - before >= expected, timeout, f"{expected} e-mails delivered")
    return mailbox.count() - before


@dataclass
class DemoResult:
    """What the demo did and saw."""

    region: demo_region.DemoRegion
    round: dict[str, Any]
    timings: Timings
    delivered: int
    accounts: list[tuple[str, str, str]]
    pools: dict[str, PoolKey] = field(default_factory=dict)
    rematch: RematchFigures | None = None
    student_links: list[str] = field(default_factory=list)
    board: Any = None  # ahead.BoardFigures: next year's board (issue 16)
    whatif: Any = None  # whatif.ScenarioFigures: +20 care places under the four policies (issue 16)
    aftercare: Any = None  # aftercare.AftercareFigures: POKs, kennismaking, tasks (issue 20)
    variants: Any = None  # list[variants.VariantLine]: the period report's figures per variant (issue 15)
    variant3: Any = None  # variant3.Variant3Run: the school using variant 3, its students' top 3 (issue 15.3)
    variant2: Any = None  # variant2.Variant2Run: the school using variant 2, its offers and choices (issue 15.3)


def create_page_accounts(redis_url: str, area: demo_region.DemoRegion) -> list[tuple[str, str, str]]:
    """Accounts for the pages (random passwords, printed once): (username, password, role)."""
    accounts = Accounts(connect(redis_url))
    r = area.region_id
    people = [("coordinator", Principal("coordinator-1", "regional_coordinator", r, r)),
              ("desk", Principal("desk-1", "desk_staff", r, r))]
    for s in area.schools:  # per school: two staff members (two approvers) and support staff
        people += [(f"school-{s.school_id}", Principal(f"staff-{s.school_id}", "school_staff", s.school_id, r)),
                   (f"school-{s.school_id}-2", Principal(f"staff-{s.school_id}-2", "school_staff", s.school_id, r)),
                   (f"support-{s.school_id}", Principal(f"support-{s.school_id}", "support_staff", s.school_id, r))]
    org = area.organisations[0].organisation_id
    people.append((f"organisation-{org}", Principal(f"staff-{org}", "organisation_staff", org, r)))
    created = []
    for username, principal in people:
        password = secrets.token_urlsafe(9)
        accounts.create_user(username, password, principal)
        created.append((username, password, principal.role))
    return created


def run_rematch(cast: Cast, clients: Clients, area: demo_region.DemoRegion, offered: dict[str, dict[str, Any]],
                first: dict[str, Any], wishes: int, timings: Timings) -> RematchFigures:
    """The season's second step (demo.rematch): late students, a refusal and a withdrawn place, then a re-match
    approved and released like the first round; ScenarioFailed if it moves a binding placement."""
    disruption, matcher = rematch.choose_disruption(first), cast.coordinator_matcher
    with timings.step("3 late students, 1 refusal, 1 withdrawn place -> matcher up to date"):
        wishes += rematch.import_late_students(cast.schools[area.schools[0].school_id], area, offered)
        rematch.disrupt(clients, area, first["round_id"], disruption)
        wait_for(lambda: matcher_consumed(matcher, "wish.submitted", "wish.updated") >= wishes
                 and matcher_consumed(matcher, "placement.refused") >= 1
                 and matcher_consumed(matcher, "place.withdrawn") >= 1, 120, "late wishes, refusal and withdrawal")
    with timings.step("re-match requested -> proposed -> approved -> released"):
        second = run_round(cast, area, kind="rematch", seed=2, previous_round_id=first["round_id"])
        approve(cast, second["round_id"])
        release(cast, second["round_id"], ahead_s=1.0)
        second = wait_for(lambda: _released(matcher.round(second["round_id"])), 120, "re-match released")
    movement = matcher.compare(first["round_id"], second["round_id"])["movement"]
    result = rematch.figures(second["round_id"], movement,
                             rematch.moved(rematch.binding_after(first, disruption), second))
    print("  " + summary_text("en", "rematch", **vars(result)), flush=True)
    if result.moved_binding:
        raise ScenarioFailed(f"re-match {result.round_id} moved {result.moved_binding} binding placement(s)")
    return result


def run_demo_region(platform: Any, mailbox: Mailbox, students: int = 2000, seed: int = 2026,
                    organisations: int | None = None, verbose: bool = True, lang: str = "nl") -> DemoResult:
    """Run the whole demo on a started platform and print the summary (in `lang`); ScenarioFailed on any failure.

    The pool of each pseudonym comes from the imported rows and the platform's pseudonym secret (pools.py)."""
    timings = Timings(verbose=verbose)
    clients = Clients.for_platform(platform)
    with timings.step("generate the region"):
        area = demo_region.generate(students, organisations or (300 if students >= 2000 else None), seed)
        cast = cast_for(clients, area)
    with timings.step("period and schools (coordinator)"):
        set_up_period(cast, area)
    with timings.step(f"import places ({len(area.organisations)} organisations, XLSX)"):
        offered = import_places(cast, area)
    with timings.step(f"import wishes ({len(area.schools)} schools, XLSX)"):
        accepted = import_wishes(cast, area, offered)
    top3 = variant3.run_variant3(clients, cast.schools, area, platform.secrets.pseudonym_secret.encode(), timings)
    with timings.step("matcher projection complete"):
        wait_for_projection(cast.coordinator_matcher, accepted + len(top3.tops), len(offered))
    choice = variant2.run_variant2(clients, cast, area, platform.secrets.pseudonym_secret.encode(), timings, wait_for,
                                   lambda *types: matcher_consumed(cast.coordinator_matcher, *types))
    scenario_figures = season.run_whatif(platform, area, timings, wait_for)
    record = cast.coordinator_matcher.round(choice.final_round)  # the season's first round: variant 2's final round
    with timings.step("approvals per school (staff + support staff)"):
        approve(cast, record["round_id"])
    before = mailbox.count()
    with timings.step("release scheduled (5 s ahead) -> released"):
        release(cast, record["round_id"])
        record = wait_for(lambda: _released(cast.coordinator_matcher.round(record["round_id"])), 120,
                          "round released")
    with timings.step("notifier delivered every e-mail"):
        delivered = wait_for_delivery(mailbox, before, expected_messages(record))
    figures = run_rematch(cast, clients, area, offered, record, accepted, timings)
    board = season.run_planning(cast, platform, area, timings, wait_for, keep=scenario_figures.organisation_id)
    per_variant = season.read_variants(clients, area, figures.round_id, timings, wait_for)
    variant3.count_got_top3(top3, cast.coordinator_matcher.round(figures.round_id))
    after = season.run_aftercare(clients, area, cast.coordinator_matcher.round(figures.round_id), timings, wait_for)
    accounts = create_page_accounts(platform.redis.url, area)
    pools = student_pools(area, platform.secrets.pseudonym_secret.encode())
    result = DemoResult(area, record, timings, delivered, accounts, pools, figures, rematch.sign_in_links(mailbox),
                        board, scenario_figures, after, per_variant, top3, choice)
    print_summary(result, platform, lang, season_blocks(board, scenario_figures, after, lang, per_variant,
                                                        variant3.summary_line(top3, lang)
                                                        + variant2.summary_line(choice, lang)))
    return result
