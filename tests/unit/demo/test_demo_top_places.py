"""The demo's wishes file names only places the student is eligible for: intake refuses a whole file whose
top 3 names any other place (issue 15.2), so the scenario's wish import would otherwise fail."""

from __future__ import annotations

import random

from demo import region as demo_region
from intake import building
from intake.domain.model import Period
from stagepool_shared.eligibility import is_eligible


def test_the_demo_top_3_names_only_places_the_student_is_eligible_for():
    area = demo_region.generate(students=300, seed=5)
    period = Period(period_id=area.period_id, region_id=area.region_id, name="demo",
                    starts_on=demo_region.STARTS_ON, ends_on=demo_region.ENDS_ON)
    offered = {}
    for n, p in enumerate((p for org in area.organisations for p in org.places), start=1):
        data = {"organisation_name": p.organisation_name, "sector": p.sector, "org_type": p.org_type,
                "location": {"postcode": p.area.pc4}, "address": p.address, "crebos": list(p.crebos),
                "levels": list(p.levels), "slots": p.slots, "supervision_capacity": p.supervision,
                "offers_allowance": p.offers_allowance, "irregular_shifts": p.irregular, "min_age": p.min_age,
                "support_offered": list(p.support_offered)}
        offered[f"pl{n}"] = building.place(f"pl{n}", p.organisation_id, period, data)[0]
    as_published = {pid: building.wire(place) for pid, place in offered.items()}
    rng, named = random.Random(1), 0
    for student in (s for school in area.schools for s in school.students):
        top = demo_region.choose_top_places(student, as_published, rng)
        wish = building.wish("ref", student.school_id, period, {"date_of_birth": student.date_of_birth}, {
            "period_id": area.period_id, "sector": student.sector, "crebo": student.crebo, "level": student.level,
            "study_year": student.study_year, "pathway": student.pathway, "home": {"postcode": student.area.pc4},
            "max_travel_minutes": student.max_travel, "transport_mode": student.transport,
            "needs_allowance": student.needs_allowance, "irregular_shifts_ok": student.irregular_ok,
            "support_needs": list(student.support_needs)})[0]
        assert all(is_eligible(wish, offered[pid]) for pid in top), (student.number, top)
        named += len(top)
    assert named > 100  # most students still name places
