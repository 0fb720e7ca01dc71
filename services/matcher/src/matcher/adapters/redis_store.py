"""The round store on Redis. Keys (all under `matcher:`, or MATCHER_KEY_PREFIX; spelled once in `keys.py`):

- `matcher:region:{r}:period:{p}:{wishes|places|fixed|exclusions}` hashes: the projections;
- `matcher:region:{r}:periods` set, `matcher:region:{r}:rounds` sorted set (by request time);
- `matcher:round:{id}` hash (request, status, manifest, summary, release...), `...:outcomes` hash
  student_ref -> outcome, `...:approvals` hash user_id -> vote, `...:objections` hash student_ref ->
  objection, `...:audit` list of audit entries (oldest first), `...:input:*` the frozen input (with the
  period's `variants`, and in a final round the candidates round's `offers` and the students' `choices`),
  `...:offers` hash student_ref -> the candidates offered (a candidates round, variant 2);
- `matcher:releases` sorted set round_id -> release moment (epoch seconds);
- `matcher:region:{r}:period:{p}:variants` hash "school|crebo" -> "variant|k": the schools' matching variants;
- `matcher:fast_track:{r}:{p}` and `matcher:fast_track:queues`: the fast track's queue (`fast_track_queue.py`).

Each event's write and its processed marker go in one MULTI/EXEC (stagepool_shared.redis.IdempotentApplier).
"""

from __future__ import annotations

import time
from typing import Callable, Sequence

import redis
from redis.client import Pipeline

from stagepool_shared.events.places import Place
from stagepool_shared.events.rounds import Outcome, RoundReleaseScheduled, RoundRequested
from stagepool_shared.events.variants import VariantSet
from stagepool_shared.events.wishes import Wish
from stagepool_shared.redis import IdempotentApplier

from ..ports import AbstractRoundStore
from ..rounds.approval import ApprovalVote
from ..rounds.compute import RoundResult
from ..rounds.objection import Objection, approval_entry, objection_entries, without_student, withdrawn_by
from ..rounds.pool import (KeptPlacement, Pool, StudentExclusions, released_to_bind, variant_lines,
                           withdrawn_marks)
from ..rounds.record import RoundRecord
from ..rounds.stale import Stale
from . import codec
from .fast_track_queue import RedisFastTrackQueue
from .keys import PREFIX, Keys

TABLES = ("wishes", "places", "fixed", "exclusions")
FROZEN = (*TABLES, "variants")  # what a round's frozen input copies of its period (or of its candidates round)

# KEYS[1] the round, KEYS[2] the release schedule; ARGV round id, released_at. 1 on the transition, else 0.
_MARK_RELEASED = """
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('HGET', KEYS[1], 'status') == 'released' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'released', 'released_at', ARGV[2])
redis.call('HDEL', KEYS[1], 'held')
return 1
"""
# KEYS[1] the round, KEYS[2] the release schedule; ARGV round id, what the pool lost. 1 if held, 0 if released.
_HOLD_RELEASE = """
redis.call('ZREM', KEYS[2], ARGV[1])
if redis.call('HGET', KEYS[1], 'status') == 'released' then return 0 end
redis.call('HSET', KEYS[1], 'held', ARGV[2])
return 1
"""


class RedisRoundStore(RedisFastTrackQueue, AbstractRoundStore):
    """The matcher's state in Redis."""

    def __init__(self, client: redis.Redis, prefix: str = PREFIX):
        self.client = client
        self.keys = Keys(prefix)
        self.applier = IdempotentApplier(client, prefix)
        self._mark_released = client.register_script(_MARK_RELEASED)
        self._hold_release = client.register_script(_HOLD_RELEASE)

    def _apply(self, event_id: str, write: Callable[[Pipeline], object]) -> bool:
        return self.applier.apply_once(event_id, lambda pipe, _state: write(pipe))

    # --- projections -------------------------------------------------------------------------
    def _touch_period(self, pipe: Pipeline, region_id: str, period_id: str) -> None:
        pipe.sadd(self.keys.periods(region_id), period_id)

    def put_wish(self, event_id: str, wish: Wish) -> bool:
        def write(pipe: Pipeline) -> None:
            self._touch_period(pipe, wish.region_id, wish.period_id)
            pipe.hset(self.keys.period(wish.region_id, wish.period_id) + ":wishes", wish.student_ref,
                      codec.dump_wish(wish))
        return self._apply(event_id, write)

    def remove_wish(self, event_id: str, region_id: str, period_id: str, student_ref: str) -> bool:
        wishes = self.keys.period(region_id, period_id) + ":wishes"
        return self._apply(event_id, lambda pipe: pipe.hdel(wishes, student_ref))

    def put_variant(self, event_id: str, setting: VariantSet) -> bool:
        key = self.keys.period(setting.region_id, setting.period_id) + ":variants"
        return self._apply(event_id, lambda pipe: pipe.hset(key, f"{setting.school_id}|{setting.crebo}",
                                                            f"{setting.variant}|{setting.candidates}"))

    def variants(self, region_id: str, period_id: str) -> dict[tuple[str, str], tuple[int, int]]:
        return codec.load_variants(self.client.hgetall(self.keys.period(region_id, period_id) + ":variants"))

    def put_place(self, event_id: str, place: Place) -> bool:
        def write(pipe: Pipeline) -> None:
            self._touch_period(pipe, place.region_id, place.period_id)
            pipe.hset(self.keys.period(place.region_id, place.period_id) + ":places", place.place_id,
                      codec.dump_place(place))
        return self._apply(event_id, write)

    def remove_place(self, event_id: str, region_id: str, period_id: str, place_id: str,
                     withdrawn_at: str | None = None) -> bool:
        key = self.keys.period(region_id, period_id)

        def read(pipe: Pipeline) -> list[KeptPlacement]:
            if withdrawn_at is None:
                return []
            fixed = {k.decode(): codec.load_fixed(v) for k, v in pipe.hgetall(key + ":fixed").items()}
            return withdrawn_marks(fixed, place_id, withdrawn_at)

        def write(pipe: Pipeline, marks: list[KeptPlacement]) -> None:
            pipe.hdel(key + ":places", place_id)
            if marks:
                pipe.hset(key + ":fixed", mapping={f.student_ref: codec.dump_record(f) for f in marks})
        return self.applier.apply_once(event_id, write, read=read, watch=(key + ":fixed",))

    def bind_released(self, event_id: str, region_id: str, period_id: str, released: list[KeptPlacement],
                      released_at: str) -> bool:
        key = self.keys.period(region_id, period_id) + ":fixed"
        refs = [f.student_ref for f in released]

        def read(pipe: Pipeline) -> list[KeptPlacement]:
            raw = pipe.hmget(key, refs) if refs else []
            existing = {ref: codec.load_fixed(v) for ref, v in zip(refs, raw) if v is not None}
            return released_to_bind(released, existing, released_at)

        def write(pipe: Pipeline, binding: list[KeptPlacement]) -> None:
            self._touch_period(pipe, region_id, period_id)
            if binding:
                pipe.hset(key, mapping={f.student_ref: codec.dump_record(f) for f in binding})
        return self.applier.apply_once(event_id, write, read=read, watch=(key,))

    def erase_student(self, event_id: str, region_id: str, student_ref: str) -> bool:
        periods = [p.decode() for p in self.client.smembers(self.keys.periods(region_id))]
        rounds = [r.decode() for r in self.client.zrange(self.keys.rounds(region_id), 0, -1)]
        trails = [self.keys.round(round_id) + ":audit" for round_id in rounds]

        def read(pipe: Pipeline) -> dict[str, list[bytes]]:
            """The audit trails that name the student: rewritten without the pseudonym."""
            found = {key: pipe.lrange(key, 0, -1) for key in trails}
            return {key: [codec.dump_record(e) for e in without_student(map(codec.load_audit, raw), student_ref)]
                    for key, raw in found.items() if any(student_ref.encode() in r for r in raw)}

        def write(pipe: Pipeline, rewritten: dict[str, list[bytes]]) -> None:
            for period_id in periods:
                for table in ("wishes", "fixed", "exclusions"):
                    pipe.hdel(f"{self.keys.period(region_id, period_id)}:{table}", student_ref)
            for round_id in rounds:
                for table in ("outcomes", "offers", "input:offers", "input:choices"):
                    pipe.hdel(f"{self.keys.round(round_id)}:{table}", student_ref)
                pipe.hdel(self.keys.round(round_id) + ":objections", student_ref)
                for table in ("wishes", "fixed", "exclusions"):
                    pipe.hdel(f"{self.keys.round(round_id)}:input:{table}", student_ref)
            for key, entries in rewritten.items():
                pipe.delete(key)
                pipe.rpush(key, *entries)
        return self.applier.apply_once(event_id, write, read=read, watch=tuple(trails))

    def fix_placement(self, event_id: str, region_id: str, period_id: str, fixed: KeptPlacement) -> bool:
        return self._apply(event_id, lambda pipe: pipe.hset(
            self.keys.period(region_id, period_id) + ":fixed", fixed.student_ref, codec.dump_record(fixed)))

    def exclude(self, event_id: str, region_id: str, period_id: str, student_ref: str,
                exclusion: StudentExclusions, unfix: bool) -> bool:
        key = self.keys.period(region_id, period_id)

        def read(pipe: Pipeline) -> StudentExclusions:
            raw = pipe.hget(key + ":exclusions", student_ref)
            return codec.load_exclusion(raw) if raw else StudentExclusions()

        def write(pipe: Pipeline, old: StudentExclusions) -> None:
            merged = old.merged(exclusion.place_ids, exclusion.organisation_ids)
            pipe.hset(key + ":exclusions", student_ref, codec.dump_record(merged))
            if unfix:
                pipe.hdel(key + ":fixed", student_ref)
        return self.applier.apply_once(event_id, write, read=read, watch=(key + ":exclusions",))

    def periods(self, region_id: str) -> list[str]:
        return sorted(m.decode() for m in self.client.smembers(self.keys.periods(region_id)))

    def period_of_place(self, region_id: str, place_id: str) -> str | None:
        for period in self.periods(region_id):
            if self.client.hexists(self.keys.period(region_id, period) + ":places", place_id):
                return period
        return None

    def places_present(self, region_id: str, period_id: str, place_ids: Sequence[str]) -> set[str]:
        ids = sorted(set(place_ids))
        found = self.client.hmget(self.keys.period(region_id, period_id) + ":places", ids) if ids else []
        return {place_id for place_id, raw in zip(ids, found) if raw is not None}

    def load_pool(self, region_id: str, period_id: str, sector: str | None) -> Pool:
        return self._load_pool_from(self.keys.period(region_id, period_id), region_id, period_id, sector)

    def _load_pool_from(self, prefix: str, region_id: str, period_id: str, sector: str | None) -> Pool:
        with self.client.pipeline(transaction=True) as pipe:
            for table in (*FROZEN, "offers", "choices"):
                pipe.hgetall(f"{prefix}:{table}")
            wishes, places, fixed, exclusions, variants, offers, choices = pipe.execute()
        return Pool(
            region_id, period_id, sector,
            tuple(codec.load_wishes(wishes.values())), tuple(codec.load_places(places.values())),
            {k.decode(): codec.load_fixed(v) for k, v in fixed.items()},
            {k.decode(): codec.load_exclusion(v) for k, v in exclusions.items()},
            variant_lines(codec.load_variants(variants)), codec.load_place_lists(offers),
            codec.load_place_lists(choices),
        )

    # --- rounds -------------------------------------------------------------------------------
    def note_requested(self, request: RoundRequested, requested_at: str) -> None:
        key = self.keys.round(request.round_id)
        with self.client.pipeline(transaction=True) as pipe:
            pipe.hsetnx(key, "request", codec.dump_request(request))
            pipe.hsetnx(key, "status", "requested")
            pipe.hsetnx(key, "requested_at", requested_at)
            pipe.zadd(self.keys.rounds(request.region_id), {request.round_id: time.time()}, nx=True)
            pipe.execute()

    def freeze_pool(self, round_id: str, frozen_at: str, source_round_id: str | None = None,
                    choices: dict[str, tuple[str, ...]] | None = None) -> tuple[Pool, str]:
        key = self.keys.round(round_id)
        request = codec.load_request(self.client.hget(key, "request"))
        source = self.keys.period(request.region_id, request.period_id)
        if source_round_id is not None:
            source = self.keys.round(source_round_id) + ":input"
        with self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(key)
                    if pipe.hget(key, "frozen_at") is not None:
                        pipe.unwatch()
                        break
                    pipe.multi()
                    for table in (*FROZEN, "offers", "choices"):
                        pipe.delete(f"{key}:input:{table}")
                    for table in FROZEN:
                        pipe.copy(f"{source}:{table}", f"{key}:input:{table}")
                    if source_round_id is not None:
                        pipe.copy(self.keys.round(source_round_id) + ":offers", f"{key}:input:offers")
                    if choices:
                        pipe.hset(f"{key}:input:choices", mapping=codec.dump_place_lists(choices))
                    pipe.hset(key, "frozen_at", frozen_at)
                    pipe.execute()
                    break
                except redis.WatchError:
                    continue
        pool = self._load_pool_from(f"{key}:input", request.region_id, request.period_id, request.sector)
        return pool, self.client.hget(key, "frozen_at").decode()

    def save_proposal(self, event_id: str, round_id: str, result: RoundResult, proposed_at: str) -> bool:
        key = self.keys.round(round_id)
        outcomes = codec.dump_outcomes(result.outcomes)
        offers = codec.dump_place_lists({o.student_ref: o.place_ids for o in result.offers})

        def write(pipe: Pipeline) -> None:
            pipe.delete(key + ":outcomes", key + ":offers")
            if outcomes:
                pipe.hset(key + ":outcomes", mapping=outcomes)
            if offers:
                pipe.hset(key + ":offers", mapping=offers)
            pipe.hset(key, mapping={
                "status": result.status, "proposed_at": proposed_at,
                "manifest": codec.dump_manifest(result.manifest), "summary": codec.dump_summary(result.summary),
                "schools": codec.dump_names(result.schools),
                "support_schools": codec.dump_names(result.support_schools),
            })
        return self._apply(event_id, write)

    def mark_proposal_published(self, round_id: str) -> None:
        self.client.hset(self.keys.round(round_id), "proposal_published", "1")

    def fail_round(self, event_id: str, round_id: str, reason: str) -> bool:
        return self._apply(event_id, lambda pipe: pipe.hset(
            self.keys.round(round_id), mapping={"status": "failed", "failure": reason[:500]}))

    def get_round(self, round_id: str) -> RoundRecord | None:
        raw = {k.decode(): v for k, v in self.client.hgetall(self.keys.round(round_id)).items()}
        if "request" not in raw:
            return None
        votes = self.client.hvals(self.keys.round(round_id) + ":approvals")
        objections = self.client.hvals(self.keys.round(round_id) + ":objections")
        audit = self.client.lrange(self.keys.round(round_id) + ":audit", 0, -1)
        text = {k: v.decode() for k, v in raw.items() if k in ("status", "requested_at", "frozen_at",
                                                                 "proposed_at", "released_at", "failure")}
        return RoundRecord(
            request=codec.load_request(raw["request"]), status=text.get("status", "requested"),
            requested_at=text.get("requested_at", ""), frozen_at=text.get("frozen_at"),
            manifest=codec.load_manifest(raw["manifest"]) if "manifest" in raw else None,
            summary=codec.load_summary(raw["summary"]) if "summary" in raw else None,
            schools=codec.load_names(raw.get("schools")), support_schools=codec.load_names(raw.get("support_schools")),
            proposed_at=text.get("proposed_at"),
            release=codec.load_release(raw["release"]) if "release" in raw else None,
            released_at=text.get("released_at"), failure=text.get("failure"),
            proposal_published=raw.get("proposal_published") == b"1",
            approvals=tuple(sorted((codec.load_vote(v) for v in votes), key=lambda v: v.user_id)),
            objections=tuple(sorted((codec.load_objection(v) for v in objections),
                                    key=lambda o: (o.at, o.student_ref))),
            audit=tuple(codec.load_audit(v) for v in audit),
            held=codec.load_stale(raw["held"]) if "held" in raw else None,
        )

    def list_rounds(self, region_id: str) -> list[RoundRecord]:
        ids = [r.decode() for r in self.client.zrange(self.keys.rounds(region_id), 0, -1)]
        return [record for record in map(self.get_round, ids) if record is not None]

    def outcomes(self, round_id: str) -> list[Outcome]:
        raw = self.client.hgetall(self.keys.round(round_id) + ":outcomes")
        return sorted(codec.load_outcomes(raw.values()), key=lambda o: o.student_ref)

    def offers(self, round_id: str) -> dict[str, tuple[str, ...]]:
        offers = self.client.hgetall(self.keys.round(round_id) + ":offers")
        return dict(sorted(codec.load_place_lists(offers).items()))

    def add_approval(self, event_id: str, round_id: str, vote: ApprovalVote, at: str = "") -> bool:
        def write(pipe: Pipeline) -> None:
            pipe.hset(self.keys.round(round_id) + ":approvals", vote.user_id, codec.dump_record(vote))
            pipe.rpush(self.keys.round(round_id) + ":audit", codec.dump_record(approval_entry(vote, at)))
        return self._apply(event_id, write)

    def add_objection(self, event_id: str, round_id: str, period_id: str, objection: Objection) -> bool:
        key = self.keys.round(round_id)
        region_id = codec.load_request(self.client.hget(key, "request")).region_id
        excluded = self.keys.period(region_id, period_id) + ":exclusions"

        def read(pipe: Pipeline) -> tuple[StudentExclusions, list[ApprovalVote]]:
            raw = pipe.hget(excluded, objection.student_ref)
            votes = [codec.load_vote(v) for v in pipe.hvals(key + ":approvals")]
            return (codec.load_exclusion(raw) if raw else StudentExclusions()), withdrawn_by(objection, votes)

        def write(pipe: Pipeline, state: tuple[StudentExclusions, list[ApprovalVote]]) -> None:
            old, withdrawn = state
            pipe.hset(excluded, objection.student_ref, codec.dump_record(old.merged((objection.place_id,), ())))
            if withdrawn:
                pipe.hdel(key + ":approvals", *[v.user_id for v in withdrawn])
            pipe.hset(key + ":objections", objection.student_ref, codec.dump_record(objection))
            pipe.rpush(key + ":audit", *[codec.dump_record(e) for e in objection_entries(objection, withdrawn)])
        return self.applier.apply_once(event_id, write, read=read, watch=(excluded, key + ":approvals"))

    def round_places(self, round_id: str) -> dict[str, Place]:
        places = self.client.hvals(self.keys.round(round_id) + ":input:places")
        return {p.place_id: p for p in codec.load_places(places)}

    def schedule_release(self, event_id: str, release: RoundReleaseScheduled, due_epoch: float) -> bool:
        def write(pipe: Pipeline) -> None:
            pipe.hset(self.keys.round(release.round_id), "release", codec.dump_release(release))
            pipe.hdel(self.keys.round(release.round_id), "held")
            pipe.zadd(self.keys.releases(), {release.round_id: due_epoch})
        return self._apply(event_id, write)

    def due_releases(self, now_epoch: float) -> list[str]:
        return [r.decode() for r in self.client.zrangebyscore(self.keys.releases(), "-inf", now_epoch)]

    def mark_released(self, round_id: str, released_at: str) -> bool:
        return bool(self._mark_released(keys=[self.keys.round(round_id), self.keys.releases()],
                                        args=[round_id, released_at]))

    def scheduled_releases(self) -> list[str]:
        return [r.decode() for r in self.client.zrange(self.keys.releases(), 0, -1)]

    def hold_release(self, round_id: str, held: Stale) -> bool:
        return bool(self._hold_release(keys=[self.keys.round(round_id), self.keys.releases()],
                                       args=[round_id, codec.dump_stale(held)]))
