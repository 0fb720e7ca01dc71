"""The load run (`make bench`, module `load`): sustained intake of wishes at a fixed rate, then count in = count out.

An open-loop generator (a fixed arrival schedule, so a slow answer never slows the offered load and latency
is measured from the *scheduled* moment: no coordinated omission) POSTs wishes to intake's real HTTP API on
loopback, each with a unique Idempotency-Key; about 2 % are deliberately invalid and must be rejected (4xx).
Every request goes into a history (reliability.md 3.0): ok = 2xx (acknowledged), fail = 4xx, info = 5xx,
timeout or reset (indeterminate). Afterwards the checker reads the wishes topic from offset 0 and the
matcher's projection: lost = acked - present (must be empty), phantom = rejected & present (must be empty).

Bounded: BENCH_LOAD_SECONDS (180; BENCH_QUICK=1: 20) at BENCH_LOAD_RATE wishes/s (20).
Run alone: `python -m bench.load`; register in `make bench` by adding "load" to MODULES in bench/__main__.py.
Imports requests, redis-py (through stagepool_shared), stagepool_shared and demo (never a service).
"""

from __future__ import annotations

import json
import os
import random
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable

import requests

from stagepool_shared import topics
from stagepool_shared.auth import TokenStore, pseudonym
from stagepool_shared.kafka import group_lag, read_log
from stagepool_shared.redis import connect
from stagepool_shared.testing.waiting import wait_until

from matcher.adapters.keys import Keys

PERIOD = {"name": "Voorjaar 2027", "starts_on": "2027-02-01", "ends_on": "2027-06-30"}
POSTCODES = ("9711", "9712", "9713", "9401", "9402", "9403")
INVALID_SHARE = 0.02


@dataclass
class Op:
    """One client operation of the history."""

    op_id: int
    key: str
    valid: bool
    t_scheduled: float
    t_invoke: float = 0.0
    t_complete: float = 0.0
    status: int | None = None
    outcome: str = "info"
    event_id: str | None = None
    student_ref: str | None = None
    error: str | None = None

    @property
    def latency_s(self) -> float:
        """From the scheduled arrival to the answer (includes any queueing in the generator)."""
        return self.t_complete - self.t_scheduled


@dataclass
class History:
    """Every operation of a run, appendable from many threads."""

    ops: list[Op] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, op: Op) -> None:
        with self._lock:
            self.ops.append(op)

    def where(self, outcome: str) -> list[Op]:
        with self._lock:
            return [op for op in self.ops if op.outcome == outcome]

    def write_jsonl(self, path: Path) -> None:
        with self._lock:
            path.write_text("".join(json.dumps(asdict(op)) + "\n" for op in self.ops))


@dataclass(frozen=True)
class Target:
    """Where the generator sends wishes: intake's URL, a school token of a region, and the period."""

    intake_url: str
    token: str
    region_id: str
    school_id: str
    period_id: str


def setup_region(intake_url: str, redis_url: str, run: str) -> Target:
    """Register a period for a fresh region and issue a coordinator and a school token for it."""
    tokens = TokenStore(connect(redis_url))
    region, school, period = f"reg-{run}", f"sch-{run}", f"p-{run}"
    coordinator = tokens.issue(f"coord-{run}", "regional_coordinator", region, region)
    response = requests.put(f"{intake_url}/api/v1/periods/{period}", json={"period_id": period, **PERIOD},
                            headers={"Authorization": "Bearer " + coordinator}, timeout=30)
    response.raise_for_status()
    return Target(intake_url, tokens.issue(f"staff-{run}", "school_staff", school, region), region, school, period)


def wish_body(target: Target, n: int, valid: bool = True) -> dict:
    """A wish for student number n; an invalid one has level 7 (the API must refuse it with 422)."""
    rng = random.Random(n)
    wish = {"period_id": target.period_id, "sector": rng.choice(("zorg", "techniek", "handel")),
            "crebo": rng.choice(("25491", "25492", "25493")), "level": rng.choice((2, 3, 4)) if valid else 7,
            "study_year": 1, "pathway": "bol", "home": {"postcode": rng.choice(POSTCODES)},
            "max_travel_minutes": rng.choice((30, 45, 60)), "transport_mode": "bike"}
    student = {"student_number": f"L{n}", "name": f"Leerling {n}", "email": f"leerling{n}@example.org",
               "date_of_birth": "2009-03-15"}
    return {"student": student, "wish": wish}


def send_wish(session: requests.Session, target: Target, op: Op, timeout: float = 30.0) -> Op:
    """POST one wish and classify the answer: ok (2xx), fail (4xx) or info (5xx, timeout, reset)."""
    op.t_invoke = time.monotonic()
    try:
        response = session.post(f"{target.intake_url}/api/v1/wishes", json=wish_body(target, op.op_id, op.valid),
                                headers={"Authorization": "Bearer " + target.token, "Idempotency-Key": op.key},
                                timeout=timeout)
        op.status = response.status_code
        op.outcome = "ok" if response.ok else "fail" if 400 <= response.status_code < 500 else "info"
        if response.ok:
            body = response.json()
            op.event_id, op.student_ref = body["event_id"], body.get("student_ref")
    except requests.RequestException as err:
        op.error = err.__class__.__name__
    op.t_complete = time.monotonic()
    return op


def open_loop(target: Target, rate: float, seconds: float, run: str, history: History | None = None,
              workers: int = 32, invalid_share: float = INVALID_SHARE, first_op: int = 0) -> History:
    """Offer `rate` wishes/s for `seconds` on a fixed schedule; returns the history once every answer is in."""
    history = history or History()
    local = threading.local()
    rng = random.Random(run)

    def task(op: Op) -> None:
        if not hasattr(local, "session"):
            local.session = requests.Session()
        history.add(send_wish(local.session, target, op))

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="load") as pool:
        for i in range(int(rate * seconds)):
            due = start + i / rate
            time.sleep(max(0.0, due - time.monotonic()))  # the generator's clock, not a test wait
            op_id = first_op + i
            pool.submit(task, Op(op_id, f"{run}-{op_id}", rng.random() >= invalid_share, due))
    return history


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of values, 0.0 for none."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def wishes_in_topic(bootstrap: str, event_ids: set[str]) -> set[str]:
    """Which of `event_ids` are in the wishes topic (read from offset 0)."""
    found: set[str] = set()
    for message in read_log(bootstrap, (topics.WISHES,), timeout_s=120):
        if message.value and b'"event_id"' in message.value:
            event_id = json.loads(message.value).get("event_id")
            if event_id in event_ids:
                found.add(event_id)
    return found


def matcher_projection(redis_url: str, region: str, period: str) -> set[str]:
    """Student pseudonyms in the matcher's wish projection of a region and period (the checker reads it)."""
    client = connect(redis_url)
    try:
        return {k.decode() for k in client.hkeys(Keys().period(region, period) + ":wishes")}
    finally:
        client.close()


def check(history: History, target: Target, bootstrap: str, redis_url: str, secret: bytes,
          timeout: float = 120.0) -> dict:
    """Count in = count out: acked wishes in the topic and in the matcher's projection; rejected ones nowhere.

    `secret` is intake's pseudonym key: the checker derives the pseudonym of every rejected request itself.
    """
    acked = history.where("ok")
    acked_ids = {op.event_id for op in acked if op.event_id}
    acked_refs = {op.student_ref for op in acked if op.student_ref}
    rejected_refs = {pseudonym(secret, target.school_id, f"L{op.op_id}") for op in history.where("fail")}
    wait_until(lambda: acked_refs <= matcher_projection(redis_url, target.region_id, target.period_id),
               timeout, interval=0.5, message="the matcher's projection misses acknowledged wishes")
    in_topic = wishes_in_topic(bootstrap, acked_ids)
    projection = matcher_projection(redis_url, target.region_id, target.period_id)
    return {"acked": len(acked), "rejected": len(history.where("fail")), "indeterminate": len(history.where("info")),
            "in_topic": len(in_topic), "lost_topic": len(acked_ids - in_topic),
            "lost_projection": len(acked_refs - projection), "phantom": len(rejected_refs & projection),
            "invalid_accepted": sum(1 for op in acked if not op.valid),
            "server_errors": sum(1 for op in history.ops if op.status and op.status >= 500)}


def settle_lag(bootstrap: str, groups: tuple[str, ...], timeout: float = 120.0) -> dict[str, int]:
    """Wait until every group's lag is 0 (or the timeout) and return the last lags seen."""
    lags: dict[str, int] = {}

    def all_zero() -> bool:
        lags.update({g: group_lag(bootstrap, g, topics_of(g)) for g in groups})
        return not any(lags.values())

    try:
        wait_until(all_zero, timeout, interval=1.0)
    except AssertionError:
        pass  # the lags are reported as they are
    return lags


def topics_of(group_id: str) -> tuple[str, ...]:
    return next(g.topics for g in topics.ALL_GROUPS if g.group_id == group_id)


def summarise(history: History, counts: dict, lags: dict[str, int], seconds: float, rate: float) -> list[dict]:
    """Result rows for bench/results.json."""
    latencies = [op.latency_s * 1000 for op in history.ops if op.outcome == "ok"]
    figures = [("offered_rate", rate, "wishes/s"), ("duration", seconds, "s"),
               ("requests", len(history.ops), "count"), *((k, v, "count") for k, v in counts.items()),
               ("latency_p50", percentile(latencies, 50), "ms"), ("latency_p95", percentile(latencies, 95), "ms"),
               ("latency_p99", percentile(latencies, 99), "ms"),
               ("latency_max", max(latencies, default=0.0), "ms"),
               *((f"lag_end[{g}]", v, "messages") for g, v in lags.items())]
    return [{"component": "platform", "metric": f"load.{name}", "value": round(value, 1), "unit": unit}
            for name, value, unit in figures]


def print_table(rows: list[dict]) -> None:
    print(f"{'metric':<40} {'value':>12} unit")
    for row in rows:
        print(f"{row['metric']:<40} {row['value']:>12} {row['unit']}")


def measure(platform, rate: float, seconds: float, run: str,
            during: Callable[[History], None] | None = None) -> tuple[list[dict], History, dict]:
    """Run the load against a started platform and check it; `during` (optional) runs beside the generator."""
    target = setup_region(platform.services["intake"].url, platform.redis.url, run)
    history = History()
    helper = threading.Thread(target=during, args=(history,), daemon=True) if during else None
    if helper:
        helper.start()
    open_loop(target, rate, seconds, run, history)
    if helper:
        helper.join()
    counts = check(history, target, platform.kafka.bootstrap, platform.redis.url,
                   platform.secrets.pseudonym_secret.encode())
    lags = settle_lag(platform.kafka.bootstrap, tuple(g.group_id for g in topics.ALL_GROUPS))
    return summarise(history, counts, lags, seconds, rate), history, counts


def run() -> list[dict]:
    """`make bench`: start the platform, run the load, print and return the figures."""
    from demo.platform import Platform  # local: only the bench needs the runner

    quick = os.environ.get("BENCH_QUICK") == "1"
    seconds = float(os.environ.get("BENCH_LOAD_SECONDS", "20" if quick else "180"))
    rate = float(os.environ.get("BENCH_LOAD_RATE", "20"))
    with tempfile.TemporaryDirectory(prefix="stagepool-load-") as workdir, Platform(Path(workdir)) as platform:
        platform.start_all()
        rows, history, _ = measure(platform, rate, seconds, f"load{int(time.time())}")
        history.write_jsonl(Path(workdir) / "history.jsonl")
    print_table(rows)
    return rows


if __name__ == "__main__":
    run()
