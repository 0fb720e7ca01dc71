"""Bench: intake throughput through the HTTP API with Kafka acks, and bulk import time for 10k and 50k rows.

Servers: KAFKA_BOOTSTRAP_SERVERS / REDIS_URL when set (e.g. `stagepool dev up`), otherwise a real broker and
redis-server of stagepool_shared.devstack started in a temp dir (and stopped at the end). The service runs
in-process on 127.0.0.1 (werkzeug, threaded) and is called over real HTTP with `requests`:
- api_wishes_per_s: closed-loop clients POST single wishes (each answered 202 only after acks=all), bounded
  by BENCH_INTAKE_API_SECONDS (default 10 s) and BENCH_INTAKE_API_MAX (default 5,000 requests);
- import_10k_s / import_50k_s: one CSV upload of N rows (validate all, one publish_all, one Redis MULTI).
BENCH_QUICK=1 measures 2k and 10k rows and 5 s of API load. `run()` returns the result dicts; register it by
adding "intake" to MODULES in bench/__main__.py (or run it alone: `python -m bench.intake`).
"""

from __future__ import annotations

import contextlib
import csv
import io
import logging
import os
import tempfile
import threading
import time
import uuid
from datetime import date
from typing import Any, Iterator

import requests

from intake import commands
from intake.bootstrap import bootstrap
from intake.config import Settings
from intake.entrypoints.rows import WISH_COLUMNS
from stagepool_shared import kafka
from stagepool_shared.runtime import BackgroundServer

API_SECONDS = float(os.environ.get("BENCH_INTAKE_API_SECONDS", "5" if os.environ.get("BENCH_QUICK") == "1" else "10"))
API_MAX = int(os.environ.get("BENCH_INTAKE_API_MAX", "5000"))
API_CLIENTS = int(os.environ.get("BENCH_INTAKE_API_CLIENTS", "8"))
QUICK = os.environ.get("BENCH_QUICK") == "1"
IMPORT_SIZES = (2_000, 10_000) if QUICK else (10_000, 50_000)
POSTCODES = ("9711", "9401", "7811", "9601", "9301", "9501", "9901", "7901", "9641", "9351")


@contextlib.contextmanager
def servers() -> Iterator[tuple[str, str]]:
    """(kafka bootstrap, redis url): from the environment, or started here in a temp dir."""
    if os.environ.get("KAFKA_BOOTSTRAP_SERVERS") and os.environ.get("REDIS_URL"):
        yield os.environ["KAFKA_BOOTSTRAP_SERVERS"], os.environ["REDIS_URL"]
        return
    from pathlib import Path

    from stagepool_shared.devstack.kafka_server import KafkaServer
    from stagepool_shared.devstack.redis_server import RedisServer

    with tempfile.TemporaryDirectory(prefix="bench-intake-") as tmp:
        redis_server = RedisServer(Path(tmp) / "redis", die_with_parent=True).start()
        kafka_server = KafkaServer(Path(tmp) / "kafka", die_with_parent=True).start()
        try:
            yield kafka_server.bootstrap, redis_server.url
        finally:
            kafka_server.stop()
            redis_server.stop()


def wish_body(number: int) -> dict[str, Any]:
    return {"student": {"student_number": f"A{number}", "name": f"Bench Student {number}",
                        "email": f"bench{number}@example.org", "date_of_birth": "2009-04-01"},
            "wish": {"period_id": "bench-p1", "sector": "zorg", "crebo": "25491", "level": 2 + number % 3,
                     "study_year": 1, "pathway": "bol", "home": {"postcode": POSTCODES[number % len(POSTCODES)]},
                     "max_travel_minutes": 30 + number % 60, "transport_mode": "bike",
                     "activities": ["verzorging"], "leerwens": "Ik wil leren zorgen."}}


def wishes_csv(rows: int, tag: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow([c.dutch for c in WISH_COLUMNS])
    index = {c.dutch: i for i, c in enumerate(WISH_COLUMNS)}
    for n in range(rows):
        cells = [""] * len(WISH_COLUMNS)
        for name, value in (("leerlingnummer", f"{tag}{n}"), ("naam", f"Bulk Student {n}"),
                            ("e-mail", f"bulk{n}@example.org"), ("geboortedatum", "2009-01-01"),
                            ("periode", "bench-p1"), ("sector", "zorg"), ("crebo", "25491"),
                            ("niveau", str(2 + n % 3)), ("leerjaar", "1"), ("leerweg", "bol"),
                            ("postcode", POSTCODES[n % len(POSTCODES)]), ("max_reistijd_minuten", "45"),
                            ("vervoer", "bike"), ("werkzaamheden", "verzorging|medicatie")):
            cells[index[name]] = value
        writer.writerow(cells)
    return out.getvalue().encode()


class Service:
    """Intake on a free port with a bench school's token and the bench period."""

    def __init__(self, kafka_bootstrap: str, redis_url: str):
        prefix = "bench-intake-" + uuid.uuid4().hex[:8]
        env = {"KAFKA_BOOTSTRAP_SERVERS": kafka_bootstrap, "REDIS_URL": redis_url,
               "INTAKE_PSEUDONYM_SECRET": "bench-secret-" + prefix, "LOG_LEVEL": "WARNING"}
        self.settings = Settings.from_env(env)
        self.wiring = bootstrap(self.settings, key_prefix=prefix)
        period = {"period_id": "bench-p1", "name": "Bench", "starts_on": date(2027, 2, 1), "ends_on": date(2027, 6, 30)}
        commands.create_period(self.wiring.deps, "reg-bench", period)
        self.server = BackgroundServer(self.wiring.app()).start()
        token = self.wiring.tokens.issue("bench", "school_staff", prefix + "-school", region_id="reg-bench")
        self.headers = {"Authorization": "Bearer " + token}

    def close(self) -> None:
        self.server.stop()
        self.wiring.close()


def measure_api(service: Service) -> dict[str, float]:
    """Closed-loop clients posting single wishes until the time or count bound; accepted per second."""
    counter = iter(range(10**9))
    lock = threading.Lock()
    accepted, failed, latencies = [0], [0], []
    deadline = time.monotonic() + API_SECONDS

    def client() -> None:
        with requests.Session() as session:
            while time.monotonic() < deadline:
                with lock:
                    number = next(counter)
                    if number >= API_MAX:
                        return
                start = time.perf_counter()
                response = session.post(service.server.url + "/api/v1/wishes", json=wish_body(number),
                                        headers=service.headers, timeout=30)
                elapsed = time.perf_counter() - start
                with lock:
                    latencies.append(elapsed)
                    (accepted if response.status_code == 202 else failed)[0] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(API_CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1] if latencies else 0.0
    return {"rate": accepted[0] / wall, "accepted": accepted[0], "failed": failed[0], "p99_ms": p99 * 1000}


def measure_import(service: Service, rows: int) -> float:
    """Seconds for one CSV upload of `rows` wishes, answered 202 after all events were acknowledged."""
    data = wishes_csv(rows, "R" + uuid.uuid4().hex[:6])
    start = time.perf_counter()
    response = requests.post(service.server.url + "/api/v1/imports/wishes", headers=service.headers,
                             files={"file": ("wensen.csv", data, "text/csv")}, timeout=600)
    elapsed = time.perf_counter() - start
    if response.status_code != 202 or response.json()["accepted"] != rows:
        raise RuntimeError(f"import of {rows} rows answered {response.status_code}: {response.text[:300]}")
    return elapsed


def run() -> list[dict[str, Any]]:
    """Measure and print; the result dicts use component "intake"."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no access log line per request
    with servers() as (kafka_bootstrap, redis_url):
        kafka.ensure_topics(kafka_bootstrap)
        service = Service(kafka_bootstrap, redis_url)
        try:
            requests.post(service.server.url + "/api/v1/wishes", json=wish_body(-1), headers=service.headers,
                          timeout=60)  # warm-up: producer connect and metadata (not timed)
            api = measure_api(service)
            imports = {rows: measure_import(service, rows) for rows in IMPORT_SIZES}
        finally:
            service.close()
    results = [
        {"component": "intake", "metric": "api_wishes_per_s", "value": round(api["rate"], 1), "unit": "wishes/s"},
        {"component": "intake", "metric": "api_p99_latency_ms", "value": round(api["p99_ms"], 1), "unit": "ms"},
        {"component": "intake", "metric": "api_failed_requests", "value": api["failed"], "unit": "requests"},
    ] + [{"component": "intake", "metric": f"import_{rows // 1000}k_s", "value": round(secs, 2), "unit": "s"}
         for rows, secs in imports.items()]
    _print(results, api)
    return results


def _print(results: list[dict[str, Any]], api: dict[str, float]) -> None:
    print(f"\nintake ({API_CLIENTS} HTTP clients, {api['accepted']} accepted in <= {API_SECONDS:g} s, acks=all)")
    print(f"{'metric':<24}{'value':>12}  unit")
    for item in results:
        print(f"{item['metric']:<24}{item['value']:>12}  {item['unit']}")


if __name__ == "__main__":
    run()
