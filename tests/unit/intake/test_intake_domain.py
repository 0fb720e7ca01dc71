"""Pure rules: age at the period's start, coarse areas, configuration that fails fast."""

from __future__ import annotations

from datetime import date

import pytest

from intake import commands
from intake.config import Settings
from intake.domain.age import age_at_start, age_on
from intake.domain.location import coarse_area, pc4_of
from intake.errors import InvalidInput
from stagepool_shared.errors import ConfigError


def test_the_age_counts_whole_years_up_to_the_start_day():
    assert age_on(date(2009, 2, 1), date(2027, 2, 1)) == 18
    assert age_on(date(2009, 2, 2), date(2027, 2, 1)) == 17
    assert age_on(date(2008, 2, 29), date(2027, 2, 28)) == 18


def test_an_implausible_student_age_is_refused():
    with pytest.raises(InvalidInput):
        age_at_start(date(2020, 1, 1), date(2027, 2, 1))


def test_a_postcode_becomes_its_pc4_area_from_the_table():
    assert pc4_of("9711ab") == "9711" and pc4_of("0711") is None
    area = coarse_area("7811 AA")
    assert (area.pc4, area.lat, area.lon) == ("7811", 52.78, 6.9)


def test_coordinates_outside_the_netherlands_are_refused():
    with pytest.raises(InvalidInput):
        coarse_area("9711", 48.85, 2.35)


def test_missing_configuration_is_reported_in_one_error_naming_every_variable():
    with pytest.raises(ConfigError) as err:
        Settings.from_env({})
    for name in ("KAFKA_BOOTSTRAP_SERVERS", "REDIS_URL", "INTAKE_PSEUDONYM_SECRET"):
        assert name in str(err.value)


def test_the_pseudonym_depends_on_the_secret(api):
    deps = api.wiring.deps
    assert commands.student_ref(deps, "school-a", "S1") == commands.student_ref(deps, "school-a", "S1")
    assert commands.student_ref(deps, "school-a", "S1") != commands.student_ref(deps, "school-b", "S1")


def test_after_a_failed_publish_the_next_ones_fail_fast_until_the_cooldown_ends():
    from intake.adapters.breaker import FailFastPublisher
    from stagepool_shared.errors import PublishFailed
    from tests.fakes import FakePublisher
    from stagepool_shared.testing.samples import sample_payload
    from stagepool_shared.envelope import new_envelope

    inner, now = FakePublisher(), [100.0]
    publisher = FailFastPublisher(inner, cooldown_s=5, clock=lambda: now[0])
    envelope = new_envelope("wish.submitted", sample_payload("wish.submitted"), producer="intake", partition_key="r")
    inner.go_down()
    for _ in range(2):
        with pytest.raises(PublishFailed):
            publisher.publish(envelope)
    inner.fail_with = None
    with pytest.raises(PublishFailed):
        publisher.publish(envelope)
    now[0] += 5.1
    publisher.publish(envelope)
    assert len(inner.published) == 1
