"""The matching variant's path on the real broker and Redis (issue 15.3, 15.5): a school sets variant 2 for a
programme on intake, `variant.set` travels on the wishes topic (codes only), and reporting keeps it for the
figures per variant; a variant-2 student's offer kept in reporting's Redis is dropped on erasure."""

from __future__ import annotations

import pytest

from reporting.commands.report import offers_of_period, variants_of_period
from reporting.handlers import handle
from stagepool_shared import topics
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.students import StudentErased
from stagepool_shared.events.variants import CandidatesOffered
from stagepool_shared.testing.waiting import wait_until

pytestmark = pytest.mark.integration

PERIOD = {"period_id": "p2027a", "name": "Voorjaar 2027", "starts_on": "2027-02-01", "ends_on": "2027-06-30"}


def test_a_schools_variant_reaches_reporting_and_an_erased_students_offer_is_dropped(intake_to_reporting):
    both = intake_to_reporting
    tag, region, intake, reporting = both.tag, both.region, both.intake, both.reporting
    client = intake.app().test_client()
    coordinator = {"Authorization": "Bearer " + intake.tokens.issue("u-c", "regional_coordinator", region,
                                                                    region_id=region)}
    school = {"Authorization": "Bearer " + intake.tokens.issue("u-s", "school_staff", f"sch-{tag}", region_id=region)}
    thread = both.consumer("it-variant", topics.WISHES)
    assert client.put("/api/v1/periods/p2027a", json=PERIOD, headers=coordinator).status_code == 200
    setting = {"period_id": "p2027a", "crebo": "25491", "variant": 2, "candidates": 4}
    assert client.put("/api/v1/variants", json=setting, headers=school).status_code == 202
    thread.start()
    kept = wait_until(lambda: variants_of_period(reporting.deps, region, "p2027a"), timeout=60,
                      message="reporting did not keep the variant")
    assert kept == {f"sch-{tag}|25491": 2}

    def event(event_type: str, payload: object):
        return new_envelope(event_type, payload, producer="t", partition_key=region)

    handle(event("candidates.offered", CandidatesOffered("rnd-1", region, "p2027a", f"sch-{tag}", "stu-1",
                                                         ["plc-1", "plc-2"])), reporting.deps)
    assert offers_of_period(reporting.deps, region, "p2027a") == {"stu-1": ["plc-1", "plc-2"]}
    handle(event("student.erased", StudentErased("stu-1", f"sch-{tag}", region)), reporting.deps)
    assert offers_of_period(reporting.deps, region, "p2027a") == {}
