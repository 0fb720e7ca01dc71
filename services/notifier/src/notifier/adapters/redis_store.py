"""The notifier's state in Redis, under its own prefix (default `notifier`).

Keys: `{p}:place:{id}`; `{p}:round:{r}:meta|parts|students|school:{s}|org:{o}`; `{p}:outcome:{r}:{ref}`;
`{p}:delivery:{round}:{kind}:{ref}:{channel}` (hash: state pending|sent|failed|skipped, attempts);
`{p}:queue` (zset of pending deliveries by due time: the embargo and the retry backoff in one place);
`{p}:inbox:{kind}:{ref}`; `{p}:response:{r}:{ref}`; `{p}:student:{ref}:rounds`; `{p}:excluded:{ref}` (set
of `org|id`, `place|id`); `{p}:withdrawn` (place ids); `{p}:place:{id}:placed` (`round|student` placed
there); `{p}:awaiting` (reminders) and `{p}:overdue` (answer deadlines), both in redis_watch.WatchLists;
`{p}:outbox` (events to publish, written in the same transaction as the state change);
`{p}:round:{r}:sent` (zset: first and last send time). Every consumer write goes through
IdempotentApplier. The sender's writes are two Lua scripts: a claim per batch and a finish per batch of
results. Imports redis, the shared registry and the domain.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Sequence

import redis
from redis.client import Pipeline

from stagepool_shared import registry
from stagepool_shared.redis import IdempotentApplier

from ..domain.model import (ABOUT_STUDENT, CHANNELS, PENDING, SCHOOL, SENT, Delivery, DeliveryId,
                            Exclusions, InboxEntry, PlaceInfo, Response, RoundInfo, RoundPlan, StudentOutcome)
from ..ports import AbstractStore, DeliveryResult, OutboxItem, RoundPlanner
from . import codec
from .redis_watch import SEP as _SEP
from .redis_watch import WatchLists

_CLAIM = """
local items = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[3]))
for _, member in ipairs(items) do redis.call('ZADD', KEYS[1], ARGV[2], member) end
return items
"""
# KEYS[1] queue, KEYS[2] outbox, then every key the results name by index (records, inboxes, send times).
# A result whose record is gone (the student was erased meanwhile) only leaves the queue.
_FINISH = """
local written = 0
for _, r in ipairs(cjson.decode(ARGV[1])) do
  if redis.call('EXISTS', KEYS[r.key]) == 1 then
    redis.call('HSET', KEYS[r.key], unpack(r.fields))
    if r.due then redis.call('ZADD', KEYS[1], 'XX', r.due, r.member) else redis.call('ZREM', KEYS[1], r.member) end
    for _, item in ipairs(r.outbox) do redis.call('RPUSH', KEYS[2], item) end
    for _, w in ipairs(r.inbox) do redis.call('HSET', KEYS[w[1]], w[2], w[3]) end
    if r.span then
      redis.call('ZADD', KEYS[r.span], 'LT', r.at, 'first')
      redis.call('ZADD', KEYS[r.span], 'GT', r.at, 'last')
    end
    written = written + 1
  else
    redis.call('ZREM', KEYS[1], r.member)
  end
end
return written
"""

# KEYS[1] outbox; ARGV the event ids published. Entries leave only from the head and arrive only at the tail,
# so what is left of the published entries lies within the first #ARGV positions; each is removed by value.
_OUTBOX_ACK = """
local done = {}
for _, id in ipairs(ARGV) do done[id] = true end
for _, raw in ipairs(redis.call('LRANGE', KEYS[1], 0, #ARGV - 1)) do
  if done[cjson.decode(raw).event.event_id] then redis.call('LREM', KEYS[1], 1, raw) end
end
return 0
"""


class RedisStore(WatchLists, AbstractStore):
    """AbstractStore on Redis; all multi-key changes in MULTI/EXEC."""

    def __init__(self, client: redis.Redis, prefix: str = "notifier"):
        self.client = client
        self.p = prefix
        self.applier = IdempotentApplier(client, prefix)
        self._claim = client.register_script(_CLAIM)
        self._finish = client.register_script(_FINISH)
        self._outbox_ack = client.register_script(_OUTBOX_ACK)

    # ---------------------------------------------------------------- keys
    def _k(self, *parts: str) -> str:
        return ":".join((self.p, *parts))

    def delivery_key(self, d: DeliveryId) -> str:
        return self._k("delivery", d.suffix)

    # ---------------------------------------------------------------- places
    def save_place(self, event_id: str, place: PlaceInfo) -> bool:
        return self.applier.apply_once(
            event_id, lambda pipe, _: pipe.set(self._k("place", place.place_id), codec.place_to_json(place)))

    def withdraw_place(self, event_id: str, place_id: str, notices: Sequence[DeliveryId] = (),
                       due: float = 0.0) -> bool:
        # The place stays known: students already placed there still need its address and contact.
        def read(pipe: Pipeline) -> list[DeliveryId]:
            return [d for d in notices if not pipe.exists(self.delivery_key(d))]

        def write(pipe: Pipeline, new: list[DeliveryId]) -> None:
            pipe.sadd(self._k("withdrawn"), place_id)
            self._add_deliveries(pipe, new, due)
            members = sorted({f"{d.round_id}{_SEP}{d.ref}" for d in notices})
            if members:
                pipe.zrem(self._k("awaiting"), *members)
                pipe.zrem(self._k("overdue"), *members)

        return self.applier.apply_once(event_id, write, read=read)

    def placed_at(self, place_id: str) -> list[tuple[str, str]]:
        members = sorted(m.decode() for m in self.client.smembers(self._k("place", place_id, "placed")))
        return [tuple(m.split(_SEP, 1)) for m in members]  # type: ignore[misc]

    def places(self, place_ids: list[str]) -> dict[str, PlaceInfo]:
        ids = sorted(set(place_ids))
        raws = self.client.mget([self._k("place", i) for i in ids]) if ids else []
        return {i: codec.place_from_json(raw) for i, raw in zip(ids, raws) if raw}

    # ---------------------------------------------------------------- rounds
    def add_round_part(self, event_id: str, round_info: RoundInfo, part: int, parts: int,
                       outcomes: list[StudentOutcome], reminder_at: float,
                       plan: RoundPlanner) -> bool:
        rid = round_info.round_id
        parts_key = self._k("round", rid, "parts")
        encoded = codec.dumps([codec.outcome_to_dict(o) for o in outcomes])

        def read(pipe: Pipeline) -> dict[str, str] | None:
            stored = {k.decode(): v.decode() for k, v in pipe.hgetall(parts_key).items()}
            if pipe.exists(self._k("round", rid, "meta")) and not stored:
                return None  # planned before: the parts were consumed
            stored[str(part)] = encoded
            return stored

        def write(pipe: Pipeline, stored: dict[str, str] | None) -> None:
            if stored is None:
                return
            if len(stored) < parts:
                pipe.hset(parts_key, str(part), encoded)
                return
            everyone = [codec.outcome_from_dict(o) for raw in stored.values() for o in json.loads(raw)]
            self._write_plan(pipe, plan(round_info, everyone), parts, reminder_at)
            pipe.delete(parts_key)

        return self.applier.apply_once(event_id, write, read=read, watch=(parts_key,))

    def _write_plan(self, pipe: Pipeline, plan: RoundPlan, parts: int, reminder_at: float) -> None:
        info = plan.round
        rid = info.round_id
        pipe.set(self._k("round", rid, "meta"), codec.round_to_json(info, parts))
        for o in plan.outcomes:
            pipe.set(self._k("outcome", rid, o.student_ref), codec.outcome_to_json(o))
            pipe.sadd(self._k("round", rid, "school", o.school_id), o.student_ref)
            pipe.sadd(self._k("student", o.student_ref, "rounds"), rid)
            if o.is_placed and o.organisation_id:
                pipe.sadd(self._k("round", rid, "org", o.organisation_id), o.student_ref)
            if o.is_placed and o.place_id:
                pipe.sadd(self._k("place", o.place_id, "placed"), f"{rid}{_SEP}{o.student_ref}")
        self._add_deliveries(pipe, plan.deliveries, info.released_at.timestamp())
        if plan.awaiting:
            pipe.zadd(self._k("awaiting"), {f"{rid}{_SEP}{ref}": reminder_at for ref in plan.awaiting})
            pipe.zadd(self._k("overdue"), {f"{rid}{_SEP}{ref}": info.respond_by.timestamp() for ref in plan.awaiting})

    def _add_deliveries(self, pipe: Pipeline, deliveries: list[DeliveryId], due: float) -> None:
        for d in deliveries:
            pipe.hset(self.delivery_key(d), mapping={
                "round_id": d.round_id, "kind": d.kind, "ref": d.ref, "channel": d.channel,
                "state": PENDING, "attempts": 0})
        if deliveries:
            pipe.zadd(self._k("queue"), {d.suffix: due for d in deliveries})

    def round(self, round_id: str) -> RoundInfo | None:
        raw = self.client.get(self._k("round", round_id, "meta"))
        return codec.round_from_json(raw) if raw else None

    def outcome(self, round_id: str, student_ref: str) -> StudentOutcome | None:
        raw = self.client.get(self._k("outcome", round_id, student_ref))
        return codec.outcome_from_json(raw) if raw else None

    def outcomes_for(self, round_id: str, student_refs: list[str]) -> dict[str, StudentOutcome]:
        refs = sorted(set(student_refs))
        raws = self.client.mget([self._k("outcome", round_id, r) for r in refs]) if refs else []
        return {r: codec.outcome_from_json(raw) for r, raw in zip(refs, raws) if raw}

    def outcomes_of(self, round_id: str, kind: str, ref: str) -> list[StudentOutcome]:
        group = "school" if kind == SCHOOL else "org"
        refs = sorted(m.decode() for m in self.client.smembers(self._k("round", round_id, group, ref)))
        raws = self.client.mget([self._k("outcome", round_id, r) for r in refs]) if refs else []
        return [codec.outcome_from_json(raw) for raw in raws if raw]

    def erase_student(self, event_id: str, student_ref: str) -> bool:
        rounds_key = self._k("student", student_ref, "rounds")

        def read(pipe: Pipeline) -> list[tuple[str, StudentOutcome | None]]:
            rids = [m.decode() for m in pipe.smembers(rounds_key)]
            return [(rid, self.outcome(rid, student_ref)) for rid in rids]

        def write(pipe: Pipeline, found: list[tuple[str, StudentOutcome | None]]) -> None:
            for rid, outcome in found:
                self._erase_in_round(pipe, rid, student_ref, outcome)
            pipe.delete(rounds_key, self._k("inbox", "student", student_ref), self._k("excluded", student_ref),
                        self._k("deadline", student_ref))  # the deadline reminders' marks (redis_deadlines.py)

        return self.applier.apply_once(event_id, write, read=read, watch=(rounds_key,))

    def rounds_released_before(self, moment: float) -> list[str]:
        found = []
        for key in self.client.scan_iter(match=self._k("round", "*", "meta")):
            raw = self.client.get(key)
            if raw and codec.round_from_json(raw).released_at.timestamp() < moment:
                found.append(codec.round_from_json(raw).round_id)
        return sorted(found)

    def forget_round(self, round_id: str) -> None:
        """Retention (issue 20.7): the round's own keys, and its entries in the shared sets, in one MULTI."""
        own = [k for pattern in (("round", round_id, "*"), ("outcome", round_id, "*"), ("delivery", round_id, "*"),
                                 ("response", round_id, "*")) for k in self.client.scan_iter(match=self._k(*pattern))]
        refs = {k.decode().rsplit(":", 1)[1] for k in self.client.scan_iter(match=self._k("outcome", round_id, "*"))}
        start = f"{round_id}:"
        queued = [m for m, _ in self.client.zscan_iter(self._k("queue"), match=start + "*")]
        inboxes = {k: [f for f in self.client.hkeys(k) if f.decode().startswith(start)]
                   for k in self.client.scan_iter(match=self._k("inbox", "*"))}
        placed = {k: [m for m in self.client.smembers(k) if m.decode().startswith(f"{round_id}{_SEP}")]
                  for k in self.client.scan_iter(match=self._k("place", "*", "placed"))}
        with self.client.pipeline(transaction=True) as pipe:
            if own:
                pipe.delete(*own)
            if queued:
                pipe.zrem(self._k("queue"), *queued)
            for ref in refs:
                pipe.zrem(self._k("awaiting"), f"{round_id}{_SEP}{ref}")
                pipe.zrem(self._k("overdue"), f"{round_id}{_SEP}{ref}")
                pipe.srem(self._k("student", ref, "rounds"), round_id)
            for key, fields in inboxes.items():
                if fields:
                    pipe.hdel(key, *fields)
            for key, members in placed.items():
                if members:
                    pipe.srem(key, *members)
            pipe.execute()

    def student_rounds(self, student_ref: str) -> list[str]:
        return sorted(m.decode() for m in self.client.smembers(self._k("student", student_ref, "rounds")))

    def withdrawn_places(self, place_ids: list[str]) -> set[str]:
        ids = sorted(set(place_ids))
        flags = self.client.smismember(self._k("withdrawn"), ids) if ids else []
        return {i for i, flag in zip(ids, flags) if flag}

    def exclude(self, event_id: str, student_ref: str, organisation_ids: list[str], place_ids: list[str]) -> bool:
        members = [f"org{_SEP}{o}" for o in organisation_ids] + [f"place{_SEP}{p}" for p in place_ids]
        key = self._k("excluded", student_ref)
        return self.applier.apply_once(event_id, lambda pipe, _: pipe.sadd(key, *members) if members else None)

    def exclusions(self, student_ref: str) -> Exclusions:
        members = [m.decode().split(_SEP, 1) for m in self.client.smembers(self._k("excluded", student_ref))]
        return Exclusions(frozenset(v for k, v in members if k == "org"),
                          frozenset(v for k, v in members if k == "place"))

    def _erase_in_round(self, pipe: Pipeline, rid: str, ref: str, outcome: StudentOutcome | None) -> None:
        ids = [DeliveryId(rid, kind, ref, ch) for kind in ABOUT_STUDENT for ch in CHANNELS[kind]]
        pipe.delete(self._k("outcome", rid, ref), self._k("response", rid, ref),
                    *[self.delivery_key(d) for d in ids])
        pipe.zrem(self._k("queue"), *[d.suffix for d in ids])
        pipe.zrem(self._k("awaiting"), f"{rid}{_SEP}{ref}")
        pipe.zrem(self._k("overdue"), f"{rid}{_SEP}{ref}")
        if outcome is not None:
            if outcome.place_id:
                pipe.srem(self._k("place", outcome.place_id, "placed"), f"{rid}{_SEP}{ref}")
            pipe.srem(self._k("round", rid, "school", outcome.school_id), ref)
            if outcome.organisation_id:
                pipe.srem(self._k("round", rid, "org", outcome.organisation_id), ref)

    # ---------------------------------------------------------------- deliveries
    def claim_due(self, now: float, limit: int, lease_s: float) -> list[Delivery]:
        members = [m.decode() for m in self._claim(keys=[self._k("queue")], args=[now, now + lease_s, limit])]
        if not members:
            return []
        with self.client.pipeline(transaction=False) as pipe:
            for m in members:
                pipe.hgetall(self._k("delivery", m))
            records = pipe.execute()
        claimed, stale = [], []
        for member, record in zip(members, records):
            fields = {k.decode(): v.decode() for k, v in record.items()}
            if fields.get("state") != PENDING:
                stale.append(member)  # sent, failed or erased: nothing left to do
                continue
            claimed.append(Delivery(
                id=DeliveryId(fields["round_id"], fields["kind"], fields["ref"], fields["channel"]),
                state=PENDING, attempts=int(fields.get("attempts", 0)), last_error=fields.get("last_error", "")))
        if stale:
            self.client.zrem(self._k("queue"), *stale)
        return claimed

    def finish(self, results: list[DeliveryResult]) -> None:
        if not results:
            return
        keys = [self._k("queue"), self._k("outbox")]
        index: dict[str, int] = {}

        def key(name: str) -> int:  # Lua's 1-based position of a key in KEYS
            if name not in index:
                keys.append(name)
                index[name] = len(keys)
            return index[name]

        encoded = [self._result_json(r, key) for r in results]
        self._finish(keys=keys, args=[codec.dumps(encoded)])

    def _result_json(self, result: DeliveryResult, key: Callable[[str], int]) -> dict[str, Any]:
        d = result.delivery
        fields = {"attempts": d.attempts, "last_error": result.error[:200]}
        item: dict[str, Any] = {"key": key(self.delivery_key(d.id)), "member": d.id.suffix,
                                "outbox": [self._outbox_json(e) for e in result.events],
                                "inbox": [[key(self._k("inbox", kind, ref)), e.delivery, codec.inbox_to_json(e)]
                                          for kind, ref, e in result.inbox]}
        if result.state == PENDING:
            item["due"] = repr(result.at)
        else:
            fields.update(state=result.state, finished_at=repr(result.at))
        if result.state == SENT:
            item.update(span=key(self._k("round", d.id.round_id, "sent")), at=repr(result.at))
        item["fields"] = [str(v) for pair in fields.items() for v in pair]
        return item

    def delivery(self, delivery_id: DeliveryId) -> Delivery | None:
        raw = self.client.hgetall(self.delivery_key(delivery_id))
        if not raw:
            return None
        fields = {k.decode(): v.decode() for k, v in raw.items()}
        return Delivery(id=delivery_id, state=fields["state"], attempts=int(fields.get("attempts", 0)),
                        last_error=fields.get("last_error", ""))

    def pending_count(self) -> int:
        return int(self.client.zcard(self._k("queue")))

    def spread(self, round_id: str) -> tuple[float | None, float | None]:
        first, last = self.client.zmscore(self._k("round", round_id, "sent"), ["first", "last"])
        return first, last

    # ---------------------------------------------------------------- inbox, answers, reminders
    def put_inbox(self, recipient_kind: str, ref: str, entry: InboxEntry) -> None:
        self.client.hset(self._k("inbox", recipient_kind, ref), entry.delivery, codec.inbox_to_json(entry))

    def inbox(self, recipient_kind: str, ref: str) -> list[InboxEntry]:
        raws = self.client.hvals(self._k("inbox", recipient_kind, ref))
        return sorted((codec.inbox_from_json(r) for r in raws), key=lambda e: (e.created_at, e.delivery))

    def response(self, round_id: str, student_ref: str) -> Response | None:
        raw = self.client.get(self._k("response", round_id, student_ref))
        return codec.response_from_json(raw) if raw else None

    def save_response(self, round_id: str, student_ref: str, response: Response) -> None:
        with self.client.pipeline(transaction=True) as pipe:
            pipe.set(self._k("response", round_id, student_ref), codec.response_to_json(response))
            pipe.zrem(self._k("awaiting"), f"{round_id}{_SEP}{student_ref}")
            pipe.zrem(self._k("overdue"), f"{round_id}{_SEP}{student_ref}")
            pipe.execute()

    # ---------------------------------------------------------------- outbox
    @staticmethod
    def _outbox_json(item: OutboxItem) -> str:
        topic, envelope = item
        return codec.dumps({"topic": topic, "event": registry.to_dict(envelope)})

    def outbox_peek(self, limit: int) -> list[OutboxItem]:
        raws = self.client.lrange(self._k("outbox"), 0, limit - 1)
        items = [json.loads(raw) for raw in raws]
        return [(item["topic"], registry.from_dict(item["event"])) for item in items]

    def outbox_ack(self, items: Sequence[OutboxItem]) -> None:
        if items:
            self._outbox_ack(keys=[self._k("outbox")], args=[envelope.event_id for _, envelope in items])
