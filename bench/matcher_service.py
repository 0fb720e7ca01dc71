"""Bench: the matcher service end to end, from Redis state to stored proposal (issue 4's 10k-in-5s target).

A real redis-server (stagepool_shared.devstack, AOF with fsync always, as in production) starts in a temp
dir; the solver bench's synthetic region of 10,000 students (bench.generator) is written as the matcher's
projection (not timed); then one
round is timed the way the service runs it: freeze the pool and load it from Redis, build the solver
instance, solve, validate, build outcomes and figures, and persist the proposal with its processed marker.
Encoding the round.proposed parts is measured on the side. Wall time and this process's CPU time are both
reported, since other work on a shared 2-core machine inflates wall time. `run()` returns the result dicts; register it by adding
"matcher_service" to MODULES in bench/__main__.py.
"""

from __future__ import annotations

import os
import tempfile
import time
from typing import Any

from stagepool_shared import registry
from stagepool_shared.devstack.redis_server import RedisServer
from stagepool_shared.envelope import new_envelope
from stagepool_shared.events.base import Location
from stagepool_shared.events.places import Place, Reservation
from stagepool_shared.events.rounds import RoundRequested
from stagepool_shared.events.wishes import Wish
from stagepool_shared.redis import connect

from matcher import handlers
from matcher.adapters import codec
from matcher.adapters.ortools_solver import OrToolsRoundSolver
from matcher.adapters.redis_store import RedisRoundStore, period_key
from matcher.rounds import Exclusion, compute_round

from .generator import generate

def make_region(students: int, seed: int = 1) -> tuple[str, str, list[Wish], list[Place], dict[str, Exclusion]]:
    """The solver bench's synthetic region (bench.generator), as the shared event payloads intake publishes."""
    rnd = generate(students, seed)
    wishes = [Wish(**{**vars(w), "home": Location(**vars(w.home)),
                      **{k: list(getattr(w, k)) for k in ("activities", "preferred_org_types", "top_places",
                                                         "support_needs")}}) for w in rnd.wishes]
    places = [Place(**{**vars(p), "location": Location(**vars(p.location)),
                       "reserved": [Reservation(r.school_id, r.slots) for r in p.reserved],
                       **{k: list(getattr(p, k)) for k in ("crebos", "levels", "activities", "support_offered")}},
                    organisation_name=f"Organisatie {p.organisation_id}", address="Voorbeeldstraat 1")
              for p in rnd.places]
    exclusions: dict[str, Exclusion] = {}
    for e in rnd.exclusions:
        old = exclusions.get(e.student_ref, Exclusion())
        exclusions[e.student_ref] = old.merged([e.place_id] if e.place_id else [],
                                               [e.organisation_id] if e.organisation_id else [])
    return rnd.region_id, rnd.period_ids[0], wishes, places, exclusions


def _load_projection(client: Any, region: str, period: str, wishes: list[Wish], places: list[Place],
                     exclusions: dict[str, Exclusion]) -> None:
    key = period_key(region, period)
    with client.pipeline(transaction=False) as pipe:
        pipe.hset(key + ":wishes", mapping={w.student_ref: codec.dump_wish(w) for w in wishes})
        pipe.hset(key + ":places", mapping={p.place_id: codec.dump_place(p) for p in places})
        if exclusions:
            pipe.hset(key + ":exclusions", mapping={k: codec.dump_record(v) for k, v in exclusions.items()})
        pipe.sadd(f"matcher:region:{region}:periods", period)
        pipe.execute()


def measure(students: int = 10_000, seed: int = 7) -> dict[str, Any]:
    """One timed round on a fresh Redis; phase timings in seconds."""
    region, period, wishes, places, exclusions = make_region(students)
    with tempfile.TemporaryDirectory(prefix="bench-redis-") as tmp, RedisServer(tmp) as server:
        client = connect(server.url)
        _load_projection(client, region, period, wishes, places, exclusions)
        store, solver = RedisRoundStore(client), OrToolsRoundSolver()
        request = RoundRequested("rnd-bench", region, period, seed, "usr-bench")
        cause = new_envelope("round.requested", request, producer="bench", partition_key=region)
        c0, t0 = time.process_time(), time.perf_counter()
        store.note_requested(request, cause.occurred_at)
        pool, frozen_at = store.freeze_pool(request.round_id, cause.occurred_at)
        t1 = time.perf_counter()
        result = compute_round(pool, seed, solver, "bench")
        t2 = time.perf_counter()
        store.save_proposal(cause.event_id, request.round_id, result, frozen_at)
        t3, c3 = time.perf_counter(), time.process_time()
        events = handlers.proposal_events(cause, request, result, frozen_at, handlers.OUTCOMES_PER_PART)
        encoded = sum(len(registry.encode(e)) for e in events)
        t4 = time.perf_counter()
        client.close()
    s = result.summary
    return {"component": "matcher", "metric": f"end_to_end_{students // 1000}k", "method": "stagepool_service",
            "students": students, "wall_s": round(t3 - t0, 3), "cpu_s": round(c3 - c0, 3),
            "load_avg_1m": round(os.getloadavg()[0], 2), "load_s": round(t1 - t0, 3),
            "solve_s": round(t2 - t1, 3), "persist_s": round(t3 - t2, 3), "encode_parts_s": round(t4 - t3, 3),
            "parts": len(events), "encoded_mb": round(encoded / 1e6, 2), "placed": s.placed,
            "worst_school_rate": s.worst_school_rate, "school_spread": s.school_spread, "top1": s.top1_share,
            "top3": s.top3_share, "target_s": 5.0, "meets_target": t3 - t0 < 5.0}


def run() -> list[dict[str, Any]]:
    """The service bench: 10,000 students end to end; prints a table and returns the result dicts."""
    results = [measure(10_000)]
    print("\nmatcher service, Redis state -> stored proposal (target < 5 s at 10k students)")
    print(f"{'students':>9} {'total_s':>8} {'cpu_s':>6} {'load_s':>7} {'solve_s':>8} {'persist_s':>9} {'encode_s':>8} "
          f"{'placed':>7} {'worst':>6} {'spread':>6} {'ok':>3}")
    for r in results:
        print(f"{r['students']:>9} {r['wall_s']:>8} {r['cpu_s']:>6} {r['load_s']:>7} {r['solve_s']:>8} {r['persist_s']:>9} "
              f"{r['encode_parts_s']:>8} {r['placed']:>7} {r['worst_school_rate']:>6.3f} {r['school_spread']:>6.3f} "
              f"{'yes' if r['meets_target'] else 'NO':>3}")
    print(f"(machine load average {results[0]['load_avg_1m']} on {os.cpu_count()} cores; "
          "cpu_s is this process's CPU time for the same span)")
    return results


if __name__ == "__main__":
    run()
