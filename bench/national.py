"""A national release day, measured (`make bench`, module `national`; issue 18.6, docs/scaling.md).

28 regions of unequal size (bench.national_regions) go through the whole platform, once per instance count
(1, 2 and 3 instances of the matcher and the notifier, each on a fresh Kafka and Redis: bench.national_stack):
1. the coordinators create their periods and schools; every organisation uploads its places and every school
   its students' wishes to intake over HTTP (CSV, 8 uploads at a time), which publishes them to Kafka;
2. once the matcher's projection holds every region's wishes and places, every region requests its round at
   once; "proposals" is the time from the first request to the last proposal stored;
3. per school, school staff and support staff approve; every round is scheduled for release at the same
   moment T; the release spread is the time from the first to the last e-mail the mail sink accepted, and
   messages/s is messages over that spread;
4. at the last expected e-mail: each consumer group's lag, every process's peak memory, and the CPU seconds
   each process used during the proposals and during the release. E-mails the notifiers gave up on are
   counted (their failed-messages metric, read with every poll), not waited for.
Wishes/s is the rows intake accepted over the wall time of all wish uploads. The 1-minute load average is
recorded at the start and after each phase: the machine is shared, and it moves every figure.

Scale: BENCH_NATIONAL_SCALE = quick (default, 2,500 students), full (250,000) or a number of students;
BENCH_NATIONAL_INSTANCES = 1,2,3 (default). Run alone: `BENCH_ONLY=national python -m bench`.
Imports requests, demo, bench and stagepool_shared (never a service).
"""

from __future__ import annotations

import os
import shutil
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable

import requests

from bench.national_regions import national_regions, places_file, scale_students, wishes_file
from bench.national_stack import NationalStack
from demo.clients import ApiError, Clients, metric
from demo.region import DemoRegion
from demo.scenario import Cast, approve, cast_for, expected_messages, set_up_period
from stagepool_shared import topics
from stagepool_shared.kafka import group_lag
from stagepool_shared.redis import connect

from matcher.adapters.keys import Keys

UPLOADERS = 8
RELEASE_LEAD_S = 5.0


@dataclass
class Figures:
    """What one instance count measured."""

    instances: int
    scale: str
    regions: int
    students: int
    organisations: int
    places: int
    wishes: int
    wishes_s: float
    places_s: float
    projection_s: float
    proposals_s: float
    release_at_to_first_s: float
    release_spread_s: float
    messages: int
    messages_expected: int
    messages_failed: int
    lag_by_group: dict[str, int]
    peak_mb: dict[str, float | None]
    load_avg_1m: dict[str, float]
    proposal_s_by_region: dict[str, float] = field(default_factory=dict)
    proposals_cpu_s: dict[str, float] = field(default_factory=dict)
    release_cpu_s: dict[str, float] = field(default_factory=dict)
    uploads_retried: int = 0


def used(before: dict[str, float | None], after: dict[str, float | None]) -> dict[str, float]:
    """CPU seconds each process used between two readings (processes read both times)."""
    return {name: round(after[name] - start, 2) for name, start in before.items()
            if start is not None and after.get(name) is not None}


def per_cpu_s(count: int, cpu: dict[str, float], service: str) -> float:
    """`count` per CPU second of a service's instances together (0.0 when they used none)."""
    seconds = sum(v for k, v in cpu.items() if k.startswith(service + "-"))
    return round(count / seconds, 1) if seconds > 0 else 0.0


def row(f: Figures) -> dict[str, Any]:
    """The bench/results.json row of one instance count (component "national")."""
    return {"component": "national", "instances": f.instances, "scale": f.scale, "regions": f.regions,
            "students": f.students, "organisations": f.organisations, "places": f.places, "wishes": f.wishes,
            "wishes_per_s": round(f.wishes / f.wishes_s, 1) if f.wishes_s > 0 else 0.0,
            "wishes_import_s": round(f.wishes_s, 2), "places_import_s": round(f.places_s, 2),
            "projection_s": round(f.projection_s, 2), "proposals_s": round(f.proposals_s, 2),
            "release_at_to_first_s": round(f.release_at_to_first_s, 2),
            "release_spread_s": round(f.release_spread_s, 2),
            "messages_per_s": round(f.messages / f.release_spread_s, 1) if f.release_spread_s > 0 else 0.0,
            "messages": f.messages, "messages_expected": f.messages_expected,
            "messages_failed": f.messages_failed, "uploads_retried": f.uploads_retried,
            "lag_end": sum(f.lag_by_group.values()), "lag_end_by_group": dict(f.lag_by_group),
            "peak_mb": dict(f.peak_mb), "load_avg_1m": dict(f.load_avg_1m),
            "proposal_s_by_region": {k: round(v, 2) for k, v in f.proposal_s_by_region.items()},
            "proposals_cpu_s": dict(f.proposals_cpu_s), "release_cpu_s": dict(f.release_cpu_s),
            "notifier_messages_per_cpu_s": per_cpu_s(f.messages, f.release_cpu_s, "notifier"),
            "matcher_students_per_cpu_s": per_cpu_s(f.students, f.proposals_cpu_s, "matcher")}


def _largest(peaks: dict[str, Any], service: str) -> str:
    values = [v for k, v in peaks.items() if k.startswith(service + "-") and v is not None]
    return f"{max(values):.0f}" if values else "-"


def print_table(rows: list[dict[str, Any]]) -> None:
    """One line per instance count, with the largest peak of a matcher and of a notifier instance."""
    print(f"{'instances':>9} {'students':>9} {'wishes/s':>9} {'proposals_s':>11} {'spread_s':>9} {'msg/s':>8} "
          f"{'messages':>8} {'failed':>6} {'lag_end':>7} {'matcher_MB':>10} {'notifier_MB':>11} {'load_1m':>7}")
    for r in rows:
        print(f"{r['instances']:>9} {r['students']:>9} {r['wishes_per_s']:>9} {r['proposals_s']:>11} "
              f"{r['release_spread_s']:>9} {r['messages_per_s']:>8} {r['messages']:>8} {r['messages_failed']:>6} "
              f"{r['lag_end']:>7} "
              f"{_largest(r['peak_mb'], 'matcher'):>10} {_largest(r['peak_mb'], 'notifier'):>11} "
              f"{max(r['load_avg_1m'].values(), default=0.0):>7}")


def instance_counts() -> tuple[int, ...]:
    """BENCH_NATIONAL_INSTANCES (default 1,2,3)."""
    return tuple(int(n) for n in os.environ.get("BENCH_NATIONAL_INSTANCES", "1,2,3").split(",") if n.strip())


def poll(predicate: Callable[[], Any], timeout: float, what: str, interval: float = 0.25) -> Any:
    """Poll until `predicate` is truthy (its value is returned); TimeoutError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not reached within {timeout:.0f} s")
        time.sleep(interval)  # the bench's polling interval, not a test wait
    return value


def timed(what: str, step: Callable[[], Any]) -> tuple[Any, float]:
    """Run one phase; print how long it took (and the load average then), return its value and seconds."""
    started = time.monotonic()
    value = step()
    seconds = time.monotonic() - started
    print(f"  {what}: {seconds:.1f} s (load {os.getloadavg()[0]:.2f})", flush=True)
    return value, seconds


@dataclass
class Retries:
    """How often an upload was answered 503 (nothing stored, e.g. Kafka slow to acknowledge) and sent again
    with the same Idempotency-Key, as a real client does; at most `attempts` tries, `pause_s` apart."""

    attempts: int = 5
    pause_s: float = 2.0
    count: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def call(self, upload: Callable[[], int]) -> int:
        for attempt in range(1, self.attempts + 1):
            try:
                return upload()
            except ApiError as err:
                if err.status != 503 or attempt == self.attempts:
                    raise
                with self._lock:
                    self.count += 1
                time.sleep(self.pause_s)  # a client's pause before it tries again
        raise AssertionError("unreachable")


def in_parallel(tasks: list[Callable[[], int]], retries: Retries) -> int:
    """Run the upload tasks UPLOADERS at a time (each retried on 503); the sum of the rows accepted."""
    with ThreadPoolExecutor(max_workers=UPLOADERS, thread_name_prefix="national-upload") as pool:
        return sum(pool.map(retries.call, tasks))


def place_uploads(casts: dict[str, Cast], regions: list[DemoRegion]) -> list[Callable[[], int]]:
    return [lambda r=r, o=o: casts[r.region_id].organisations[o.organisation_id].import_places(
        places_file(r, o), "plaatsen.csv", idempotency_key=f"national-places-{o.organisation_id}")["accepted"]
        for r in regions for o in r.organisations]


def wish_uploads(casts: dict[str, Cast], regions: list[DemoRegion]) -> list[Callable[[], int]]:
    return [lambda r=r, s=s: casts[r.region_id].schools[s.school_id].import_wishes(
        wishes_file(r, s), "leerwensen.csv", idempotency_key=f"national-wishes-{s.school_id}")["accepted"]
        for r in regions for s in r.schools if s.students]


def projected(redis_url: str, regions: list[DemoRegion]) -> Callable[[], bool]:
    """Whether the matcher's projection holds every region's wishes and places (its Redis hashes)."""
    client = connect(redis_url)

    def complete() -> bool:
        with client.pipeline(transaction=False) as pipe:
            for r in regions:
                key = Keys().period(r.region_id, r.period_id)
                pipe.hlen(key + ":wishes")
                pipe.hlen(key + ":places")
            counts = pipe.execute()
        wanted = [n for r in regions for n in (len(r.students), len(r.places))]
        return all(have >= want for have, want in zip(counts, wanted))
    return complete


def request_rounds(casts: dict[str, Cast], regions: list[DemoRegion], timeout: float) -> tuple[dict, dict]:
    """Every region requests its round at once; (region -> proposed record, region -> seconds to proposal)."""
    started = time.monotonic()
    ids = {r.region_id: casts[r.region_id].coordinator_matcher.request_round(r.region_id, r.period_id, seed=1)
           for r in regions}
    records: dict[str, dict] = {}
    seconds: dict[str, float] = {}

    def all_proposed() -> bool:
        for region_id in set(ids) - set(records):
            record = casts[region_id].coordinator_matcher.round(ids[region_id])
            if record["status"] == "failed":
                raise RuntimeError(f"round of {region_id} failed: {record.get('failure')}")
            if record["status"] == "proposed":
                records[region_id], seconds[region_id] = record, time.monotonic() - started
        return len(records) == len(ids)

    poll(all_proposed, timeout, "every region's proposal", interval=0.5)
    return records, seconds


def release_all(casts: dict[str, Cast], records: dict[str, dict]) -> datetime:
    """Every round scheduled for release at the same moment T (RELEASE_LEAD_S ahead); returns T."""
    release_at = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=RELEASE_LEAD_S + 1)
    for region_id, record in records.items():
        casts[region_id].coordinator_matcher.release(record["round_id"], release_at, release_at + timedelta(days=14))
    return release_at


def failed_emails(stack: NationalStack) -> int:
    """E-mails the notifier instances gave up on (e.g. a contact intake did not know): never coming."""
    assert stack.platform is not None
    return int(sum(metric(requests.get(s.url + "/metrics", timeout=10).text,
                          "stagepool_notifier_messages_failed_total", channel="email")
                   for name, s in stack.platform.services.items() if name.startswith("notifier")))


def delivered_or_given_up(stack: NationalStack, before: int, expected: int) -> Callable[[], bool]:
    """Whether every expected e-mail reached the sink or was given up on (counted, not waited for)."""
    return lambda: stack.sink.count - before >= expected or (
        stack.sink.count - before + failed_emails(stack) >= expected)


def lags(bootstrap: str) -> dict[str, int]:
    """Every consumer group's lag now (messages on its topics not yet committed)."""
    return {g.group_id: group_lag(bootstrap, g.group_id, g.topics) for g in topics.ALL_GROUPS}


def measure(stack: NationalStack, regions: list[DemoRegion], scale: str) -> Figures:
    """One national release day on a started stack."""
    assert stack.platform is not None
    load = {"start": os.getloadavg()[0]}
    students = sum(len(r.students) for r in regions)
    clients = Clients.for_platform(stack.platform)
    casts = {r.region_id: cast_for(clients, r) for r in regions}
    for r in regions:
        set_up_period(casts[r.region_id], r)
    retries = Retries()
    places, places_s = timed("places uploaded", lambda: in_parallel(place_uploads(casts, regions), retries))
    wishes, wishes_s = timed("wishes uploaded", lambda: in_parallel(wish_uploads(casts, regions), retries))
    load["wishes"] = os.getloadavg()[0]
    _, projection_s = timed("matcher projection complete", lambda: poll(
        projected(stack.redis.url, regions), 120 + students / 50, "the matcher's projection of every region"))
    cpu = {"rounds": stack.cpu_s()}
    (records, by_region), proposals_s = timed("rounds requested -> every proposal stored",
                                              lambda: request_rounds(casts, regions, 300 + students / 200))
    load["proposals"], cpu["proposed"] = os.getloadavg()[0], stack.cpu_s()
    for r in regions:
        approve(casts[r.region_id], records[r.region_id]["round_id"])
    expected = sum(expected_messages(record) for record in records.values())
    before, cpu["release"] = stack.sink.count, stack.cpu_s()
    release_at = release_all(casts, records)
    timed(f"released -> {expected} e-mails delivered or given up", lambda: poll(
        delivered_or_given_up(stack, before, expected), 180 + expected / 20, f"{expected} e-mails delivered"))
    lag_by_group, peaks, failed, cpu["delivered"] = (lags(stack.kafka.bootstrap), stack.peak_mb(),
                                                     failed_emails(stack), stack.cpu_s())
    load["release"] = os.getloadavg()[0]
    first, last = stack.sink.first or 0.0, stack.sink.last or 0.0
    return Figures(stack.instances, scale, len(regions), students, sum(len(r.organisations) for r in regions),
                   places, wishes, wishes_s, places_s, projection_s, proposals_s, first - release_at.timestamp(),
                   last - first, stack.sink.count - before, expected, failed, lag_by_group, peaks,
                   {k: round(v, 2) for k, v in load.items()}, by_region,
                   used(cpu["rounds"], cpu["proposed"]), used(cpu["release"], cpu["delivered"]), retries.count)


def run() -> list[dict[str, Any]]:
    """`make bench`: the national day for each instance count; prints the table and returns the rows."""
    value = os.environ.get("BENCH_NATIONAL_SCALE", "")
    students = scale_students(value)
    scale = value.strip().lower() or "quick"
    regions = national_regions(students)
    rows = []
    for instances in instance_counts():
        workdir = Path(tempfile.mkdtemp(prefix=f"stagepool-national-{instances}-"))
        started = time.monotonic()
        print(f"national: {instances} instance(s) of the matcher and the notifier, {students} students", flush=True)
        with NationalStack(workdir, instances) as stack:
            print(f"  platform up: {time.monotonic() - started:.1f} s", flush=True)
            rows.append(row(measure(stack, regions, scale)))
        print(f"  done in {time.monotonic() - started:.0f} s (load {os.getloadavg()[0]:.2f})", flush=True)
        shutil.rmtree(workdir, ignore_errors=True)  # kept (with the service logs) when the run failed
    print_table(rows)
    return rows


if __name__ == "__main__":
    run()
