"""The student's catalogue and the matcher agree (issue 15.2): for every student of a demo-sized generated
region, the places intake's catalogue shows are exactly the places the matcher's round may place them at.

The region (demo/region.py, 2,000 students) goes in through intake's own commands, with leerwegen and study
years added to the places; the matcher reads the published wish and place payloads the way its consumer does
(matcher.domain.codec) and computes every eligible pair of the round with its fast numpy path. Both sides
derive from one rule (stagepool_shared.eligibility); this test checks the whole way from input to both pages.
"""

from __future__ import annotations

import random
from collections import defaultdict

import pytest

from demo import region as demo
from intake import commands
from intake.bootstrap import bootstrap
from intake.config import Settings
from matcher.adapters.ortools_solver import to_round_input
from matcher.domain.eligibility import eligible_pairs
from matcher.domain.tables import build_tables
from matcher.rounds.pool import Pool

from tests.fakes.common import FakeKeyValue, FakePublisher
from tests.fakes.intake import FakeIdempotencyStore, FakeIntakeStore
from tests.unit.intake.conftest import ENV


def _wish_input(s: demo.Student) -> tuple[dict, dict]:
    student = {"student_number": s.number, "name": s.name, "email": s.email, "date_of_birth": s.date_of_birth}
    wish = {"period_id": demo.PERIOD_ID, "sector": s.sector, "crebo": s.crebo, "level": s.level,
            "study_year": s.study_year, "pathway": s.pathway, "home": {"postcode": s.area.pc4},
            "max_travel_minutes": s.max_travel, "transport_mode": s.transport, "needs_allowance": s.needs_allowance,
            "irregular_shifts_ok": s.irregular_ok, "support_needs": list(s.support_needs)}
    return student, wish


def _place_input(p: demo.Place, rng: random.Random) -> dict:
    return {"period_id": demo.PERIOD_ID, "organisation_name": p.organisation_name, "sector": p.sector,
            "org_type": p.org_type, "location": {"postcode": p.area.pc4}, "address": p.address,
            "crebos": list(p.crebos), "levels": list(p.levels), "slots": p.slots, "supervision_capacity": p.supervision,
            "offers_allowance": p.offers_allowance, "irregular_shifts": p.irregular, "min_age": p.min_age,
            "support_offered": list(p.support_offered),
            "pathways": rng.choice(([], [], ["bol"], ["bbl"], ["bol", "bbl"])),
            "study_years": rng.choice(([], [], [1], [2, 3], [1, 2]))}


@pytest.fixture(scope="module")
def region():
    settings = Settings.from_env(ENV)
    publisher = FakePublisher()
    wiring = bootstrap(settings, publisher=publisher, redis_client=FakeKeyValue(), store=FakeIntakeStore(),
                       idempotency=FakeIdempotencyStore())
    deps, area, rng = wiring.deps, demo.generate(students=2000), random.Random(15)
    commands.create_period(deps, demo.REGION_ID, {"period_id": demo.PERIOD_ID, "name": "Najaar",
                                                  "starts_on": demo.STARTS_ON, "ends_on": demo.ENDS_ON})
    for school in area.schools:
        commands.submit_wishes(deps, school.school_id, demo.REGION_ID, [_wish_input(s) for s in school.students])
    for org in area.organisations:
        commands.post_places(deps, org.organisation_id, demo.REGION_ID, [_place_input(p, rng) for p in org.places])
    return deps, publisher


def _matcher_pairs(publisher: FakePublisher) -> dict[str, set[str]]:
    """Every eligible pair of the round the matcher computes from the published payloads (its pool)."""
    pool = Pool(demo.REGION_ID, demo.PERIOD_ID, None, tuple(e.payload for e in publisher.events("wish.submitted")),
                tuple(e.payload for e in publisher.events("place.posted")))
    tables = build_tables(to_round_input(pool, seed=0))
    refs = {i: ref for ref, i in tables.student_index.items()}
    place_ids = {i: place_id for place_id, i in tables.place_index.items()}
    pairs = eligible_pairs(tables)
    found: dict[str, set[str]] = defaultdict(set)
    for s, p in zip(pairs.student, pairs.place):
        found[refs[int(s)]].add(place_ids[int(p)])
    return found


def test_every_students_catalogue_holds_exactly_the_places_the_matcher_may_place_them_at(region):
    deps, publisher = region
    matcher = _matcher_pairs(publisher)
    refs = [e.payload.student_ref for e in publisher.events("wish.submitted")]
    assert len(refs) >= 1900 and sum(1 for ref in refs if matcher.get(ref)) > len(refs) // 2
    for ref in refs:
        shown = {o.place_id for o in commands.student_catalogue(deps, ref, demo.PERIOD_ID).offers}
        assert shown == matcher.get(ref, set()), ref
