"""The desk's append-only audit log: a Redis stream whose entries form a hash chain.

Each entry records who (user id and role), what (action), which report (its id, never its content), when,
the outcome, and the SHA-256 of the previous entry; `verify` recomputes the chain, so an altered or deleted
entry is detected. Imports redis, the port and the standard library only.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import redis

from ..ports import AbstractAuditLog
from .keys import Keys

GENESIS = "0" * 64
FIELDS = ("who", "role", "action", "report_id", "outcome", "at", "prev")


def entry_hash(entry: dict[str, str]) -> str:
    body = json.dumps({name: entry.get(name, "") for name in FIELDS}, sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


class RedisAuditLog(AbstractAuditLog):
    """Appends audit entries under WATCH of the stream so the chain stays linear."""

    def __init__(self, client: redis.Redis, keys: Keys):
        self.client = client
        self.key = keys.desk_audit()

    def append(self, who: str, role: str, action: str, report_id: str, outcome: str) -> None:
        entry = {"who": who, "role": role, "action": action, "report_id": report_id, "outcome": outcome,
                 "at": datetime.now(UTC).isoformat(timespec="milliseconds")}
        with self.client.pipeline(transaction=True) as pipe:
            while True:
                try:
                    pipe.watch(self.key)
                    last = pipe.xrevrange(self.key, count=1)
                    entry["prev"] = last[0][1][b"hash"].decode() if last else GENESIS
                    pipe.multi()
                    pipe.xadd(self.key, {**entry, "hash": entry_hash(entry)})
                    pipe.execute()
                    return
                except redis.WatchError:
                    continue

    def entries(self) -> list[dict[str, str]]:
        """Every entry, oldest first, as text."""
        return [{k.decode(): v.decode() for k, v in fields.items()} | {"id": entry_id.decode()}
                for entry_id, fields in self.client.xrange(self.key)]

    def verify(self) -> bool:
        """True when every entry's hash and link to its predecessor hold."""
        previous = GENESIS
        for entry in self.entries():
            if entry.get("prev") != previous or entry_hash(entry) != entry.get("hash"):
                return False
            previous = entry["hash"]
        return True
