"""Notifier bench: messages per second to a local SMTP server (aiosmtpd) and the spread between the first and
the last message of a 20,000-recipient release.

Real parts: Redis (REDIS_URL, or a redis-server started here in a temp dir with AOF always), the notifier's
Redis store, dispatcher, templates and SMTP channel over parallel connections. Intake's directory is held in
memory (intake is not what is measured). Bounded: gives up after BENCH_NOTIFIER_TIMEOUT_S (default 600 s).
Run alone with `python -m bench.notifier`; `run()` returns the result rows for bench/results.json.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import redis
from aiosmtpd.controller import Controller

from notifier.adapters.channels import InboxChannel, SmtpChannel
from notifier.adapters.directory import InMemoryDirectory
from notifier.adapters.redis_store import RedisStore
from notifier.adapters.rendering import TemplateRenderer
from notifier.compose import Composer
from notifier.dispatch import Dispatcher, DispatchOptions
from notifier.domain.model import Contact, PlaceInfo, RoundInfo, StudentOutcome
from notifier.domain.rules import RetryPolicy, plan_round

RECIPIENTS = int(os.environ.get("BENCH_NOTIFIER_RECIPIENTS", "20000"))
THREADS = int(os.environ.get("BENCH_NOTIFIER_THREADS", "16"))
TIMEOUT_S = float(os.environ.get("BENCH_NOTIFIER_TIMEOUT_S", "600"))
SCHOOLS, ORGANISATIONS = 20, 200


class CountingHandler:
    """Counts accepted messages and remembers the first and last arrival."""

    def __init__(self) -> None:
        self.count = 0
        self.first: float | None = None
        self.last: float | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        now = time.time()
        self.count += 1
        self.first = self.first or now
        self.last = now
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _world(n: int) -> tuple[list[StudentOutcome], InMemoryDirectory, list[PlaceInfo]]:
    places = [PlaceInfo(f"plc-{i}", f"org-{i}", f"Organisatie {i}", f"Straat {i}, Zwolle", "2027-02-01",
                        "Praktijkopleider", f"stage@org{i}.example") for i in range(ORGANISATIONS)]
    directory = InMemoryDirectory(schools={f"sch-{s}": Contact(name=f"School {s}", email=f"stage@sch{s}.example")
                                           for s in range(SCHOOLS)})
    outcomes = []
    for i in range(n):
        ref = f"stu_{i:06d}"
        directory.students[ref] = Contact(name=f"Student {i}", email=f"s{i}@mail.example")
        if i % 5 == 4:
            outcomes.append(StudentOutcome(ref, f"sch-{i % SCHOOLS}", "unplaced", reason_code="CAPACITY"))
        else:
            p = places[i % ORGANISATIONS]
            outcomes.append(StudentOutcome(ref, f"sch-{i % SCHOOLS}", "placed", p.place_id, p.organisation_id,
                                           "top1", 20, ("crebo", "travel")))
    return outcomes, directory, places


def _redis_url(stack: list[Any]) -> str:
    if os.environ.get("REDIS_URL"):
        return os.environ["REDIS_URL"]
    from stagepool_shared.devstack.redis_server import RedisServer
    server = RedisServer(tempfile.mkdtemp(prefix="bench-notifier-redis-")).start()
    stack.append(server)
    return server.url


def _release(client: redis.Redis, prefix: str, n: int, release_in_s: float) -> tuple[RedisStore, InMemoryDirectory, RoundInfo]:
    outcomes, directory, places = _world(n)
    store = RedisStore(client, prefix)
    for place in places:
        store.save_place(str(uuid.uuid4()), place)
    released_at = datetime.now(UTC) + timedelta(seconds=release_in_s)
    info = RoundInfo("rnd-bench", "reg-bench", "2027-p1", released_at, released_at + timedelta(days=7))
    store.add_round_part(str(uuid.uuid4()), info, 1, 1, outcomes, info.respond_by.timestamp(), plan_round)
    return store, directory, info


def measure(n: int = RECIPIENTS, threads: int = THREADS) -> dict[str, float]:
    """Release a round to n students (+ their schools and organisations) and send it; the figures."""
    stack: list[Any] = []
    handler = CountingHandler()
    port = _free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    client = redis.Redis.from_url(_redis_url(stack))
    prefix = f"bench-notifier-{uuid.uuid4().hex[:8]}"
    try:
        setup_started = time.time()
        store, directory, info = _release(client, prefix, n, release_in_s=5.0)
        setup_s = time.time() - setup_started
        smtp = SmtpChannel("127.0.0.1", port, "bench@stagepool.local")
        channels = {"email": smtp, "inbox": InboxChannel(store, lambda: datetime.now(UTC))}
        dispatcher = Dispatcher(store, directory, channels, Composer(TemplateRenderer(), "http://127.0.0.1:8003"),
                                RetryPolicy(), lambda: datetime.now(UTC), DispatchOptions(batch_size=100, lease_s=120))
        deadline = time.time() + TIMEOUT_S

        def work() -> None:
            while time.time() < deadline and store.pending_count() > 0:
                if not dispatcher.run_once():
                    time.sleep(0.02)
            smtp.close()

        workers = [threading.Thread(target=work) for _ in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        first, last = store.spread(info.round_id)
        emails_expected = n + SCHOOLS + len({o.organisation_id for o in _world(n)[0] if o.is_placed})
        smtp_s = (handler.last or 0) - (handler.first or 0)
        return {
            "recipients": float(n), "emails_expected": float(emails_expected), "emails_received": float(handler.count),
            "pending_left": float(store.pending_count()), "setup_seconds": setup_s,
            "messages_per_second": handler.count / smtp_s if smtp_s > 0 else 0.0,
            "release_spread_seconds": (last - first) if first and last else -1.0,
            "first_after_release_seconds": (first - info.released_at.timestamp()) if first else -1.0,
            "threads": float(threads),
        }
    finally:
        controller.stop()
        _cleanup(client, prefix)
        client.close()
        for server in stack:
            server.stop()


def _cleanup(client: redis.Redis, prefix: str) -> None:
    with client.pipeline(transaction=False) as pipe:
        for key in client.scan_iter(f"{prefix}:*", count=5000):
            pipe.unlink(key)
        pipe.execute()


UNITS = {"messages_per_second": "msg/s", "release_spread_seconds": "s", "first_after_release_seconds": "s",
         "emails_received": "messages", "emails_expected": "messages", "pending_left": "deliveries",
         "recipients": "students", "setup_seconds": "s", "threads": "connections"}


def run() -> list[dict[str, Any]]:
    """Measure, print a table, and return rows {component, metric, value, unit}."""
    figures = measure()
    rows = [{"component": "notifier", "metric": name, "value": round(value, 3), "unit": UNITS[name]}
            for name, value in figures.items()]
    print(f"{'notifier metric':<32} {'value':>12}  unit")
    for row in rows:
        print(f"{row['metric']:<32} {row['value']:>12}  {row['unit']}")
    return rows


if __name__ == "__main__":
    run()
