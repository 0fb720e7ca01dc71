"""bench.national (issue 18.6): the national regions' sizes and the shape of its result rows and table.

No timing is asserted: the figures are whatever the machine gave; only their names, types and the
derivation of the region sizes are fixed.
"""

from __future__ import annotations

import json
import os

import pytest

from bench import national
from bench.national_stack import cpu_s_of, peak_mb_of
from demo.clients import ApiError
from bench.national_regions import FULL_STUDENTS, REGIONS, national_regions, region_sizes, scale_students

REQUIRED = {"component": str, "instances": int, "regions": int, "students": int, "proposals_s": float,
            "release_spread_s": float, "messages_per_s": float, "wishes_per_s": float, "lag_end": int,
            "lag_end_by_group": dict, "peak_mb": dict, "load_avg_1m": dict}


def figures(instances: int = 2) -> national.Figures:
    return national.Figures(
        instances=instances, scale="quick", regions=28, students=5000, organisations=250, places=330,
        wishes=5000, wishes_s=2.5, places_s=4.0, projection_s=3.0, proposals_s=12.25, release_at_to_first_s=0.8,
        release_spread_s=9.5, messages=5400, messages_expected=5400, messages_failed=0,
        lag_by_group={"stagepool-matcher": 0, "stagepool-notifier": 3},
        peak_mb={"intake": 180.0, "matcher-1": 210.5, "matcher-2": 190.0, "notifier-1": 120.0,
                 "notifier-2": 118.0, "reporting": 140.0, "kafka": 600.0, "redis": 40.0},
        load_avg_1m={"start": 1.2, "wishes": 2.5, "proposals": 3.1, "release": 2.9},
        proposals_cpu_s={"matcher-1": 2.0, "matcher-2": 0.5, "intake": 0.4},
        release_cpu_s={"notifier-1": 6.0, "notifier-2": 4.8, "intake": 3.0})


def test_the_full_scale_is_28_unequal_regions_of_250000_students_with_the_largest_over_30000():
    sizes = region_sizes(FULL_STUDENTS)
    assert len(sizes) == REGIONS == 28
    assert sum(sizes) == 250_000
    assert sizes == sorted(sizes, reverse=True)
    assert sizes[0] >= 30_000
    assert 5 <= sizes[0] / sizes[-1] <= 10  # the big-city regions are several times the rural ones


def test_the_quick_scale_keeps_the_shape_at_a_hundredth():
    sizes = region_sizes(scale_students("quick"))
    assert sum(sizes) == FULL_STUDENTS // 100
    assert sizes[0] / sizes[-1] == pytest.approx(region_sizes(FULL_STUDENTS)[0] / region_sizes(FULL_STUDENTS)[-1],
                                                 rel=0.05)


@pytest.mark.parametrize("value, students", [("quick", 2500), ("", 2500), ("full", 250_000), ("20000", 20_000)])
def test_the_scale_variable_names_a_size_or_a_student_count(value, students):
    assert scale_students(value) == students


@pytest.mark.parametrize("value", ["huge", "-5", "10"])
def test_a_scale_that_is_neither_quick_full_nor_a_count_of_at_least_one_per_region_is_refused(value):
    with pytest.raises(ValueError, match="BENCH_NATIONAL_SCALE"):
        scale_students(value)


def test_the_regions_have_their_own_ids_schools_and_organisations():
    regions = national_regions(1400, seed=3)
    assert [r.region_id for r in regions][:2] == ["R01", "R02"]
    assert len({r.period_id for r in regions}) == len(regions) == 28
    schools = [s.school_id for r in regions for s in r.schools]
    organisations = [o.organisation_id for r in regions for o in r.organisations]
    assert len(set(schools)) == len(schools) and len(set(organisations)) == len(organisations)
    assert all(st.school_id.startswith(r.region_id.lower()) for r in regions for st in r.students)
    assert all(p.organisation_id.startswith(r.region_id.lower()) for r in regions for p in r.places)
    assert sum(len(r.students) for r in regions) == pytest.approx(1400, abs=28 * 2)


def test_a_row_carries_every_field_of_the_national_component_and_is_json():
    row = national.row(figures())
    for name, kind in REQUIRED.items():
        assert isinstance(row[name], kind), name
    assert row["component"] == "national"
    assert row["lag_end"] == 3
    assert row["messages_per_s"] == pytest.approx(5400 / 9.5, rel=1e-3)
    assert row["wishes_per_s"] == pytest.approx(2000.0)
    assert row["notifier_messages_per_cpu_s"] == pytest.approx(5400 / 10.8, rel=1e-3)
    assert row["matcher_students_per_cpu_s"] == pytest.approx(5000 / 2.5, rel=1e-3)
    assert json.loads(json.dumps(row)) == row


def test_cpu_used_in_a_phase_is_the_difference_of_two_readings_of_the_processes_read_both_times():
    before = {"matcher-1": 10.0, "notifier-1": 3.0, "gone": 1.0, "unread": None}
    after = {"matcher-1": 12.5, "notifier-1": 3.25, "unread": 4.0}
    assert national.used(before, after) == {"matcher-1": 2.5, "notifier-1": 0.25}


def test_a_running_process_has_a_peak_memory_and_cpu_time_and_an_unknown_one_has_none():
    assert peak_mb_of(os.getpid()) > 10
    assert cpu_s_of(os.getpid()) > 0
    assert peak_mb_of(None) is None and cpu_s_of(None) is None


def test_a_release_with_no_spread_has_no_rate_rather_than_a_division_by_zero():
    data = figures()
    data.release_spread_s = 0.0
    assert national.row(data)["messages_per_s"] == 0.0


def test_the_table_has_one_line_per_instance_count(capsys):
    national.print_table([national.row(figures(n)) for n in (1, 2, 3)])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.strip()]
    assert lines[0].split()[:2] == ["instances", "students"]
    assert [line.split()[0] for line in lines[1:]] == ["1", "2", "3"]
    header = lines[0].split()
    assert [line.split()[header.index("failed")] for line in lines[1:]] == ["0", "0", "0"]  # given up, said


def answers(*outcomes: int | ApiError):
    """An upload that answers each outcome in turn: rows accepted, or an error raised."""
    queue = list(outcomes)

    def upload() -> int:
        outcome = queue.pop(0)
        if isinstance(outcome, ApiError):
            raise outcome
        return outcome
    return upload


def unavailable() -> ApiError:
    return ApiError("POST", "http://intake/api/v1/imports/wishes", 503, {"error": "unavailable"})


def test_an_upload_answered_503_is_sent_again_and_counted():
    retries = national.Retries(pause_s=0.0)
    assert retries.call(answers(unavailable(), unavailable(), 120)) == 120
    assert retries.count == 2


def test_an_upload_refused_for_another_reason_or_503_every_time_fails_the_run():
    refused = ApiError("POST", "http://intake/api/v1/imports/wishes", 422, {"error": "invalid"})
    with pytest.raises(ApiError) as raised:
        national.Retries(pause_s=0.0).call(answers(refused, 120))
    assert raised.value.status == 422
    with pytest.raises(ApiError):
        national.Retries(attempts=2, pause_s=0.0).call(answers(unavailable(), unavailable(), 120))
