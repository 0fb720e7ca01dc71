"""Metrics reflect a released round: wishes, places and a round released in two parts go through Kafka into
reporting's projections, and a scrape of /metrics shows the figures (small cells suppressed), which
`promtool check metrics` accepts.
"""

from __future__ import annotations

import re
import subprocess
import threading
import uuid

from typing import Any

import pytest

from reporting.bootstrap import bootstrap
from reporting.domain.aftercare import Pok, pok_id_of
from reporting.handlers import handle
from reporting.entrypoints.consumer import make_consumer
from stagepool_shared import topics
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events import places, rounds, wishes
from stagepool_shared.kafka import ConsumerOptions, EventPublisher, ensure_topics
from stagepool_shared.testing import wait_until
from stagepool_shared.testing.samples import HOME, MANIFEST, WORK, sample_payload
from tests.fakes.reporting import settings_for

pytestmark = pytest.mark.integration

PERIOD = "2027-p1"


def students(region: str) -> list[wishes.Wish]:
    base = sample_payload("wish.submitted")
    out = []
    for school, count in (("sch-alfa", 6), ("sch-beta", 10)):
        for n in range(count):
            out.append(wishes.Wish(**{**base.__dict__, "student_ref": f"stu_{school[4:]}{n:02d}{uuid.uuid4().hex[:8]}",
                                      "school_id": school, "region_id": region, "home": HOME, "top_places": []}))
    return out


def outcomes(wish_list: list[wishes.Wish]) -> list[rounds.Outcome]:
    result = []
    for n, wish in enumerate(wish_list):
        placed = wish.school_id == "sch-alfa" or n % 2 == 0
        result.append(rounds.Outcome(wish.student_ref, wish.school_id, "placed" if placed else "unplaced",
                                     place_id="plc-m-01" if placed else None,
                                     organisation_id="org-m" if placed else None,
                                     wish_match="top1" if placed and n % 4 == 0 else "none",
                                     reason_code=None if placed else "NO_ELIGIBLE_PLACE",
                                     named_places=n % 2 == 0))
    return result


def round_events(region: str, wish_list: list[wishes.Wish]) -> list:
    round_id = "rnd-" + uuid.uuid4().hex[:8]
    done = outcomes(wish_list)
    summary = rounds.Summary(students=16, placed=11, unplaced=5, worst_school_rate=0.5, best_school_rate=1.0,
                             school_spread=0.5, top1_share=1.0, top3_share=1.0)
    place = places.Place(**{**sample_payload("place.posted").__dict__, "place_id": "plc-m-01", "region_id": region,
                            "organisation_id": "org-m", "location": WORK, "slots": 20, "reserved": []})
    event = lambda kind, payload: new_envelope(kind, payload, producer="test", partition_key=region)  # noqa: E731
    return ([event("wish.submitted", w) for w in wish_list] + [event("place.posted", place)]
            + [event("round.proposed", rounds.RoundProposed(round_id, region, PERIOD, "initial", MANIFEST, summary,
                                                            1, 1, []))]
            + [event("round.released", rounds.RoundReleased(round_id, region, PERIOD, "2027-01-15T09:00:00Z",
                                                            "2027-01-22T17:00:00Z", part, 2, chunk))
               for part, chunk in ((1, done[:9]), (2, done[9:]))])


def placed_with_active_pok(deps, region: str) -> tuple[str, Any]:  # noqa: ANN001
    """A released round in `region` (`round_events`) and its first student's active POK from 2027-02-01 to
    2027-05-31 (issue 20's follow-up): (the student's pseudonym, their placement fact)."""
    wish_list = students(region)
    for event in round_events(region, wish_list):
        handle(event, deps)
    student = wish_list[0].student_ref
    fact = deps.views.placement(region, PERIOD, student)
    deps.aftercare.save_pok(Pok(pok_id_of(region, PERIOD, student), region, PERIOD, student, fact.school_id,
                                fact.organisation_id, fact.place_id, "rnd-1", "2027-01-20T09:00:00+00:00",
                                status="active", start_date="2027-02-01", end_date="2027-05-31", hours=400))
    return student, fact


def sample(text: str, name: str, **labels: str) -> float | None:
    for line in text.splitlines():
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items()):
            return float(line.rsplit(" ", 1)[1])
    return None


def test_metrics_reflect_a_released_round(kafka_bootstrap, redis_url, redis_client, tmp_path):
    ensure_topics(kafka_bootstrap)
    region = "reg-" + uuid.uuid4().hex[:8]
    service = bootstrap(settings_for(kafka_bootstrap, redis_url), key_prefix="reporting-" + uuid.uuid4().hex[:6])
    stop = threading.Event()
    group = topics.ConsumerGroup("test-reporting-" + uuid.uuid4().hex[:8], topics.REPORTING.topics)
    loop = make_consumer(service, stop, ConsumerOptions(poll_timeout_ms=200), group)
    thread = threading.Thread(target=loop.run, name="reporting-consumer", daemon=True)
    thread.start()
    publisher = EventPublisher(kafka_bootstrap, "reporting-metrics-test")
    try:
        publisher.publish_all(round_events(region, students(region)))
        client = service.app().test_client()
        scrape = lambda: client.get("/metrics").get_data(as_text=True)  # noqa: E731
        text = wait_until(lambda: (t := scrape()) and sample(t, "stagepool_students_placed", region=region) and t,
                          timeout=60, message="the released round never showed in /metrics")
        assert sample(text, "stagepool_students_seeking", region=region, period=PERIOD) == 16
        assert sample(text, "stagepool_students_placed", region=region, period=PERIOD) == 11
        assert sample(text, "stagepool_students_unplaced", region=region, reason="NO_ELIGIBLE_PLACE") == 5
        assert sample(text, "stagepool_school_placement_rate", region=region, school="sch-beta") == 0.5
        assert sample(text, "stagepool_school_placement_rate_worst", region=region) == 0.5
        assert sample(text, "stagepool_school_placement_rate_best", region=region) == 1.0
        assert sample(text, "stagepool_fill_rate", region=region) == pytest.approx(11 / 20)
        # 8 students named places (even n), all placed; 4 of them (n = 0, 4, 8, 12) at their first one
        assert sample(text, "stagepool_placed_top1_share", region=region) == 0.5
        assert sample(text, "stagepool_slots_offered", region=region, sector="zorg") == 20
        assert not re.search(r'\{[^}]*"(stu_|org-m)', text)
        metrics_file = tmp_path / "metrics.txt"
        metrics_file.write_text(text)
        checked = subprocess.run(["promtool", "check", "metrics"], input=text, capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
    finally:
        stop.set()
        thread.join(timeout=15)
        publisher.close()
        service.close()
