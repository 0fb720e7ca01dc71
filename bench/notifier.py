"""Notifier bench: messages per second to a local SMTP server (aiosmtpd) and the spread between the first and
the last message of a 20,000-recipient release.

Real parts: Redis (REDIS_URL, or a redis-server started here in a temp dir with AOF always), the notifier's
Redis store, dispatcher, templates and SMTP channel over parallel connections. Intake's directory is held in
memory (intake is not what is measured). The SMTP server runs in a child process, as a real MTA would
(BENCH_NOTIFIER_SMTP=thread runs it in this process, sharing the senders' interpreter lock, as the bench did
until the batched marks). Knobs: BENCH_NOTIFIER_RECIPIENTS (20,000; BENCH_QUICK=1: 2,000),
BENCH_NOTIFIER_THREADS (16), BENCH_NOTIFIER_BATCH (deliveries per claim, 100), BENCH_NOTIFIER_MARK_BATCH
(outside messages per mark write; the notifier's default). Bounded: gives up after BENCH_NOTIFIER_TIMEOUT_S
(default 600 s). Reports the load average, since other work on the machine moves the figures.
Run alone with `python -m bench.notifier`; `run()` returns the result rows for bench/results.json.
"""

from __future__ import annotations

import multiprocessing
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

QUICK = os.environ.get("BENCH_QUICK") == "1"
RECIPIENTS = int(os.environ.get("BENCH_NOTIFIER_RECIPIENTS", "2000" if QUICK else "20000"))
THREADS = int(os.environ.get("BENCH_NOTIFIER_THREADS", "16"))
CLAIM_BATCH = int(os.environ.get("BENCH_NOTIFIER_BATCH", "100"))
MARK_BATCH = int(os.environ.get("BENCH_NOTIFIER_MARK_BATCH", str(DispatchOptions().mark_batch)))
SMTP_IN_THREAD = os.environ.get("BENCH_NOTIFIER_SMTP", "process") == "thread"
TIMEOUT_S = float(os.environ.get("BENCH_NOTIFIER_TIMEOUT_S", "600"))
SCHOOLS, ORGANISATIONS = 20, 200


class CountingHandler:
    """Counts accepted messages and remembers the first and last arrival, in shared memory so that the
    counts can be read from the parent when the server runs in a child process."""

    def __init__(self, count: Any, first: Any, last: Any) -> None:
        self.count, self.first, self.last = count, first, last

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
        now = time.time()
        self.count.value += 1
        if not self.first.value:
            self.first.value = now
        self.last.value = now
        return "250 OK"


def _serve_smtp(port: int, count: Any, first: Any, last: Any, ready: Any, stop: Any) -> None:
    """The child process: aiosmtpd until `stop` is set."""
    controller = Controller(CountingHandler(count, first, last), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


class SmtpSink:
    """aiosmtpd on a free port counting what it accepts, in a child process or (in_thread) in this one."""

    def __init__(self, in_thread: bool = SMTP_IN_THREAD) -> None:
        self.ctx = multiprocessing.get_context("spawn")
        self.port = _free_port()
        self.in_thread = in_thread
        self._count, self._first, self._last = (self.ctx.Value("q", 0, lock=False),
                                                self.ctx.Value("d", 0.0, lock=False),
                                                self.ctx.Value("d", 0.0, lock=False))
        self._stop = self.ctx.Event()
        self._controller: Controller | None = None
        self._process: Any = None

    def start(self) -> "SmtpSink":
        if self.in_thread:
            self._controller = Controller(CountingHandler(self._count, self._first, self._last),
                                          hostname="127.0.0.1", port=self.port)
            self._controller.start()
            return self
        ready = self.ctx.Event()
        self._process = self.ctx.Process(target=_serve_smtp, daemon=True, args=(
            self.port, self._count, self._first, self._last, ready, self._stop))
        self._process.start()
        if not ready.wait(60):
            raise RuntimeError("the bench's SMTP server did not start")
        return self

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
        if self._process is not None:
            self._stop.set()
            self._process.join(30)
            if self._process.is_alive():
                self._process.kill()

    @property
    def count(self) -> int:
        return int(self._count.value)

    @property
    def first(self) -> float | None:
        return self._first.value or None

    @property
    def last(self) -> float | None:
        return self._last.value or None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _world(n: int) -> tuple[list[StudentOutcome], InMemoryDirectory, list[PlaceInfo]]:
    places = [PlaceInfo(f"plc-{i}", f"org-{i}", f"Organisatie {i}", f"Straat {i}, Zwolle", "2027-02-01")
              for i in range(ORGANISATIONS)]
    directory = InMemoryDirectory(schools={f"sch-{s}": Contact(name=f"School {s}", email=f"stage@sch{s}.example")
                                           for s in range(SCHOOLS)},
                                  places={f"plc-{i}": Contact(name="Praktijkopleider", email=f"stage@org{i}.example")
                                          for i in range(ORGANISATIONS)})
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
    sink = SmtpSink().start()
    client = redis.Redis.from_url(_redis_url(stack))
    prefix = f"bench-notifier-{uuid.uuid4().hex[:8]}"
    load_start = os.getloadavg()[0]
    try:
        setup_started = time.time()
        store, directory, info = _release(client, prefix, n, release_in_s=5.0)
        setup_s = time.time() - setup_started
        smtp = SmtpChannel("127.0.0.1", sink.port, "bench@stagepool.local")
        channels = {"email": smtp, "inbox": InboxChannel(store, lambda: datetime.now(UTC))}
        dispatcher = Dispatcher(store, directory, channels, Composer(TemplateRenderer(), "http://127.0.0.1:8003"),
                                RetryPolicy(), lambda: datetime.now(UTC),
                                DispatchOptions(batch_size=CLAIM_BATCH, lease_s=120, mark_batch=MARK_BATCH))
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
        smtp_s = (sink.last or 0) - (sink.first or 0)
        return {
            "recipients": float(n), "emails_expected": float(emails_expected), "emails_received": float(sink.count),
            "pending_left": float(store.pending_count()), "setup_seconds": setup_s,
            "messages_per_second": sink.count / smtp_s if smtp_s > 0 else 0.0,
            "release_spread_seconds": (last - first) if first and last else -1.0,
            "first_after_release_seconds": (first - info.released_at.timestamp()) if first else -1.0,
            "threads": float(threads), "claim_batch": float(CLAIM_BATCH), "mark_batch": float(MARK_BATCH),
            "smtp_in_separate_process": 0.0 if sink.in_thread else 1.0,
            "load_avg_1m_start": load_start, "load_avg_1m_end": os.getloadavg()[0],
        }
    finally:
        sink.stop()
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
         "recipients": "students", "setup_seconds": "s", "threads": "connections", "claim_batch": "deliveries",
         "mark_batch": "messages", "smtp_in_separate_process": "yes=1", "load_avg_1m_start": "load",
         "load_avg_1m_end": "load"}


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
